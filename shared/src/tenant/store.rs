//! `tenant_configs`: the only code that reads or writes tenant rows. Secrets are sealed with the key ring
//! on the way in and opened on the way out; the row's `key_id` names the key that sealed them.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};
use sqlx::{FromRow, PgPool};
use url::Url;

use super::{Credentials, TenantSecrets, TenantSettings};
use crate::crypto::{CryptoError, KeyId, KeyRing};
use crate::domain::{TenantId, ToolKind};
use crate::error::{Disposition, Retryable};

/// A tenant row without its secrets: what `list`, `show` and the caches hold.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantRecord {
    pub id: TenantId,
    pub name: String,
    pub tool: ToolKind,
    pub base_url: Url,
    pub allow_insecure_url: bool,
    pub settings: TenantSettings,
    pub enabled: bool,
    pub key_id: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A tenant to create.
#[derive(Debug)]
pub struct NewTenant {
    pub id: TenantId,
    pub name: String,
    pub tool: ToolKind,
    pub base_url: Url,
    pub allow_insecure_url: bool,
    pub settings: TenantSettings,
    pub secrets: TenantSecrets,
}

/// A partial change; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct TenantUpdate {
    pub name: Option<String>,
    pub base_url: Option<(Url, bool)>,
    pub settings: Option<TenantSettings>,
    pub secrets: Option<TenantSecrets>,
    pub enabled: Option<bool>,
}

#[derive(Debug, thiserror::Error)]
pub enum TenantStoreError {
    #[error("tenant {0} already exists")]
    Duplicate(TenantId),
    #[error("tenant {0} does not exist")]
    NotFound(TenantId),
    #[error("tenant {tenant}: {source}")]
    Crypto { tenant: String, source: CryptoError },
    #[error("tenant {tenant} has an invalid stored {field}: {reason}")]
    Corrupt { tenant: String, field: &'static str, reason: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The tenant cache's cap on concurrent loads is reached (see `super::cache`): try again shortly.
    #[error("too many tenant lookups in flight")]
    Busy,
    /// A permanent error the tenant cache remembers until the tenant changes (see `super::cache`).
    #[error("tenant {tenant} cannot be used: {reason}")]
    Unusable { tenant: String, reason: String },
}

impl Retryable for TenantStoreError {
    fn disposition(&self) -> Disposition {
        match self {
            TenantStoreError::Database(err) => err.disposition(),
            TenantStoreError::Busy => Disposition::Transient { retry_after: Some(std::time::Duration::from_secs(1)) },
            _ => Disposition::Permanent,
        }
    }
}

#[derive(FromRow)]
struct TenantRow {
    tenant_id: String,
    name: String,
    tool: String,
    base_url: String,
    allow_insecure_url: bool,
    settings: Value,
    enabled: bool,
    key_id: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct SecretRow {
    tenant_id: String,
    credentials_enc: Vec<u8>,
    webhook_secret_enc: Vec<u8>,
    key_id: String,
}

const RECORD_COLUMNS: &str =
    "tenant_id, name, tool, base_url, allow_insecure_url, settings, enabled, key_id, created_at, updated_at";

fn corrupt(tenant: &str, field: &'static str, reason: &dyn std::fmt::Display) -> TenantStoreError {
    TenantStoreError::Corrupt { tenant: tenant.to_owned(), field, reason: reason.to_string() }
}

impl TryFrom<TenantRow> for TenantRecord {
    type Error = TenantStoreError;
    fn try_from(row: TenantRow) -> Result<Self, Self::Error> {
        let t = row.tenant_id.as_str();
        Ok(TenantRecord {
            id: TenantId::parse(row.tenant_id.clone()).map_err(|e| corrupt(t, "tenant_id", &e))?,
            name: row.name,
            tool: row.tool.parse().map_err(|e| corrupt(t, "tool", &e))?,
            base_url: Url::parse(&row.base_url).map_err(|e| corrupt(t, "base_url", &e))?,
            allow_insecure_url: row.allow_insecure_url,
            settings: serde_json::from_value(row.settings).map_err(|e| corrupt(t, "settings", &e))?,
            enabled: row.enabled,
            key_id: row.key_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// Where a sealed value lives, bound into its ciphertext as associated data.
fn aad(tenant: &str, field: &str) -> Vec<u8> {
    format!("tenant:{tenant}:{field}").into_bytes()
}

struct SealedSecrets {
    credentials: Vec<u8>,
    webhook_secret: Vec<u8>,
    key_id: KeyId,
}

fn seal(keys: &KeyRing, tenant: &TenantId, secrets: &TenantSecrets) -> SealedSecrets {
    let credentials = keys.seal(&secrets.credentials_json(), &aad(tenant.as_str(), "credentials"));
    let webhook_secret =
        keys.seal(secrets.webhook_secret().expose_secret().as_bytes(), &aad(tenant.as_str(), "webhook_secret"));
    SealedSecrets { credentials: credentials.bytes, webhook_secret: webhook_secret.bytes, key_id: credentials.key_id }
}

fn open(keys: &KeyRing, row: &SecretRow) -> Result<TenantSecrets, TenantStoreError> {
    let t = row.tenant_id.as_str();
    let crypto = |source| TenantStoreError::Crypto { tenant: t.to_owned(), source };
    let key_id = KeyId::parse(row.key_id.clone()).map_err(crypto)?;
    let credentials = keys.open(&key_id, &row.credentials_enc, &aad(t, "credentials")).map_err(crypto)?;
    let credentials: Map<String, Value> = serde_json::from_slice(credentials.expose_secret())
        .map_err(|_| corrupt(t, "credentials", &"not a JSON object"))?;
    let webhook_secret = keys.open(&key_id, &row.webhook_secret_enc, &aad(t, "webhook_secret")).map_err(crypto)?;
    let webhook_secret = String::from_utf8(webhook_secret.expose_secret().clone())
        .map_err(|_| corrupt(t, "webhook_secret", &"not UTF-8"))?;
    Ok(TenantSecrets::new(SecretString::from(webhook_secret), Credentials::new(credentials)))
}

/// Creates a tenant. A taken id is [`TenantStoreError::Duplicate`] and writes nothing.
pub async fn insert(pool: &PgPool, keys: &KeyRing, tenant: &NewTenant) -> Result<(), TenantStoreError> {
    let sealed = seal(keys, &tenant.id, &tenant.secrets);
    let settings = serde_json::to_value(&tenant.settings).expect("settings always serialize");
    let result = sqlx::query(
        "INSERT INTO tenant_configs (tenant_id, name, tool, base_url, allow_insecure_url, credentials_enc, \
         webhook_secret_enc, key_id, settings) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(tenant.id.as_str())
    .bind(&tenant.name)
    .bind(tenant.tool.as_str())
    .bind(tenant.base_url.as_str())
    .bind(tenant.allow_insecure_url)
    .bind(&sealed.credentials)
    .bind(&sealed.webhook_secret)
    .bind(sealed.key_id.as_str())
    .bind(settings)
    .execute(pool)
    .await;
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            Err(TenantStoreError::Duplicate(tenant.id.clone()))
        }
        Err(err) => Err(err.into()),
    }
}

pub async fn list(pool: &PgPool) -> Result<Vec<TenantRecord>, TenantStoreError> {
    let rows: Vec<TenantRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {RECORD_COLUMNS} FROM tenant_configs ORDER BY tenant_id")))
            .fetch_all(pool)
            .await?;
    rows.into_iter().map(TenantRecord::try_from).collect()
}

pub async fn get(pool: &PgPool, id: &TenantId) -> Result<Option<TenantRecord>, TenantStoreError> {
    let row: Option<TenantRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {RECORD_COLUMNS} FROM tenant_configs WHERE tenant_id = $1"
    )))
    .bind(id.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(TenantRecord::try_from).transpose()
}

/// Decrypts a tenant's secrets (for ingest's verification and the worker's API calls).
pub async fn load_secrets(pool: &PgPool, keys: &KeyRing, id: &TenantId) -> Result<TenantSecrets, TenantStoreError> {
    let row: Option<SecretRow> = sqlx::query_as(
        "SELECT tenant_id, credentials_enc, webhook_secret_enc, key_id FROM tenant_configs WHERE tenant_id = $1",
    )
    .bind(id.as_str())
    .fetch_optional(pool)
    .await?;
    let row = row.ok_or_else(|| TenantStoreError::NotFound(id.clone()))?;
    open(keys, &row)
}

/// Applies a partial change in one transaction. New secrets are sealed under the current key; when only
/// other fields change, the stored secrets stay as they are.
pub async fn update(
    pool: &PgPool,
    keys: &KeyRing,
    id: &TenantId,
    change: &TenantUpdate,
) -> Result<TenantRecord, TenantStoreError> {
    let mut tx = pool.begin().await?;
    let exists: Option<String> =
        sqlx::query_scalar("SELECT tenant_id FROM tenant_configs WHERE tenant_id = $1 FOR UPDATE")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_none() {
        return Err(TenantStoreError::NotFound(id.clone()));
    }
    let sealed = change.secrets.as_ref().map(|secrets| seal(keys, id, secrets));
    let settings = change.settings.as_ref().map(|s| serde_json::to_value(s).expect("settings always serialize"));
    sqlx::query(
        "UPDATE tenant_configs SET \
            name = COALESCE($2, name), \
            base_url = COALESCE($3, base_url), \
            allow_insecure_url = COALESCE($4, allow_insecure_url), \
            settings = COALESCE($5, settings), \
            credentials_enc = COALESCE($6, credentials_enc), \
            webhook_secret_enc = COALESCE($7, webhook_secret_enc), \
            key_id = COALESCE($8, key_id), \
            enabled = COALESCE($9, enabled), \
            updated_at = now() \
         WHERE tenant_id = $1",
    )
    .bind(id.as_str())
    .bind(change.name.as_deref())
    .bind(change.base_url.as_ref().map(|(url, _)| url.as_str()))
    .bind(change.base_url.as_ref().map(|(_, insecure)| *insecure))
    .bind(settings)
    .bind(sealed.as_ref().map(|s| s.credentials.clone()))
    .bind(sealed.as_ref().map(|s| s.webhook_secret.clone()))
    .bind(sealed.as_ref().map(|s| s.key_id.as_str().to_owned()))
    .bind(change.enabled)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    get(pool, id).await?.ok_or_else(|| TenantStoreError::NotFound(id.clone()))
}

/// What `tenant rotate-key` did.
#[derive(Debug, Default)]
pub struct RotationReport {
    pub rotated: Vec<TenantId>,
    pub already_current: usize,
    /// The rows that could not be opened (an unknown key, a failed authentication, a corrupt field), each
    /// left as it was. The error names the tenant and the reason, never a secret.
    pub failed: Vec<TenantStoreError>,
}

/// Re-seals every tenant not yet under the current key. Each tenant is rotated in its own transaction with
/// its row locked, so a crash half-way leaves every row readable (old rows under a previous key, new ones
/// under the current key) and running the command again finishes the job.
///
/// A row that cannot be opened is recorded in [`RotationReport::failed`] and skipped, so one bad row does
/// not hold back every tenant after it; a database error still stops the run.
pub async fn rotate_keys(pool: &PgPool, keys: &KeyRing) -> Result<RotationReport, TenantStoreError> {
    let current = keys.current_id().as_str();
    let already_current: i64 = sqlx::query_scalar("SELECT count(*) FROM tenant_configs WHERE key_id = $1")
        .bind(current)
        .fetch_one(pool)
        .await?;
    let pending: Vec<String> =
        sqlx::query_scalar("SELECT tenant_id FROM tenant_configs WHERE key_id <> $1 ORDER BY tenant_id")
            .bind(current)
            .fetch_all(pool)
            .await?;
    let mut report =
        RotationReport { already_current: usize::try_from(already_current).unwrap_or(0), ..RotationReport::default() };
    for tenant in pending {
        let mut tx = pool.begin().await?;
        let row: Option<SecretRow> = sqlx::query_as(
            "SELECT tenant_id, credentials_enc, webhook_secret_enc, key_id FROM tenant_configs \
             WHERE tenant_id = $1 AND key_id <> $2 FOR UPDATE",
        )
        .bind(&tenant)
        .bind(current)
        .fetch_optional(&mut *tx)
        .await?;
        // Rotated meanwhile by a concurrent run.
        let Some(row) = row else { continue };
        // A row that cannot be opened is reported and left alone (its transaction rolls back on drop).
        let opened = open(keys, &row).and_then(|secrets| {
            Ok((TenantId::parse(tenant.clone()).map_err(|e| corrupt(&tenant, "tenant_id", &e))?, secrets))
        });
        let (id, secrets) = match opened {
            Ok(opened) => opened,
            Err(err) => {
                report.failed.push(err);
                continue;
            }
        };
        let sealed = seal(keys, &id, &secrets);
        sqlx::query(
            "UPDATE tenant_configs SET credentials_enc = $2, webhook_secret_enc = $3, key_id = $4, updated_at = now() \
             WHERE tenant_id = $1",
        )
        .bind(&tenant)
        .bind(&sealed.credentials)
        .bind(&sealed.webhook_secret)
        .bind(sealed.key_id.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        report.rotated.push(id);
    }
    Ok(report)
}
