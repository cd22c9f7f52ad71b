//! Tenants with their decrypted secrets, cached per process for a short TTL. Ingest reads a tenant for
//! every webhook and the worker for every job; without the cache that is two statements (the row, then the
//! secrets) per request. A change made through the CLI is announced by the database
//! (`pg_notify('tenant_changed', id)`) and the listener drops that entry at once; the TTL only bounds
//! staleness if a notification is missed.
//!
//! Unknown ids arrive from unauthenticated traffic, so a miss must stay cheap and bounded:
//! - "no such tenant" is remembered briefly in a bounded map (`negative`), never for ever;
//! - concurrent misses for one id make one query (a per-id turn: the first loads, the others then read
//!   what it cached);
//! - optionally ([`CacheLimits::max_concurrent_loads`], set by ingest) at most that many loads run at once,
//!   and a miss beyond it fails at once with [`TenantStoreError::Busy`] instead of queueing for a database
//!   connection: a flood of unknown ids cannot take the pool from cached tenants, `/readyz` or the listener;
//! - a permanent error (a corrupt row, secrets sealed with a key no longer configured) is remembered for
//!   the positive TTL (or until the tenant changes) and logged once, as [`TenantStoreError::Unusable`].

mod negative;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::Semaphore;

use super::{TenantRecord, TenantSecrets, TenantStoreError, store};
use crate::crypto::KeyRing;
use crate::domain::TenantId;
use crate::error::Retryable as _;
use negative::NegativeCache;

/// Builds what a process keeps of a tenant (ingest: its verification keys; the worker: its credentials).
pub type BuildEntry<T> = fn(TenantRecord, TenantSecrets) -> T;

/// Loads one tenant from its store: `None` when it does not exist.
pub type Loader<T> = Arc<dyn Fn(TenantId) -> BoxFuture<'static, Result<Option<T>, TenantStoreError>> + Send + Sync>;

/// How much a cache keeps of misses and how many loads it runs at once.
#[derive(Debug, Clone, Copy)]
pub struct CacheLimits {
    /// How long "no such tenant" is remembered. Short: a tenant created meanwhile is found after this long
    /// at worst (its `tenant_changed` notification also drops the entry at once).
    pub negative_ttl: Duration,
    /// At most this many "no such tenant" entries; beyond it the oldest are dropped.
    pub negative_max_entries: usize,
    /// Loads running at once, at most; a miss beyond it fails with [`TenantStoreError::Busy`]. `None`: no
    /// cap (the worker, whose lookups come from jobs, not from the internet).
    pub max_concurrent_loads: Option<usize>,
}

impl Default for CacheLimits {
    fn default() -> Self {
        Self { negative_ttl: Duration::from_secs(10), negative_max_entries: 10_000, max_concurrent_loads: None }
    }
}

/// What the maps of one cache hold; shared by its clones and the listener.
struct Maps<T> {
    /// Existing tenants: when loaded, and the entry. Bounded by the number of tenants.
    found: RwLock<HashMap<TenantId, (Instant, Arc<T>)>>,
    missing: Mutex<NegativeCache>,
    /// Tenants whose row cannot be used: when found so, and why. Bounded by the number of tenants.
    unusable: Mutex<HashMap<TenantId, (Instant, String)>>,
    /// One turn per id being loaded (single flight).
    turns: Mutex<HashMap<TenantId, Arc<tokio::sync::Mutex<()>>>>,
    loads: Option<Arc<Semaphore>>,
}

pub struct TenantCache<T> {
    pool: PgPool,
    ttl: Duration,
    load: Loader<T>,
    maps: Arc<Maps<T>>,
}

impl<T> Clone for TenantCache<T> {
    fn clone(&self) -> Self {
        Self { pool: self.pool.clone(), ttl: self.ttl, load: Arc::clone(&self.load), maps: Arc::clone(&self.maps) }
    }
}

impl<T> std::fmt::Debug for TenantCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantCache").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

/// The channel the `tenant_configs` trigger notifies on.
const CHANNEL: &str = "tenant_changed";

/// What the maps answer for an id without loading it.
type Cached<T> = Option<Result<Option<Arc<T>>, TenantStoreError>>;

fn guard<M>(mutex: &Mutex<M>) -> std::sync::MutexGuard<'_, M> {
    mutex.lock().expect("cache lock is never poisoned: no panics while held")
}

impl<T: Send + Sync + 'static> TenantCache<T> {
    /// A cache over `tenant_configs`, with the default [`CacheLimits`].
    pub fn new(pool: PgPool, keys: Arc<KeyRing>, ttl: Duration, build: BuildEntry<T>) -> Self {
        let loader_pool = pool.clone();
        let load: Loader<T> = Arc::new(move |id: TenantId| {
            let (pool, keys) = (loader_pool.clone(), Arc::clone(&keys));
            Box::pin(async move {
                let Some(record) = store::get(&pool, &id).await? else { return Ok(None) };
                let secrets = store::load_secrets(&pool, &keys, &id).await?;
                Ok(Some(build(record, secrets)))
            })
        });
        Self::with_loader(pool, ttl, load, CacheLimits::default())
    }

    /// A cache over any loader (tests count and block loads with it); `pool` is listened on for changes.
    pub fn with_loader(pool: PgPool, ttl: Duration, load: Loader<T>, limits: CacheLimits) -> Self {
        let maps = Maps {
            found: RwLock::new(HashMap::new()),
            missing: Mutex::new(NegativeCache::new(limits.negative_ttl, limits.negative_max_entries)),
            unusable: Mutex::new(HashMap::new()),
            turns: Mutex::new(HashMap::new()),
            loads: limits.max_concurrent_loads.map(|n| Arc::new(Semaphore::new(n.max(1)))),
        };
        Self { pool, ttl, load, maps: Arc::new(maps) }
    }

    /// The same cache with other limits (call before the first lookup: the maps start empty).
    #[must_use]
    pub fn limited(self, limits: CacheLimits) -> Self {
        Self::with_loader(self.pool, self.ttl, self.load, limits)
    }

    /// The tenant, enabled or not (the caller decides), or `None` when it does not exist.
    pub async fn get(&self, id: &TenantId) -> Result<Option<Arc<T>>, TenantStoreError> {
        if let Some(answer) = self.cached(id) {
            return answer;
        }
        let turn = Turn::take(self, id);
        let _held = turn.lock.lock().await;
        // Whoever held the turn before has cached its answer.
        if let Some(answer) = self.cached(id) {
            return answer;
        }
        self.load(id).await
    }

    fn cached(&self, id: &TenantId) -> Cached<T> {
        let now = Instant::now();
        if let Some((loaded_at, entry)) = self.maps.found.read().expect("cache lock").get(id)
            && now.saturating_duration_since(*loaded_at) < self.ttl
        {
            return Some(Ok(Some(Arc::clone(entry))));
        }
        if guard(&self.maps.missing).contains(id, now) {
            return Some(Ok(None));
        }
        if let Some((at, reason)) = guard(&self.maps.unusable).get(id)
            && now.saturating_duration_since(*at) < self.ttl
        {
            return Some(Err(TenantStoreError::Unusable { tenant: id.to_string(), reason: reason.clone() }));
        }
        None
    }

    async fn load(&self, id: &TenantId) -> Result<Option<Arc<T>>, TenantStoreError> {
        let _permit = match &self.maps.loads {
            Some(loads) => Some(Arc::clone(loads).try_acquire_owned().map_err(|_| TenantStoreError::Busy)?),
            None => None,
        };
        let loaded = (self.load)(id.clone()).await;
        let now = Instant::now();
        match loaded {
            Ok(Some(entry)) => {
                let entry = Arc::new(entry);
                guard(&self.maps.unusable).remove(id);
                self.maps.found.write().expect("cache lock").insert(id.clone(), (now, Arc::clone(&entry)));
                Ok(Some(entry))
            }
            // The row vanished between the two statements: as missing as never created.
            Ok(None) | Err(TenantStoreError::NotFound(_)) => {
                self.maps.found.write().expect("cache lock").remove(id);
                guard(&self.maps.missing).insert(id.clone(), now);
                Ok(None)
            }
            Err(err) if !err.disposition().is_transient() => {
                let reason = err.to_string();
                // Once per load, not per request: the answer is cached for the TTL or until the tenant changes.
                tracing::error!(tenant = %id, error = %reason, "tenant cannot be used until its row is fixed");
                guard(&self.maps.unusable).insert(id.clone(), (now, reason.clone()));
                Err(TenantStoreError::Unusable { tenant: id.to_string(), reason })
            }
            Err(err) => Err(err),
        }
    }

    pub fn invalidate(&self, id: &str) {
        self.maps.found.write().expect("cache lock").retain(|key, _| key.as_str() != id);
        guard(&self.maps.missing).remove(id);
        guard(&self.maps.unusable).retain(|key, _| key.as_str() != id);
    }

    pub fn clear(&self) {
        self.maps.found.write().expect("cache lock").clear();
        guard(&self.maps.missing).clear();
        guard(&self.maps.unusable).clear();
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

/// One id's turn to load, shared by the requests that miss it at the same time. Dropped (also when a
/// request is cancelled), it leaves the map once nobody else holds it, so the map holds only ids being
/// loaded right now.
struct Turn<'a, T> {
    cache: &'a TenantCache<T>,
    id: TenantId,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl<'a, T> Turn<'a, T> {
    fn take(cache: &'a TenantCache<T>, id: &TenantId) -> Self {
        let lock = Arc::clone(guard(&cache.maps.turns).entry(id.clone()).or_default());
        Turn { cache, id: id.clone(), lock }
    }
}

impl<T> Drop for Turn<'_, T> {
    fn drop(&mut self) {
        let mut turns = guard(&self.cache.maps.turns);
        // Two references: the map's and ours. More means another request still waits for this turn.
        if turns.get(&self.id).is_some_and(|held| Arc::ptr_eq(held, &self.lock) && Arc::strong_count(held) == 2) {
            turns.remove(&self.id);
        }
    }
}

#[cfg(test)]
mod tests;
