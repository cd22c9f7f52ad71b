//! Admitting a verified webhook: the tenant's rate limit, then the dedup claim on its idempotency key, in
//! one Redis script call. They were two round trips; the benchmark showed Redis calls and the thread
//! wake-ups they cause as a large share of a webhook's cost (docs/BENCHMARKS.md). The confirm after the
//! publish stays a separate call, since it must follow the broker's confirm.
//!
//! Both keys live on one Redis server (the connection is not cluster-aware), so one script may touch both.
//! When Redis cannot answer, the rate limit falls back to the process-local limiter and dedup is skipped
//! (the worker's claim in PostgreSQL is the final guard).

use std::sync::Arc;
use std::time::Duration;

use enhancer_shared::tenant::RateLimit;
use redis::Script;
use uuid::Uuid;

use crate::dedup::{CLAIM_FN, Claim, Dedup};
use crate::rate_limit::{Decision, GCRA_FN, RateLimiter, gcra_params};
use crate::redis_link::{RedisLink, RedisUnavailable};

/// KEYS: the rate-limit key, the dedup key. ARGV: interval µs, tolerance µs, pending marker, pending TTL
/// ms. Answers `{0, wait µs}` over the limit (nothing claimed), `{1, value}` when the dedup key is taken,
/// `{2, ''}` when this delivery now owns it.
const ADMIT_BODY: &str = r"
local wait = gcra(KEYS[1], ARGV[1], ARGV[2])
if wait > 0 then return {0, tostring(wait)} end
local existing = claim(KEYS[2], ARGV[3], ARGV[4])
if existing then return {1, existing} end
return {2, ''}";

/// The outcome of admitting one webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub rate: Decision,
    /// `None` when the rate limit refused (no claim was tried).
    pub claim: Option<Claim>,
    /// Redis could not answer and the local limiter decided.
    pub fell_back: bool,
}

#[derive(Clone)]
pub struct Admission {
    redis: RedisLink,
    rate_limiter: RateLimiter,
    dedup: Dedup,
    script: Arc<Script>,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission").field("dedup", &self.dedup).field("rate_limiter", &self.rate_limiter).finish()
    }
}

impl Admission {
    pub fn new(redis: RedisLink, rate_limiter: RateLimiter, dedup: Dedup) -> Self {
        let script = Script::new(&format!("{GCRA_FN}{CLAIM_FN}{ADMIT_BODY}"));
        Self { redis, rate_limiter, dedup, script: Arc::new(script) }
    }

    pub fn dedup(&self) -> &Dedup {
        &self.dedup
    }

    /// Counts the request against `tenant`'s limit and, when allowed, claims `idempotency_key` for `job_id`.
    pub async fn admit(&self, tenant: &str, limit: RateLimit, idempotency_key: &str, job_id: Uuid) -> Admitted {
        let (interval, tolerance) = gcra_params(limit);
        let rate_key = self.rate_limiter.key(tenant);
        let dedup_key = self.dedup.key(tenant, idempotency_key);
        let pending = Dedup::pending_marker(job_id);
        let answer: Result<(i64, String), RedisUnavailable> = self
            .redis
            .run(|mut c| {
                let mut invocation = self.script.key(&rate_key);
                invocation
                    .key(&dedup_key)
                    .arg(u64::try_from(interval.as_micros()).unwrap_or(u64::MAX))
                    .arg(u64::try_from(tolerance.as_micros()).unwrap_or(u64::MAX))
                    .arg(&pending)
                    .arg(self.dedup.pending_ttl_ms());
                async move { invocation.invoke_async(&mut c).await }
            })
            .await;
        match answer {
            Ok((0, wait_us)) => {
                let retry_after = Duration::from_micros(wait_us.parse().unwrap_or(1_000_000));
                Admitted { rate: Decision::Deny { retry_after }, claim: None, fell_back: false }
            }
            Ok((1, existing)) => {
                let claim = self.dedup.settle(&dedup_key, &pending, existing).await;
                Admitted { rate: Decision::Allow, claim: Some(claim), fell_back: false }
            }
            Ok(_) => Admitted { rate: Decision::Allow, claim: Some(Claim::Owned), fell_back: false },
            Err(_) => {
                let rate = self.rate_limiter.check_local(tenant, interval, tolerance, std::time::Instant::now());
                let claim = matches!(rate, Decision::Allow).then_some(Claim::Unavailable);
                Admitted { rate, claim, fell_back: true }
            }
        }
    }
}
