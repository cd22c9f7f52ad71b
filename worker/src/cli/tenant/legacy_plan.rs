//! What importing one valid tenant would do, decided against the tenant already stored under its id:
//! create it, leave it (same content: this is what makes a rerun safe), or find it different. Secrets are
//! compared after opening the stored ones with the master key; only the names of differing fields leave
//! this module.

use enhancer_shared::crypto::KeyRing;
use enhancer_shared::tenant::{NewTenant, TenantRecord, TenantSecrets, TenantStoreError, TenantUpdate, store};
use secrecy::ExposeSecret;
use sqlx::PgPool;

/// The decision for one row.
#[derive(Debug)]
pub enum Action {
    /// No tenant has this id yet.
    Insert,
    /// The stored tenant has the same name, base URL, settings and secrets.
    Unchanged,
    /// The stored tenant differs in these fields; overwritten only with `--update-existing`.
    Differs(Vec<&'static str>),
}

/// A valid row that cannot be imported because of what is stored. The message is the row's failure.
#[derive(Debug, thiserror::Error)]
pub enum Conflict {
    /// `tenant update` cannot change a tool either: a different tool means a different integration, most
    /// likely a different tenant that happens to share the id.
    #[error("tenant {id} exists here with tool {stored}, not {wanted}; a tenant's tool cannot change")]
    Tool { id: String, stored: String, wanted: String },
    #[error("tenant {0} exists here but its stored secrets cannot be opened to compare them: {1}")]
    Unreadable(String, TenantStoreError),
}

/// Compares `tenant` with its stored namesake. `Err` is a database failure, which stops the whole import.
pub async fn decide(
    pool: &PgPool,
    keys: &KeyRing,
    tenant: &NewTenant,
) -> Result<Result<Action, Conflict>, TenantStoreError> {
    let Some(stored) = store::get(pool, &tenant.id).await? else {
        return Ok(Ok(Action::Insert));
    };
    if stored.tool != tenant.tool {
        let (stored, wanted) = (stored.tool.to_string(), tenant.tool.to_string());
        return Ok(Err(Conflict::Tool { id: tenant.id.to_string(), stored, wanted }));
    }
    let secrets = match store::load_secrets(pool, keys, &tenant.id).await {
        Ok(secrets) => secrets,
        Err(TenantStoreError::Database(err)) => return Err(TenantStoreError::Database(err)),
        Err(err) => return Ok(Err(Conflict::Unreadable(tenant.id.to_string(), err))),
    };
    let fields = differing_fields(&stored, &secrets, tenant);
    Ok(Ok(if fields.is_empty() { Action::Unchanged } else { Action::Differs(fields) }))
}

fn differing_fields(stored: &TenantRecord, secrets: &TenantSecrets, tenant: &NewTenant) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if stored.name != tenant.name {
        fields.push("name");
    }
    if stored.base_url != tenant.base_url || stored.allow_insecure_url != tenant.allow_insecure_url {
        fields.push("base_url");
    }
    if stored.settings != tenant.settings {
        fields.push("settings");
    }
    let same_secrets = secrets.webhook_secret().expose_secret() == tenant.secrets.webhook_secret().expose_secret()
        && secrets.credentials() == tenant.secrets.credentials();
    if !same_secrets {
        fields.push("secrets");
    }
    fields
}

/// The change that makes the stored tenant equal to the imported one; `enabled` is left as it is.
pub fn update_for(tenant: NewTenant, fields: &[&str]) -> TenantUpdate {
    let changed = |field: &str| fields.contains(&field);
    TenantUpdate {
        name: changed("name").then_some(tenant.name),
        base_url: changed("base_url").then_some((tenant.base_url, tenant.allow_insecure_url)),
        settings: changed("settings").then_some(tenant.settings),
        secrets: changed("secrets").then_some(tenant.secrets),
        enabled: None,
    }
}
