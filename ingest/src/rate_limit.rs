//! Per-tenant rate limits (requests per second with a burst, from the tenant's settings), shared by all
//! ingest replicas through Redis with the GCRA algorithm, and enforced per process when Redis is away.
//!
//! GCRA keeps one timestamp per tenant (the "theoretical arrival time"), so a limit costs one key and one
//! script call per request, and bursts are allowed up to the configured size.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::Script;

use enhancer_shared::tenant::RateLimit;

use crate::redis_link::RedisLink;

/// Whether a request may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Over the limit; the next request fits after this long.
    Deny {
        retry_after: Duration,
    },
}

/// ARGV: emission interval (µs per request), burst tolerance (µs). A request is allowed when the
/// theoretical arrival time is no more than the tolerance ahead of now. Redis's own clock is used so that
/// replicas with skewed clocks share one timeline. Returns the wait in µs (0 = allowed).
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then return allow_at - now end
local new_tat = tat + interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return 0";

#[derive(Clone)]
pub struct RateLimiter {
    redis: RedisLink,
    prefix: String,
    script: Arc<Script>,
    /// tenant -> theoretical arrival time, for when Redis is unavailable.
    local: Arc<Mutex<HashMap<String, Instant>>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

fn gcra_params(limit: RateLimit) -> (Duration, Duration) {
    let interval = Duration::from_secs(1) / limit.per_second.max(1);
    // A burst of N means N requests may arrive at once: N - 1 intervals of tolerance beyond the first.
    let tolerance = interval * limit.burst.max(1).saturating_sub(1);
    (interval, tolerance)
}

impl RateLimiter {
    pub fn new(redis: RedisLink, queue_prefix: &str) -> Self {
        Self {
            redis,
            prefix: format!("{queue_prefix}:ratelimit"),
            script: Arc::new(Script::new(GCRA)),
            local: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Checks one request of `tenant`. `Err` from Redis falls back to the local limiter and returns whether
    /// the fallback was used.
    pub async fn check(&self, tenant: &str, limit: RateLimit) -> (Decision, bool) {
        let (interval, tolerance) = gcra_params(limit);
        let key = format!("{}:{tenant}", self.prefix);
        let shared = self
            .redis
            .run(|mut c| {
                let script = Arc::clone(&self.script);
                async move {
                    let mut invocation = script.key(&key);
                    invocation
                        .arg(u64::try_from(interval.as_micros()).unwrap_or(u64::MAX))
                        .arg(u64::try_from(tolerance.as_micros()).unwrap_or(u64::MAX));
                    invocation.invoke_async::<u64>(&mut c).await
                }
            })
            .await;
        match shared {
            Ok(0) => (Decision::Allow, false),
            Ok(wait_us) => (Decision::Deny { retry_after: Duration::from_micros(wait_us) }, false),
            Err(_) => (self.check_local(tenant, interval, tolerance, Instant::now()), true),
        }
    }

    /// The same algorithm in process memory. Each replica then enforces the full limit on its own, so the
    /// effective limit is multiplied by the replica count while Redis is away: generous, never stricter.
    fn check_local(&self, tenant: &str, interval: Duration, tolerance: Duration, now: Instant) -> Decision {
        let mut local = self.local.lock().expect("rate limiter lock is never poisoned: no panics while held");
        let tat = local.get(tenant).copied().unwrap_or(now).max(now);
        let allow_at = tat.checked_sub(tolerance).unwrap_or(now);
        if now < allow_at {
            return Decision::Deny { retry_after: allow_at - now };
        }
        local.insert(tenant.to_owned(), tat + interval);
        Decision::Allow
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_limiter_allows_the_burst_then_spaces_requests() {
        let limiter = RateLimiter::new(RedisLink::disconnected(), "t");
        let (interval, tolerance) = gcra_params(RateLimit { per_second: 10, burst: 3 });
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_local("a", interval, tolerance, start), Decision::Allow);
        }
        let Decision::Deny { retry_after } = limiter.check_local("a", interval, tolerance, start) else {
            panic!("the fourth request at once is over the burst");
        };
        assert!(retry_after <= interval, "{retry_after:?}");
        assert_eq!(limiter.check_local("a", interval, tolerance, start + interval), Decision::Allow);
        // Tenants are independent.
        assert_eq!(limiter.check_local("b", interval, tolerance, start), Decision::Allow);
    }
}
