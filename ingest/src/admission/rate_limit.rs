//! Per-tenant rate limits (requests per second with a burst, from the tenant's settings), shared by all
//! ingest replicas through Redis with the GCRA algorithm, and enforced per process when Redis is away.
//!
//! GCRA keeps one timestamp per tenant (the "theoretical arrival time"), so a limit costs one key per tenant
//! and no extra round trip: the check runs inside the admission script (`super::scripts`), and bursts are
//! allowed up to the configured size. This file holds the limit's parameters, its key, and the same
//! algorithm in process memory for when Redis cannot answer.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use enhancer_shared::tenant::RateLimit;

/// Whether a request may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decision {
    Allow,
    /// Over the limit; the next request fits after this long.
    Deny {
        retry_after: Duration,
    },
}

pub(super) struct RateLimiter {
    prefix: String,
    /// tenant -> theoretical arrival time, for when Redis is unavailable.
    local: Mutex<HashMap<String, Instant>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter").field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

/// GCRA's emission interval and burst tolerance for a limit.
pub(super) fn gcra_params(limit: RateLimit) -> (Duration, Duration) {
    let interval = Duration::from_secs(1) / limit.per_second.max(1);
    // A burst of N means N requests may arrive at once: N - 1 intervals of tolerance beyond the first.
    let tolerance = interval * limit.burst.max(1).saturating_sub(1);
    (interval, tolerance)
}

impl RateLimiter {
    pub(super) fn new(queue_prefix: &str) -> Self {
        Self { prefix: format!("{queue_prefix}:ratelimit"), local: Mutex::new(HashMap::new()) }
    }

    /// The tenant's GCRA key in Redis.
    pub(super) fn key(&self, tenant: &str) -> String {
        format!("{}:{tenant}", self.prefix)
    }

    /// The same algorithm in process memory. Each replica then enforces the full limit on its own, so the
    /// effective limit is multiplied by the replica count while Redis is away: generous, never stricter.
    pub(super) fn check_local(&self, tenant: &str, interval: Duration, tolerance: Duration, now: Instant) -> Decision {
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
        let limiter = RateLimiter::new("t");
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
