//! Argument definitions (clap derive). The `tenant add` flags are a contract that scripts rely on.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand};
use enhancer_shared::domain::TenantId;

#[derive(Debug, Parser)]
#[command(name = "enhancer-worker", version, about = "ticket-enhancer worker and operator commands")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Consume and process enhancement jobs (the default).
    Run,
    /// Create the database if needed and apply pending migrations.
    Migrate,
    /// Manage tenants (one ticketing-tool instance each).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Inspect, replay or purge the dead-letter queue.
    Dlq {
        #[command(subcommand)]
        command: DlqCommand,
    },
    /// List enhancement runs from `enhancement_history`.
    History(HistoryArgs),
    /// Import tickets, knowledge-base articles or assets into a tenant's corpus.
    Import {
        #[command(subcommand)]
        command: super::import::ImportCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// List dead letters (oldest first) without removing them.
    List(DlqListArgs),
    /// Show one dead letter: headers and job body.
    Show {
        /// The dead letter's id (the job id), as `dlq list` prints it.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Republish dead letters to the jobs queue with the attempt count reset. Each dead letter is removed
    /// only after its republish was confirmed; dead letters that do not match stay.
    Replay(DlqReplayArgs),
    /// Delete every dead letter. Asks for confirmation unless --yes.
    Purge {
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct DlqListArgs {
    #[arg(long, value_parser = tenant_id)]
    pub tenant: Option<TenantId>,
    /// `transient`, `permanent`, or `unknown` (dead-lettered by the broker itself: delivery limit, reject).
    #[arg(long)]
    pub error_class: Option<String>,
    /// Only dead letters that failed at or after this time: RFC 3339 (`2026-11-25T10:00:00Z`) or an age
    /// (`30m`, `2h`, `7d`).
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    #[arg(long)]
    pub json: bool,
}

// Exactly one of --id, --tenant, --all; --dry-run goes with any of them. (A struct-level `#[group]` would
// put every field, --dry-run included, into the group, hence `skip` and an explicit group.)
#[derive(Debug, Args)]
#[group(skip)]
#[command(group(ArgGroup::new("selection").required(true).multiple(false).args(["id", "tenant", "all"])))]
pub struct DlqReplayArgs {
    #[arg(long)]
    pub id: Option<String>,
    #[arg(long, value_parser = tenant_id)]
    pub tenant: Option<TenantId>,
    #[arg(long)]
    pub all: bool,
    /// Say what would be replayed without changing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    #[arg(long, value_parser = tenant_id)]
    pub tenant: Option<TenantId>,
    #[arg(long)]
    pub ticket: Option<String>,
    /// queued, running, completed, failed, dead_lettered or ignored.
    #[arg(long)]
    pub status: Option<String>,
    /// RFC 3339 time or an age (`30m`, `2h`, `7d`).
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
    #[arg(long)]
    pub json: bool,
}

fn tenant_id(raw: &str) -> Result<TenantId, String> {
    TenantId::parse(raw).map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum TenantCommand {
    /// Add a tenant. Secrets come from --secrets-file (a path, or - for stdin), never from arguments.
    Add(AddArgs),
    /// List tenants (no secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one tenant (no secrets).
    Show {
        #[arg(value_parser = tenant_id)]
        id: TenantId,
        #[arg(long)]
        json: bool,
    },
    /// Change a tenant; only the given fields change.
    Update(UpdateArgs),
    /// Disable a tenant: its webhooks answer 404 and its queued jobs are ignored.
    Disable {
        #[arg(value_parser = tenant_id)]
        id: TenantId,
    },
    /// Re-encrypt every tenant's secrets under ENHANCER_MASTER_KEY; the old key must be listed in
    /// ENHANCER_PREVIOUS_MASTER_KEYS until this has run.
    RotateKey,
    /// Import tenants from the earlier platform's JSON Lines export; its Fernet key comes from
    /// ENHANCER_LEGACY_FERNET_KEY. Nothing is written unless every row is valid; rerunning is safe.
    ImportLegacy(ImportLegacyArgs),
}

// `--id` and `--tool` are checked with everything else by `validate_new_tenant`, not by clap, so that
// `tenant add` and `tenant import-legacy` cannot drift apart.
#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long)]
    pub id: String,
    #[arg(long)]
    pub name: String,
    /// The ticketing tool: one of the tools with a plugin (servicedesk_plus, jira, zendesk, servicenow,
    /// freshservice, generic); any other name is refused before anything is written.
    #[arg(long)]
    pub tool: String,
    #[arg(long)]
    pub base_url: String,
    /// JSON settings (priority map, events to enhance, rate limit, ...).
    #[arg(long)]
    pub settings_file: Option<PathBuf>,
    /// Permit plain http for this tenant's base URL.
    #[arg(long)]
    pub allow_insecure_url: bool,
    /// `{"webhook_secret": "...", "credentials": {...}}`; `-` reads stdin.
    #[arg(long)]
    pub secrets_file: PathBuf,
}

#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[arg(value_parser = tenant_id)]
    pub id: TenantId,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub base_url: Option<String>,
    /// Permit plain http for the new --base-url.
    #[arg(long, requires = "base_url")]
    pub allow_insecure_url: bool,
    #[arg(long)]
    pub settings_file: Option<PathBuf>,
    /// Replace the secrets; `-` reads stdin.
    #[arg(long)]
    pub secrets_file: Option<PathBuf>,
    /// Enable a disabled tenant.
    #[arg(long)]
    pub enable: bool,
}

#[derive(Debug, Args)]
pub struct ImportLegacyArgs {
    /// The JSON Lines export (format in docs/OPERATIONS.md); `-` reads stdin.
    pub file: PathBuf,
    /// Validate every row and say what would happen, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Overwrite a tenant that exists here with different content (name, base URL, settings, secrets).
    /// Without it such a tenant is left as it is and reported as skipped.
    #[arg(long)]
    pub update_existing: bool,
    /// Permit plain http for this tenant's base URL; repeat for several tenants.
    #[arg(long = "allow-insecure-url", value_name = "TENANT_ID", value_parser = tenant_id)]
    pub allow_insecure_url: Vec<TenantId>,
}
