//! Deduplication of webhook deliveries on their idempotency key, shared by all ingest replicas through
//! Redis. PostgreSQL stays the source of truth: when Redis is unavailable ingest accepts the delivery and the
//! worker's unique claim on (tenant, idempotency key) makes sure it is processed once.
//!
//! A key goes through two states so that nothing is lost when a publish fails:
//! `pending:<job id>` while its first delivery is being published, then `done:<job id>` once the broker
//! confirmed. A concurrent delivery that finds `pending` waits for the outcome: `done` answers
//! `duplicate`; a released key (the publish failed) lets it try to publish itself. A failed accept therefore
//! never makes a later delivery look like a duplicate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use redis::Script;
use sha2::Digest as _;
use uuid::Uuid;

use crate::redis_link::{RedisLink, RedisUnavailable};

/// The outcome of trying to claim an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This delivery owns the key: publish, then [`Dedup::confirm`] or [`Dedup::release`].
    Owned,
    /// An earlier delivery was accepted as this job.
    Duplicate(Uuid),
    /// Another delivery is still being published and did not finish in time; the tool should retry.
    InFlight,
    /// Redis could not answer: proceed without dedup (the worker's claim is the final guard).
    Unavailable,
}

#[derive(Clone)]
pub struct Dedup {
    redis: RedisLink,
    prefix: String,
    ttl: Duration,
    /// How long a concurrent delivery waits for the first one's publish (a bit above a publish timeout).
    wait: Duration,
    scripts: Arc<Scripts>,
}

impl std::fmt::Debug for Dedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dedup").field("prefix", &self.prefix).field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

/// Scripts are hashed once; Redis runs them by hash (EVALSHA) after the first call.
struct Scripts {
    claim: Script,
    confirm: Script,
    release: Script,
}

/// Sets the pending marker unless the key exists, and returns the existing value if it does. A script
/// rather than `SET NX GET`, which needs Redis 7.
const CLAIM: &str = r"
local existing = redis.call('GET', KEYS[1])
if existing then return existing end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false";

/// Deletes the key only if it still holds our pending marker (never someone else's claim).
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// Moves our pending marker to done, keeping the key for the full dedup TTL.
const CONFIRM: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
return 0";

impl Dedup {
    pub fn new(redis: RedisLink, queue_prefix: &str, ttl: Duration, wait: Duration) -> Self {
        let scripts =
            Scripts { claim: Script::new(CLAIM), confirm: Script::new(CONFIRM), release: Script::new(RELEASE) };
        Self { redis, prefix: format!("{queue_prefix}:dedup"), ttl, wait, scripts: Arc::new(scripts) }
    }

    fn key(&self, tenant: &str, idempotency_key: &str) -> String {
        // Hash the tool's key: it is attacker-influenced text of any length.
        let digest = sha2::Sha256::digest(idempotency_key.as_bytes());
        format!("{}:{tenant}:{}", self.prefix, hex::encode(digest))
    }

    /// Claims `idempotency_key` for `job_id`.
    pub async fn claim(&self, tenant: &str, idempotency_key: &str, job_id: Uuid) -> Claim {
        let key = self.key(tenant, idempotency_key);
        let pending = format!("pending:{job_id}");
        // A pending claim expires on its own if this process dies mid-publish.
        let pending_ttl = u64::try_from(self.wait.as_millis().saturating_mul(2)).unwrap_or(u64::MAX).max(1000);
        let deadline = Instant::now() + self.wait;
        loop {
            let set: Result<Option<String>, RedisUnavailable> = self
                .redis
                .run(|mut c| {
                    let (scripts, key, pending) = (Arc::clone(&self.scripts), key.clone(), pending.clone());
                    async move {
                        let mut invocation = scripts.claim.key(&key);
                        invocation.arg(&pending).arg(pending_ttl);
                        invocation.invoke_async(&mut c).await
                    }
                })
                .await;
            let existing = match set {
                Err(_) => return Claim::Unavailable,
                // nil: the key was free and now holds our pending marker.
                Ok(None) => return Claim::Owned,
                Ok(Some(existing)) => existing,
            };
            if let Some(first) = existing.strip_prefix("done:").and_then(|id| Uuid::parse_str(id).ok()) {
                return Claim::Duplicate(first);
            }
            if Instant::now() >= deadline {
                return Claim::InFlight;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The publish was confirmed: later deliveries are duplicates of `job_id` for the dedup TTL.
    pub async fn confirm(&self, tenant: &str, idempotency_key: &str, job_id: Uuid) -> Result<(), RedisUnavailable> {
        let key = self.key(tenant, idempotency_key);
        let ttl = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX);
        self.redis
            .run(|mut c| async move {
                let mut invocation = self.scripts.confirm.key(&key);
                invocation.arg(format!("pending:{job_id}")).arg(format!("done:{job_id}")).arg(ttl);
                invocation.invoke_async::<i64>(&mut c).await.map(|_| ())
            })
            .await
    }

    /// The publish failed: free the key so the tool's retry is accepted.
    pub async fn release(&self, tenant: &str, idempotency_key: &str, job_id: Uuid) -> Result<(), RedisUnavailable> {
        let key = self.key(tenant, idempotency_key);
        self.redis
            .run(|mut c| async move {
                let mut invocation = self.scripts.release.key(&key);
                invocation.arg(format!("pending:{job_id}"));
                invocation.invoke_async::<i64>(&mut c).await.map(|_| ())
            })
            .await
    }
}
