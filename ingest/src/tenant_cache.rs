//! What ingest keeps of a tenant between webhooks: the record and the decrypted secrets its plugin's
//! `verify` borrows, in the shared per-process [`enhancer_shared::tenant::TenantCache`], looked up through
//! [`Tenants`] so router tests can seed tenants in memory instead of a database.

use std::sync::Arc;

use enhancer_plugins::VerifyKeys;
use enhancer_shared::domain::TenantId;
use enhancer_shared::tenant::{TenantRecord, TenantSecrets, TenantStoreError};
use futures_util::future::BoxFuture;
use sqlx::PgPool;

/// What ingest needs of a tenant for one webhook.
#[derive(Debug)]
pub struct CachedTenant {
    pub record: TenantRecord,
    pub secrets: TenantSecrets,
}

impl CachedTenant {
    pub fn build(record: TenantRecord, secrets: TenantSecrets) -> Self {
        Self { record, secrets }
    }

    /// The tenant's webhook secret and Connect material, as the plugin's `verify` takes them (borrowed).
    pub fn verify_keys(&self) -> VerifyKeys<'_> {
        VerifyKeys::new(&self.secrets, &self.record.settings)
    }
}

pub type TenantCache = enhancer_shared::tenant::TenantCache<CachedTenant>;

/// Where the handlers find tenants. Held as `Arc<dyn Tenants>` in the application state.
pub trait Tenants: Send + Sync + std::fmt::Debug {
    /// The tenant, enabled or not (the caller decides), or `None` when it does not exist.
    fn get<'a>(&'a self, id: &'a TenantId) -> BoxFuture<'a, Result<Option<Arc<CachedTenant>>, TenantStoreError>>;

    /// Whether the tenants' store answers (for `/readyz`; the caller bounds the wait).
    fn reachable(&self) -> BoxFuture<'_, bool>;
}

/// The tenants in PostgreSQL, through the per-process cache.
#[derive(Debug, Clone)]
pub struct StoredTenants {
    cache: TenantCache,
    pool: PgPool,
}

impl StoredTenants {
    pub fn new(cache: TenantCache, pool: PgPool) -> Self {
        Self { cache, pool }
    }
}

impl Tenants for StoredTenants {
    fn get<'a>(&'a self, id: &'a TenantId) -> BoxFuture<'a, Result<Option<Arc<CachedTenant>>, TenantStoreError>> {
        Box::pin(self.cache.get(id))
    }

    fn reachable(&self) -> BoxFuture<'_, bool> {
        Box::pin(async move { sqlx::query("SELECT 1").execute(&self.pool).await.is_ok() })
    }
}
