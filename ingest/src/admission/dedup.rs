//! The dedup markers on webhook deliveries' idempotency keys, shared by all ingest replicas through Redis.
//! PostgreSQL stays the source of truth: when Redis is unavailable ingest accepts the delivery and the
//! worker's unique claim on (tenant, idempotency key) makes sure it is processed once.
//!
//! A key goes through two states so that nothing is lost when a publish fails:
//! `pending:<job id>` while its first delivery is being published, then `done:<job id>` once the broker
//! confirmed (written in the background, in batches: `super::confirm_batch`). A concurrent delivery that
//! finds `pending` waits for the outcome: `done` answers `duplicate`; a released key (the publish failed)
//! lets it try to publish itself. A failed accept therefore never makes a later delivery look like a
//! duplicate.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::Digest as _;
use uuid::Uuid;

use super::redis_link::{RedisLink, RedisUnavailable};
use super::scripts::Scripts;

/// The outcome of trying to claim an idempotency key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ClaimOutcome {
    /// This delivery owns the key: publish, then confirm or release.
    Owned,
    /// An earlier delivery was accepted as this job.
    Duplicate(Uuid),
    /// Another delivery is still being published and did not finish in time; the tool should retry.
    InFlight,
    /// Redis could not answer: proceed without dedup (the worker's claim is the final guard).
    Unavailable,
}

pub(super) struct Dedup {
    redis: RedisLink,
    prefix: String,
    /// How long a concurrent delivery waits for the first one's publish (a bit above a publish timeout).
    wait: Duration,
    scripts: Arc<Scripts>,
}

impl std::fmt::Debug for Dedup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dedup").field("prefix", &self.prefix).field("wait", &self.wait).finish_non_exhaustive()
    }
}

/// The value a key holds while `job_id` is being published.
pub(super) fn pending_marker(job_id: Uuid) -> String {
    format!("pending:{job_id}")
}

/// The value a key holds once `job_id` was confirmed by the broker.
pub(super) fn done_marker(job_id: Uuid) -> String {
    format!("done:{job_id}")
}

impl Dedup {
    pub(super) fn new(redis: RedisLink, queue_prefix: &str, wait: Duration, scripts: Arc<Scripts>) -> Self {
        Self { redis, prefix: format!("{queue_prefix}:dedup"), wait, scripts }
    }

    pub(super) fn key(&self, tenant: &str, idempotency_key: &str) -> String {
        // Hash the tool's key: it is attacker-influenced text of any length.
        let digest = sha2::Sha256::digest(idempotency_key.as_bytes());
        format!("{}:{tenant}:{}", self.prefix, hex::encode(digest))
    }

    /// A pending claim expires on its own if this process dies mid-publish.
    pub(super) fn pending_ttl_ms(&self) -> u64 {
        u64::try_from(self.wait.as_millis().saturating_mul(2)).unwrap_or(u64::MAX).max(1000)
    }

    /// The key was taken (`existing` is its value): a `done` key is a duplicate; a `pending` one belongs to
    /// a delivery being published right now, whose outcome is awaited (polling) until the wait runs out.
    pub(super) async fn settle(&self, key: &str, pending: &str, mut existing: String) -> ClaimOutcome {
        let deadline = Instant::now() + self.wait;
        loop {
            if let Some(first) = existing.strip_prefix("done:").and_then(|id| Uuid::parse_str(id).ok()) {
                return ClaimOutcome::Duplicate(first);
            }
            if Instant::now() >= deadline {
                return ClaimOutcome::InFlight;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            existing = match self.try_claim(key, pending).await {
                Err(_) => return ClaimOutcome::Unavailable,
                Ok(None) => return ClaimOutcome::Owned,
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

    /// The publish failed: free `key` (if it still holds `job_id`'s pending marker) so the tool's retry is
    /// accepted.
    pub(super) async fn release(&self, key: &str, job_id: Uuid) -> Result<(), RedisUnavailable> {
        self.redis
            .run(|mut c| async move {
                let mut invocation = self.scripts.release.key(key);
                invocation.arg(pending_marker(job_id));
                invocation.invoke_async::<i64>(&mut c).await.map(|_| ())
            })
            .await
    }
}
