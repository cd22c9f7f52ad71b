//! Argument definitions (clap derive). The `tenant add` flags are a contract that scripts rely on.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use enhancer_shared::domain::{TenantId, ToolKind};

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
}

fn tenant_id(raw: &str) -> Result<TenantId, String> {
    TenantId::parse(raw).map_err(|e| e.to_string())
}

fn tool_kind(raw: &str) -> Result<ToolKind, String> {
    raw.parse().map_err(|e: enhancer_shared::domain::UnknownToolKind| e.to_string())
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
}

#[derive(Debug, Args)]
pub struct AddArgs {
    #[arg(long, value_parser = tenant_id)]
    pub id: TenantId,
    #[arg(long)]
    pub name: String,
    /// servicedesk_plus, jira, zendesk, servicenow, freshservice or generic.
    #[arg(long, value_parser = tool_kind)]
    pub tool: ToolKind,
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
