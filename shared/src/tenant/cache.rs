//! Tenants with their decrypted secrets, cached per process for a short TTL. Ingest reads a tenant for
//! every webhook and the worker for every job; without the cache that is two statements (the row, then the
//! secrets) per request. A change made through the CLI is announced by the database
//! (`pg_notify('tenant_changed', id)`) and the listener drops that entry at once; the TTL only bounds
//! staleness if a notification is missed.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgListener;

use super::{TenantRecord, TenantSecrets, TenantStoreError, store};
use crate::crypto::KeyRing;
use crate::domain::TenantId;

/// When an entry was loaded, and the tenant (or `None`: no such tenant).
type Entry<T> = (Instant, Option<Arc<T>>);

/// Builds what a process keeps of a tenant (ingest: its verification keys; the worker: its credentials).
pub type BuildEntry<T> = fn(TenantRecord, TenantSecrets) -> T;

pub struct TenantCache<T> {
    pool: PgPool,
    keys: Arc<KeyRing>,
    ttl: Duration,
    build: BuildEntry<T>,
    /// `None` caches "no such tenant" too, so unknown ids cannot hammer the database.
    entries: Arc<RwLock<HashMap<TenantId, Entry<T>>>>,
}

impl<T> Clone for TenantCache<T> {
    fn clone(&self) -> Self {
        Self {
            pool: self.pool.clone(),
            keys: Arc::clone(&self.keys),
            ttl: self.ttl,
            build: self.build,
            entries: Arc::clone(&self.entries),
        }
    }
}

impl<T> std::fmt::Debug for TenantCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

/// The channel the `tenant_configs` trigger notifies on.
const CHANNEL: &str = "tenant_changed";

impl<T: Send + Sync + 'static> TenantCache<T> {
    pub fn new(pool: PgPool, keys: Arc<KeyRing>, ttl: Duration, build: BuildEntry<T>) -> Self {
        Self { pool, keys, ttl, build, entries: Arc::new(RwLock::new(HashMap::new())) }
    }

    /// The tenant, enabled or not (the caller decides), or `None` when it does not exist.
    pub async fn get(&self, id: &TenantId) -> Result<Option<Arc<T>>, TenantStoreError> {
        if let Some((loaded_at, entry)) = self.entries.read().expect("cache lock").get(id)
            && loaded_at.elapsed() < self.ttl
        {
            return Ok(entry.clone());
        }
        let entry = match store::get(&self.pool, id).await? {
            None => None,
            Some(record) => {
                let secrets = store::load_secrets(&self.pool, &self.keys, id).await?;
                Some(Arc::new((self.build)(record, secrets)))
            }
        };
        self.entries.write().expect("cache lock").insert(id.clone(), (Instant::now(), entry.clone()));
        Ok(entry)
    }

    pub fn invalidate(&self, id: &str) {
        self.entries.write().expect("cache lock").retain(|key, _| key.as_str() != id);
    }

    pub fn clear(&self) {
        self.entries.write().expect("cache lock").clear();
    }

    /// Listens for tenant changes until the process ends. On a lost connection everything is dropped
    /// (changes may have been missed) and the listener reconnects.
    pub fn spawn_invalidation(&self) -> tokio::task::JoinHandle<()> {
        let cache = self.clone();
        tokio::spawn(async move {
            loop {
                match PgListener::connect_with(&cache.pool).await {
                    Ok(mut listener) => {
                        if let Err(err) = listener.listen(CHANNEL).await {
                            tracing::warn!(error = %err, "cannot listen for tenant changes");
                        } else {
                            cache.clear();
                            loop {
                                match listener.recv().await {
                                    Ok(notification) => cache.invalidate(notification.payload()),
                                    Err(err) => {
                                        tracing::warn!(error = %err, "tenant change listener lost its connection");
                                        cache.clear();
                                        break;
                                    }
                                }
                            }
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "cannot connect the tenant change listener"),
                }
                tokio::time::sleep(Duration::from_secs(2)).await;
            }
        })
    }
}
