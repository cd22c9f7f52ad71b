//! `enhancer-worker tenant add|list|show|update|disable|rotate-key|import-legacy`. Every input is validated
//! before anything is written; `list` and `show` never print a secret. A new tenant's rules live in
//! `validate.rs`, shared by `add` and `import-legacy`.

mod import_legacy;
mod legacy_plan;
mod legacy_report;
mod legacy_row;
mod validate;

use anyhow::{Context, bail};
use enhancer_plugins::Plugins;
use enhancer_shared::config::Config;
use enhancer_shared::crypto::KeyRing;
use enhancer_shared::db;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::{TenantRecord, TenantSecrets, TenantSettings, TenantUpdate, store};
use secrecy::SecretBox;
use serde_json::json;
use sqlx::PgPool;
use url::Url;

use super::CliIo;
use super::args::{AddArgs, TenantCommand, UpdateArgs};
use super::output::Table;
use validate::{TenantInput, check_name, check_secret_strength, url_policy, validate_new_tenant};

pub async fn run(command: TenantCommand, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    match command {
        TenantCommand::Add(args) => add(args, config, io).await,
        TenantCommand::ImportLegacy(args) => import_legacy::run(args, config, io).await,
        TenantCommand::List { json } => list(json, config, io).await,
        TenantCommand::Show { id, json } => {
            let pool = open_pool(config).await?;
            let record = store::get(&pool, &id).await?.with_context(|| format!("tenant {id} does not exist"))?;
            if json {
                io.println(serde_json::to_string_pretty(&record_json(&record))?)
            } else {
                io.println(show_text(&record))
            }
        }
        TenantCommand::Update(args) => update(args, config, io).await,
        TenantCommand::Disable { id } => {
            let pool = open_pool(config).await?;
            let keys = None;
            let change = TenantUpdate { enabled: Some(false), ..TenantUpdate::default() };
            store_update(&pool, keys, &id, &change).await?;
            io.println(format!("tenant {id} disabled: its webhooks now answer 404"))
        }
        TenantCommand::RotateKey => {
            let keys = key_ring(config)?;
            let pool = open_pool(config).await?;
            let report = store::rotate_keys(&pool, &keys).await?;
            for failure in &report.failed {
                io.println(format!("not rotated: {failure}"))?;
            }
            io.println(format!(
                "re-encrypted {} tenant(s) under key {}; {} already used it; {} could not be opened",
                report.rotated.len(),
                keys.current_id(),
                report.already_current,
                report.failed.len()
            ))?;
            if !report.failed.is_empty() {
                bail!(
                    "{} tenant(s) could not be re-encrypted (listed above); fix their key or data and run rotate-key again, and keep the old key in ENHANCER_PREVIOUS_MASTER_KEYS until then",
                    report.failed.len()
                );
            }
            io.println(
                "once every process runs with the new key, remove the old one from ENHANCER_PREVIOUS_MASTER_KEYS",
            )
        }
    }
}

/// The master key ring; required wherever secrets are written or re-encrypted.
pub(super) fn key_ring(config: &Config) -> anyhow::Result<KeyRing> {
    let Some(master) = &config.master_key else {
        bail!(
            "ENHANCER_MASTER_KEY is not set: it encrypts tenant secrets (base64 of 32 random bytes, e.g. `head -c 32 /dev/urandom | base64`)"
        );
    };
    Ok(KeyRing::from_env_values(master, config.previous_master_keys.as_ref())?)
}

/// Connects and refuses to touch a database whose schema is behind.
pub(super) async fn open_pool(config: &Config) -> anyhow::Result<PgPool> {
    let pool = db::connect(&config.database).await?;
    db::ensure_schema_current(&pool).await?;
    Ok(pool)
}

fn read_settings_json(io: &mut CliIo, path: &std::path::Path) -> anyhow::Result<serde_json::Value> {
    let raw = io.read_input(path, "settings")?;
    serde_json::from_slice(&raw).context("settings file is not valid JSON")
}

fn read_settings(io: &mut CliIo, path: &std::path::Path) -> anyhow::Result<TenantSettings> {
    Ok(TenantSettings::from_json(read_settings_json(io, path)?)?)
}

/// Reads the secrets document and checks it as for a new tenant: the webhook secret's strength and the
/// credentials with the tool's plugin.
fn read_secrets(io: &mut CliIo, path: &std::path::Path, tool: ToolKind) -> anyhow::Result<TenantSecrets> {
    let raw = io.read_input(path, "secrets")?;
    let secrets = TenantSecrets::parse(&raw)?;
    check_secret_strength(tool, &secrets)?;
    Plugins.get(tool).validate_credentials(secrets.credentials()).context("secrets.credentials")?;
    Ok(secrets)
}

async fn add(args: AddArgs, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    // Everything is validated before the database is touched, so a bad input writes nothing.
    let settings = args.settings_file.as_deref().map(|path| read_settings_json(io, path)).transpose()?;
    let secrets = SecretBox::new(Box::new(io.read_input(&args.secrets_file, "secrets")?));
    let input = TenantInput {
        id: &args.id,
        name: &args.name,
        tool: &args.tool,
        base_url: &args.base_url,
        allow_insecure_url: args.allow_insecure_url,
        settings,
        secrets: &secrets,
    };
    let tenant = validate_new_tenant(input, config)?;
    let keys = key_ring(config)?;
    let pool = open_pool(config).await?;
    store::insert(&pool, &keys, &tenant).await?;
    io.println(format!(
        "tenant {} added ({}, {}); point the tool's webhook at POST /webhooks/{}",
        tenant.id, tenant.tool, tenant.base_url, tenant.id
    ))
}

async fn update(args: UpdateArgs, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    let pool = open_pool(config).await?;
    let current = store::get(&pool, &args.id).await?.with_context(|| format!("tenant {} does not exist", args.id))?;
    let name = args.name.as_deref().map(check_name).transpose()?;
    let base_url: Option<(Url, bool)> = match &args.base_url {
        Some(raw) => Some((url_policy(config, args.allow_insecure_url).check(raw)?, args.allow_insecure_url)),
        None => None,
    };
    let settings = args.settings_file.as_deref().map(|path| read_settings(io, path)).transpose()?;
    let secrets = args.secrets_file.as_deref().map(|path| read_secrets(io, path, current.tool)).transpose()?;
    let keys = if secrets.is_some() { Some(key_ring(config)?) } else { None };
    let change = TenantUpdate { name, base_url, settings, secrets, enabled: args.enable.then_some(true) };
    let record = store_update(&pool, keys.as_ref(), &args.id, &change).await?;
    io.println(format!("tenant {} updated", record.id))
}

/// `store::update` needs a key ring only to seal new secrets; without new secrets any ring will do, so a
/// placeholder is used and the master key is not required for plain field changes.
async fn store_update(
    pool: &PgPool,
    keys: Option<&KeyRing>,
    id: &enhancer_shared::domain::TenantId,
    change: &TenantUpdate,
) -> anyhow::Result<TenantRecord> {
    let placeholder;
    let keys = match keys {
        Some(keys) => keys,
        None => {
            debug_assert!(change.secrets.is_none(), "secrets are sealed with the configured key only");
            placeholder = KeyRing::new(enhancer_shared::crypto::MasterKey::generate().0, Vec::new());
            &placeholder
        }
    };
    Ok(store::update(pool, keys, id, change).await?)
}

async fn list(json: bool, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    let pool = open_pool(config).await?;
    let tenants = store::list(&pool).await?;
    if json {
        let rows: Vec<_> = tenants.iter().map(record_json).collect();
        return io.println(serde_json::to_string_pretty(&rows)?);
    }
    if tenants.is_empty() {
        return io.println("no tenants; add one with `enhancer-worker tenant add`");
    }
    let mut table = Table::new(vec!["ID", "NAME", "TOOL", "BASE URL", "ENABLED", "KEY", "UPDATED"]);
    for t in &tenants {
        table.push(vec![
            t.id.to_string(),
            t.name.clone(),
            t.tool.to_string(),
            t.base_url.to_string(),
            if t.enabled { "yes".into() } else { "no".into() },
            t.key_id.clone(),
            t.updated_at.format("%Y-%m-%d %H:%M").to_string(),
        ]);
    }
    io.println(table.render())
}

fn record_json(t: &TenantRecord) -> serde_json::Value {
    json!({
        "tenant_id": t.id,
        "name": t.name,
        "tool": t.tool,
        "base_url": t.base_url.as_str(),
        "allow_insecure_url": t.allow_insecure_url,
        "enabled": t.enabled,
        "key_id": t.key_id,
        "settings": t.settings,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    })
}

fn show_text(t: &TenantRecord) -> String {
    let settings = serde_json::to_string_pretty(&t.settings).unwrap_or_default();
    format!(
        "tenant:     {}\nname:       {}\ntool:       {}\nbase url:   {}{}\nenabled:    {}\nsecrets:    stored encrypted under key {}\nwebhook:    POST /webhooks/{}\ncreated:    {}\nupdated:    {}\nsettings:\n{}",
        t.id,
        t.name,
        t.tool,
        t.base_url,
        if t.allow_insecure_url { " (plain http allowed)" } else { "" },
        if t.enabled { "yes" } else { "no" },
        t.key_id,
        t.id,
        t.created_at.to_rfc3339(),
        t.updated_at.to_rfc3339(),
        settings
    )
}
