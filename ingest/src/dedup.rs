//! Deduplication of webhook deliveries on their idempotency key, shared by all ingest replicas through
//! Redis. PostgreSQL stays the source of truth: when Redis is unavailable ingest accepts the delivery and the
//! worker's unique claim on (tenant, idempotency key) makes sure it is processed once.
//!
//! A key goes through two states so that nothing is lost when a publish fails:
//! `pending:<job id>` while its first delivery is being published, then `done:<job id>` once the broker
//! confirmed (written in the background, in batches: `crate::dedup_confirm`). A concurrent delivery that finds `pending` waits for the outcome: `done` answers
//! `duplicate`; a released key (the publish failed) lets it try to publish itself. A failed accept therefore
//! never makes a later delivery look like a duplicate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use prometheus::IntCounter;
use redis::Script;
use sha2::Digest as _;
use uuid::Uuid;

use crate::dedup_confirm::ConfirmQueue;
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
    confirms: ConfirmQueue,
}

impl std::fmt::Debug for Dedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dedup").field("prefix", &self.prefix).field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

/// Scripts are hashed once; Redis runs them by hash (EVALSHA) after the first call.
struct Scripts {
    claim: Script,
    release: Script,
}

/// Sets the pending marker unless the key exists, and returns the existing value if it does (`false`
/// when the key was free). A script rather than `SET NX GET`, which needs Redis 7. As a Lua function so the
/// admission script (`crate::admission`) runs it after the rate limit in the same call.
pub(crate) const CLAIM_FN: &str = r"
local function claim(key, marker, ttl_ms)
  local existing = redis.call('GET', key)
  if existing then return existing end
  redis.call('SET', key, marker, 'PX', ttl_ms)
  return false
end
";

/// Deletes the key only if it still holds our pending marker (never someone else's claim).
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

impl Dedup {
    /// `lost_confirms` counts confirms that could not be written (see [`crate::dedup_confirm`]).
    pub fn new(redis: RedisLink, queue_prefix: &str, ttl: Duration, wait: Duration, lost_confirms: IntCounter) -> Self {
        let claim = Script::new(&format!("{CLAIM_FN} return claim(KEYS[1], ARGV[1], ARGV[2])"));
        let scripts = Scripts { claim, release: Script::new(RELEASE) };
        let confirms = ConfirmQueue::spawn(redis.clone(), ttl, lost_confirms);
        Self { redis, prefix: format!("{queue_prefix}:dedup"), ttl, wait, scripts: Arc::new(scripts), confirms }
    }

    pub(crate) fn key(&self, tenant: &str, idempotency_key: &str) -> String {
        // Hash the tool's key: it is attacker-influenced text of any length.
        let digest = sha2::Sha256::digest(idempotency_key.as_bytes());
        format!("{}:{tenant}:{}", self.prefix, hex::encode(digest))
    }

    /// The value a key holds while `job_id` is being published.
    pub(crate) fn pending_marker(job_id: Uuid) -> String {
        format!("pending:{job_id}")
    }

    /// A pending claim expires on its own if this process dies mid-publish.
    pub(crate) fn pending_ttl_ms(&self) -> u64 {
        u64::try_from(self.wait.as_millis().saturating_mul(2)).unwrap_or(u64::MAX).max(1000)
    }

    /// The key was taken (`existing` is its value): a `done` key is a duplicate; a `pending` one belongs to
    /// a delivery being published right now, whose outcome is awaited (polling) until the wait runs out.
    pub(crate) async fn settle(&self, key: &str, pending: &str, mut existing: String) -> Claim {
        let deadline = Instant::now() + self.wait;
        loop {
            if let Some(first) = existing.strip_prefix("done:").and_then(|id| Uuid::parse_str(id).ok()) {
                return Claim::Duplicate(first);
            }
            if Instant::now() >= deadline {
                return Claim::InFlight;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            existing = match self.try_claim(key, pending).await {
                Err(_) => return Claim::Unavailable,
                Ok(None) => return Claim::Owned,
                Ok(Some(existing)) => existing,
            };
        }
    }

    /// One claim call: `None` when the key was free and now holds `pending`, else the key's value.
    async fn try_claim(&self, key: &str, pending: &str) -> Result<Option<String>, RedisUnavailable> {
        let ttl = self.pending_ttl_ms();
        self.redis
            .run(|mut c| async move {
                let mut invocation = self.scripts.claim.key(key);
                invocation.arg(pending).arg(ttl);
                invocation.invoke_async(&mut c).await
            })
            .await
    }

    /// The publish was confirmed: later deliveries are duplicates of `job_id` for the dedup TTL. Queued and
    /// written in the background, in batches; the caller does not wait for Redis.
    pub fn confirm(&self, tenant: &str, idempotency_key: &str, job_id: Uuid) {
        self.confirms.push(self.key(tenant, idempotency_key), job_id);
    }

    /// The publish failed: free the key so the tool's retry is accepted.
    pub async fn release(&self, tenant: &str, idempotency_key: &str, job_id: Uuid) -> Result<(), RedisUnavailable> {
        let key = self.key(tenant, idempotency_key);
        self.redis
            .run(|mut c| async move {
                let mut invocation = self.scripts.release.key(&key);
                invocation.arg(Self::pending_marker(job_id));
                invocation.invoke_async::<i64>(&mut c).await.map(|_| ())
            })
            .await
    }
}
