//! Throttling failed signature checks per tenant. A tenant id is public (it is in the URL), so anyone can
//! send it requests that fail verification; each costs an HMAC and a warning line. After `burst` failures
//! within a window, further *failing* requests for that tenant are answered 429 with `Retry-After` (the end
//! of the window) instead of 401, and the warning is logged at most once per tenant per window with the
//! count of lines suppressed. Requests that verify are never refused here: verification runs first, so the
//! tool's real deliveries go through while someone else's garbage is throttled.
//!
//! Per replica, in process memory: each replica allows `burst` failures per window. Entries exist only for
//! tenants that exist (verification happens after the tenant lookup), so the map is bounded by the number
//! of tenants.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use enhancer_shared::domain::TenantId;

/// What to do with one failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Over the burst: answer 429 with this `Retry-After`; otherwise 401.
    pub throttled: Option<Duration>,
    /// Log the warning now, saying this many earlier lines were suppressed; `None`: stay quiet.
    pub log: Option<u64>,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    failures: u32,
    logged_at: Option<Instant>,
    suppressed: u64,
}

#[derive(Debug)]
pub struct VerifyThrottle {
    burst: u32,
    window: Duration,
    tenants: Mutex<HashMap<TenantId, Window>>,
}

impl VerifyThrottle {
    pub fn new(burst: u32, window: Duration) -> Self {
        Self { burst: burst.max(1), window: window.max(Duration::from_secs(1)), tenants: Mutex::new(HashMap::new()) }
    }

    /// Counts one failed verification for `tenant` at `now`.
    pub fn failed(&self, tenant: &TenantId, now: Instant) -> Failure {
        let mut tenants = self.tenants.lock().expect("throttle lock is never poisoned: no panics while held");
        let window = tenants.entry(tenant.clone()).or_insert(Window {
            started: now,
            failures: 0,
            logged_at: None,
            suppressed: 0,
        });
        let elapsed = now.saturating_duration_since(window.started);
        if elapsed >= self.window {
            window.started = now;
            window.failures = 0;
        }
        window.failures = window.failures.saturating_add(1);
        let throttled = (window.failures > self.burst)
            .then(|| self.window.saturating_sub(now.saturating_duration_since(window.started)));
        let log = match window.logged_at {
            Some(at) if now.saturating_duration_since(at) < self.window => {
                window.suppressed += 1;
                None
            }
            _ => {
                window.logged_at = Some(now);
                Some(std::mem::take(&mut window.suppressed))
            }
        };
        Failure { throttled, log }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_beyond_the_burst_are_throttled_until_the_window_ends_and_logged_once_per_window() {
        let throttle = VerifyThrottle::new(3, Duration::from_secs(60));
        let acme = TenantId::parse("acme").expect("id");
        let other = TenantId::parse("other").expect("id");
        let start = Instant::now();
        let first = throttle.failed(&acme, start);
        assert_eq!(first, Failure { throttled: None, log: Some(0) });
        for _ in 0..2 {
            assert_eq!(throttle.failed(&acme, start), Failure { throttled: None, log: None });
        }
        let fourth = throttle.failed(&acme, start + Duration::from_secs(10));
        assert_eq!(fourth.throttled, Some(Duration::from_secs(50)));
        assert_eq!(fourth.log, None);
        // Another tenant has its own budget.
        assert_eq!(throttle.failed(&other, start).throttled, None);
        // A new window: the budget is back, and the next line says how many were suppressed.
        let later = throttle.failed(&acme, start + Duration::from_secs(61));
        assert_eq!(later, Failure { throttled: None, log: Some(3) });
    }
}
