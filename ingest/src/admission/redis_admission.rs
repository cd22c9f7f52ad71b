//! [`RedisAdmission`]: the dedup check on the delivery's idempotency key, the tenant's rate limit, then the
//! claim, in one Redis script call. A duplicate is answered before the rate limit and spends no budget. They were two round trips; the benchmark showed Redis calls and the thread wake-ups they
//! cause as a large share of a webhook's cost (docs/BENCHMARKS.md). The confirm after the publish stays a
//! separate call, since it must follow the broker's confirm, and goes out in batches.
//!
//! When Redis cannot answer, the rate limit falls back to the process-local limiter and dedup is skipped
//! (the worker's claim in PostgreSQL is the final guard); each fallback is counted in
//! `enhancer_ingest_redis_fallbacks_total` by operation (`rate_limit`, `dedup`, `dedup_confirm`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use enhancer_shared::tenant::RateLimit;
use futures_util::future::BoxFuture;
use prometheus::IntCounterVec;
use uuid::Uuid;

use super::confirm_batch::ConfirmQueue;
use super::dedup::{ClaimOutcome, Dedup, pending_marker};
use super::rate_limit::{Decision, RateLimiter, gcra_params};
use super::redis_link::{RedisLink, RedisUnavailable};
use super::scripts::Scripts;
use super::{Admission, Claim, Verdict};

/// Where admission keeps its keys and how long it holds them.
#[derive(Debug, Clone)]
pub struct AdmissionSettings {
    /// The deployment's queue prefix; keys are `{prefix}:ratelimit:*` and `{prefix}:dedup:*`.
    pub queue_prefix: String,
    /// How long a confirmed delivery's key answers `duplicate`.
    pub dedup_ttl: Duration,
    /// How long a second delivery waits for the first one's publish (a bit above the publish timeout).
    pub in_flight_wait: Duration,
}

pub struct RedisAdmission {
    redis: RedisLink,
    scripts: Arc<Scripts>,
    rate_limiter: RateLimiter,
    dedup: Dedup,
    confirms: ConfirmQueue,
    /// `enhancer_ingest_redis_fallbacks_total`, by operation.
    fallbacks: IntCounterVec,
}

impl std::fmt::Debug for RedisAdmission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisAdmission")
            .field("redis", &self.redis)
            .field("dedup", &self.dedup)
            .field("rate_limiter", &self.rate_limiter)
            .finish_non_exhaustive()
    }
}

impl RedisAdmission {
    /// Starts the confirm writer in the background; `fallbacks` is the metric its Redis failures count in.
    pub fn new(redis: RedisLink, settings: &AdmissionSettings, fallbacks: IntCounterVec) -> Self {
        let scripts = Arc::new(Scripts::new());
        let lost_confirms = fallbacks.with_label_values(&["dedup_confirm"]);
        Self {
            confirms: ConfirmQueue::spawn(redis.clone(), Arc::clone(&scripts), settings.dedup_ttl, lost_confirms),
            dedup: Dedup::new(redis.clone(), &settings.queue_prefix, settings.in_flight_wait, Arc::clone(&scripts)),
            rate_limiter: RateLimiter::new(&settings.queue_prefix),
            scripts,
            redis,
            fallbacks,
        }
    }

    /// Counts the request against `tenant`'s limit and, when allowed, claims `idempotency_key` for `job_id`.
    async fn admit_once(&self, tenant: &str, limit: RateLimit, idempotency_key: &str, job_id: Uuid) -> Verdict {
        let (interval, tolerance) = gcra_params(limit);
        let rate_key = self.rate_limiter.key(tenant);
        let dedup_key = self.dedup.key(tenant, idempotency_key);
        let pending = pending_marker(job_id);
        let answer: Result<(i64, String), RedisUnavailable> = self
            .redis
            .run(|mut c| {
                let mut invocation = self.scripts.admit.key(&rate_key);
                invocation
                    .key(&dedup_key)
                    .arg(u64::try_from(interval.as_micros()).unwrap_or(u64::MAX))
                    .arg(u64::try_from(tolerance.as_micros()).unwrap_or(u64::MAX))
                    .arg(&pending)
                    .arg(self.dedup.pending_ttl_ms());
                async move { invocation.invoke_async(&mut c).await }
            })
            .await;
        let claim = match answer {
            Ok((0, wait_us)) => {
                return Verdict::RateLimited {
                    retry_after: Duration::from_micros(wait_us.parse().unwrap_or(1_000_000)),
                };
            }
            Ok((1, existing)) => self.dedup.settle(&dedup_key, &pending, existing).await,
            Ok(_) => ClaimOutcome::Owned,
            Err(_) => {
                self.fallbacks.with_label_values(&["rate_limit"]).inc();
                match self.rate_limiter.check_local(tenant, interval, tolerance, Instant::now()) {
                    Decision::Deny { retry_after } => return Verdict::RateLimited { retry_after },
                    Decision::Allow => ClaimOutcome::Unavailable,
                }
            }
        };
        match claim {
            ClaimOutcome::Owned => Verdict::Admitted(Claim::new(dedup_key, job_id)),
            ClaimOutcome::Duplicate(first) => Verdict::Duplicate(first),
            ClaimOutcome::InFlight => Verdict::InFlight,
            ClaimOutcome::Unavailable => {
                self.fallbacks.with_label_values(&["dedup"]).inc();
                // Confirmed or released like any claim: harmless, since the scripts touch a key only while it
                // holds this job's pending marker.
                Verdict::Admitted(Claim::new(dedup_key, job_id))
            }
        }
    }
}

impl Admission for RedisAdmission {
    fn admit<'a>(
        &'a self,
        tenant: &'a str,
        limit: RateLimit,
        idempotency_key: &'a str,
        job_id: Uuid,
    ) -> BoxFuture<'a, Verdict> {
        Box::pin(self.admit_once(tenant, limit, idempotency_key, job_id))
    }

    fn confirmed(&self, claim: Claim) {
        let (key, job_id) = claim.into_parts();
        self.confirms.push(key, job_id);
    }

    fn failed(&self, claim: Claim) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            if let Err(err) = self.dedup.release(claim.key(), claim.job_id()).await {
                tracing::warn!(dedup_key = claim.key(), error = %err, "dedup release failed; the claim expires by itself");
            }
        })
    }

    fn store_connected(&self) -> bool {
        self.redis.is_connected()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metrics;

    /// Without Redis every delivery is admitted (dedup is left to the worker) within the local limit, and
    /// each fallback is counted by operation.
    #[tokio::test]
    async fn without_redis_the_local_limit_decides_and_dedup_is_skipped() {
        let metrics = Metrics::new();
        let settings = AdmissionSettings {
            queue_prefix: "t".into(),
            dedup_ttl: Duration::from_secs(60),
            in_flight_wait: Duration::from_millis(100),
        };
        let admission = RedisAdmission::new(RedisLink::disconnected(), &settings, metrics.redis_fallbacks.clone());
        let limit = RateLimit { per_second: 1, burst: 2 };
        let first = Uuid::now_v7();
        let Verdict::Admitted(claim) = admission.admit("acme", limit, "msg_1", first).await else {
            panic!("the first delivery is admitted");
        };
        assert_eq!(claim.job_id(), first);
        assert!(claim.key().starts_with("t:dedup:acme:"), "{}", claim.key());
        // The same delivery again is not recognised (no dedup store), and the burst of two is then spent.
        assert!(matches!(admission.admit("acme", limit, "msg_1", Uuid::now_v7()).await, Verdict::Admitted(_)));
        let Verdict::RateLimited { retry_after } = admission.admit("acme", limit, "msg_2", Uuid::now_v7()).await else {
            panic!("the third delivery at once is over the burst");
        };
        assert!(retry_after <= Duration::from_secs(1), "{retry_after:?}");
        admission.failed(claim).await;
        let rendered = metrics.render();
        assert!(rendered.contains(r#"enhancer_ingest_redis_fallbacks_total{operation="rate_limit"} 3"#), "{rendered}");
        assert!(rendered.contains(r#"enhancer_ingest_redis_fallbacks_total{operation="dedup"} 2"#), "{rendered}");
        assert!(!admission.store_connected());
    }
}
