//! `enhancer-worker tenant import-legacy <file|->`: tenants from the earlier platform's JSON Lines export
//! (format in `legacy_row.rs` and docs/OPERATIONS.md, "Migrating tenants from the earlier platform").
//!
//! Three passes, and the order is the guarantee:
//! 1. every line is parsed, its Fernet tokens decrypted with `ENHANCER_LEGACY_FERNET_KEY`, and the result
//!    checked by `validate_new_tenant`, exactly as `tenant add` checks its input;
//! 2. every valid tenant is compared with the one stored under its id (new, unchanged, different, or a
//!    conflict such as another tool);
//! 3. only if no row failed in 1 or 2, and not with `--dry-run`, the rows are written through the tenant
//!    store, which seals the secrets under the master key as `tenant add` does.
//!
//! So a bad row writes nothing at all. Writes are one statement (or one transaction) per tenant, not one
//! transaction for the file: should the database go away half-way, the tenants written so far are
//! complete, and running the command again reports them unchanged and writes the rest.

use std::collections::HashMap;

use anyhow::{Context, bail};
use enhancer_shared::config::Config;
use enhancer_shared::crypto::KeyRing;
use enhancer_shared::crypto::legacy_fernet::LegacyFernetKeys;
use enhancer_shared::tenant::{NewTenant, store};
use sqlx::PgPool;

use super::legacy_plan::{self, Action};
use super::legacy_report::{Outcome, Report};
use super::legacy_row::LegacyRow;
use super::validate::{TenantInput, validate_new_tenant};
use super::{key_ring, open_pool};
use crate::cli::CliIo;
use crate::cli::args::ImportLegacyArgs;

/// The variable that holds the earlier platform's Fernet key; never an argument, so it stays out of shell
/// history and `ps`.
const LEGACY_KEY_VAR: &str = "ENHANCER_LEGACY_FERNET_KEY";

/// A row that passed validation, with its line.
struct Valid {
    line: usize,
    tenant: NewTenant,
}

pub async fn run(args: ImportLegacyArgs, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    let legacy_keys = legacy_keys(config)?;
    let master = key_ring(config)?;
    let bytes = io.read_input(&args.file, "legacy export")?;
    let text = std::str::from_utf8(&bytes).context("the legacy export is not valid UTF-8")?;

    let mut report = Report::default();
    let (rows, valid) = validate_rows(text, &legacy_keys, &args, config, &mut report);
    if rows == 0 {
        bail!("the legacy export holds no rows; is it the output of the documented export query?");
    }
    let pool = open_pool(config).await?;
    let planned = plan_rows(&pool, &master, valid, &mut report).await?;
    if report.failed() > 0 {
        io.println(report.failures_text(rows))?;
        bail!("{} row(s) of the legacy export failed (listed above); nothing was written", report.failed());
    }

    for (Valid { line, tenant }, action) in planned {
        let id = tenant.id.to_string();
        let outcome = match action {
            Action::Unchanged => Outcome::Unchanged,
            Action::Differs(fields) if !args.update_existing => Outcome::Skipped(fields),
            Action::Differs(fields) => {
                if !args.dry_run {
                    let tenant_id = tenant.id.clone();
                    let change = legacy_plan::update_for(tenant, &fields);
                    store::update(&pool, &master, &tenant_id, &change).await.with_context(|| stopped_at(line, &id))?;
                }
                Outcome::Updated(fields)
            }
            Action::Insert => {
                if !args.dry_run {
                    store::insert(&pool, &master, &tenant).await.with_context(|| stopped_at(line, &id))?;
                }
                Outcome::Imported { tool: tenant.tool.to_string(), base_url: tenant.base_url.to_string() }
            }
        };
        report.push(line, id, outcome);
    }
    io.println(report.text(args.dry_run))?;
    if !args.dry_run {
        io.println("point each tool's webhook at POST /webhooks/{tenant_id} on ingest once its tenant is imported")?;
    }
    Ok(())
}

fn legacy_keys(config: &Config) -> anyhow::Result<LegacyFernetKeys> {
    let Some(value) = &config.legacy_fernet_key else {
        bail!(
            "{LEGACY_KEY_VAR} is not set: it must hold the earlier platform's Fernet key (comma-separated if it used several), the one its tenant_configs secrets were encrypted with"
        );
    };
    LegacyFernetKeys::parse(value).with_context(|| format!("{LEGACY_KEY_VAR} is not usable"))
}

/// Pass 1: every non-blank line parsed, decrypted and validated; failures go to the report. A tenant id
/// seen on an earlier line fails the later one, since one of the two would silently win. Returns the
/// number of rows and the valid ones.
fn validate_rows(
    text: &str,
    legacy_keys: &LegacyFernetKeys,
    args: &ImportLegacyArgs,
    config: &Config,
    report: &mut Report,
) -> (usize, Vec<Valid>) {
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    let mut valid = Vec::new();
    let mut rows = 0;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() {
            continue;
        }
        rows += 1;
        let row = match LegacyRow::parse(raw) {
            Ok(row) => row,
            Err(err) => {
                report.push(line, "", Outcome::Failed(err.to_string()));
                continue;
            }
        };
        if let Some(first) = first_seen.get(&row.tenant_id) {
            report.push(line, &row.tenant_id, Outcome::Failed(format!("the same tenant id is on line {first}")));
            continue;
        }
        first_seen.insert(row.tenant_id.clone(), line);
        match validate_row(&row, legacy_keys, args, config) {
            Ok(tenant) => valid.push(Valid { line, tenant }),
            Err(reason) => report.push(line, &row.tenant_id, Outcome::Failed(reason)),
        }
    }
    (rows, valid)
}

fn validate_row(
    row: &LegacyRow,
    legacy_keys: &LegacyFernetKeys,
    args: &ImportLegacyArgs,
    config: &Config,
) -> Result<NewTenant, String> {
    let secrets = row.secrets_document(legacy_keys).map_err(|err| err.to_string())?;
    let input = TenantInput {
        id: &row.tenant_id,
        name: &row.name,
        tool: &row.tool_type,
        base_url: &row.base_url,
        allow_insecure_url: args.allow_insecure_url.iter().any(|id| id.as_str() == row.tenant_id),
        settings: row.settings.clone(),
        secrets: &secrets,
    };
    validate_new_tenant(input, config).map_err(|err| err.to_string())
}

/// Pass 2: what each valid row would do against the stored tenants; conflicts go to the report.
async fn plan_rows(
    pool: &PgPool,
    master: &KeyRing,
    valid: Vec<Valid>,
    report: &mut Report,
) -> anyhow::Result<Vec<(Valid, Action)>> {
    let mut planned = Vec::with_capacity(valid.len());
    for row in valid {
        match legacy_plan::decide(pool, master, &row.tenant).await? {
            Ok(action) => planned.push((row, action)),
            Err(conflict) => report.push(row.line, row.tenant.id.to_string(), Outcome::Failed(conflict.to_string())),
        }
    }
    Ok(planned)
}

fn stopped_at(line: usize, id: &str) -> String {
    format!(
        "import stopped at line {line} ({id}); the tenants before it were written, run the same command again to finish"
    )
}
