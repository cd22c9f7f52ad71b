//! The fixed delay tiers a transiently failed job waits in before it returns to the jobs queue, and the
//! choice of a tier from the attempt number and the server's Retry-After.
//!
//! Tiers are fixed queues with a per-queue TTL (not per-message TTL): a queue-wide TTL expires messages in
//! order at the head, whereas a per-message TTL behind a longer one would wait for it.

use std::time::Duration;

/// One delay tier: `{prefix}.retry.{suffix}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RetryTier {
    S5,
    S30,
    M2,
    M10,
    M30,
}

impl RetryTier {
    /// Shortest first.
    pub const ALL: [RetryTier; 5] = [RetryTier::S5, RetryTier::S30, RetryTier::M2, RetryTier::M10, RetryTier::M30];

    /// How long a message waits in this tier before it is dead-lettered back to the jobs queue.
    pub const fn delay(self) -> Duration {
        match self {
            RetryTier::S5 => Duration::from_secs(5),
            RetryTier::S30 => Duration::from_secs(30),
            RetryTier::M2 => Duration::from_secs(2 * 60),
            RetryTier::M10 => Duration::from_secs(10 * 60),
            RetryTier::M30 => Duration::from_secs(30 * 60),
        }
    }

    /// The queue-name suffix: `5s`, `30s`, `2m`, `10m`, `30m`.
    pub const fn suffix(self) -> &'static str {
        match self {
            RetryTier::S5 => "5s",
            RetryTier::S30 => "30s",
            RetryTier::M2 => "2m",
            RetryTier::M10 => "10m",
            RetryTier::M30 => "30m",
        }
    }

    /// The tier after a failed attempt: attempt 1 (the first run) failed -> 5s, 2 -> 30s, 3 -> 2m, 4 -> 10m,
    /// 5 and later -> 30m. Attempt 0 is treated as 1.
    pub fn for_attempt(failed_attempt: u32) -> RetryTier {
        let index = usize::try_from(failed_attempt.saturating_sub(1)).unwrap_or(usize::MAX);
        Self::ALL[index.min(Self::ALL.len() - 1)]
    }

    /// The shortest tier that waits at least `wait`, or the longest tier (30m) when `wait` is longer still:
    /// a server asking for more than 30 minutes gets 30 minutes and, if still unhappy, another Retry-After.
    pub fn at_least(wait: Duration) -> RetryTier {
        Self::ALL.into_iter().find(|tier| tier.delay() >= wait).unwrap_or(RetryTier::M30)
    }

    /// The tier for a failed attempt, never shorter than the server's Retry-After.
    pub fn choose(failed_attempt: u32, retry_after: Option<Duration>) -> RetryTier {
        let by_attempt = Self::for_attempt(failed_attempt);
        match retry_after {
            Some(wait) => by_attempt.max(Self::at_least(wait)),
            None => by_attempt,
        }
    }

    /// The tier with this suffix (`"2m"`), for operator commands and headers.
    pub fn from_suffix(suffix: &str) -> Option<RetryTier> {
        Self::ALL.into_iter().find(|tier| tier.suffix() == suffix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_grow_with_attempts_and_stop_at_the_longest() {
        let tiers: Vec<_> = (0..=7).map(RetryTier::for_attempt).collect();
        use RetryTier::*;
        assert_eq!(tiers, [S5, S5, S30, M2, M10, M30, M30, M30]);
        assert_eq!(RetryTier::for_attempt(u32::MAX), M30);
    }

    #[test]
    fn retry_after_picks_a_tier_at_least_as_long() {
        use RetryTier::*;
        assert_eq!(RetryTier::at_least(Duration::ZERO), S5);
        assert_eq!(RetryTier::at_least(Duration::from_secs(5)), S5);
        assert_eq!(RetryTier::at_least(Duration::from_secs(6)), S30);
        assert_eq!(RetryTier::at_least(Duration::from_secs(121)), M10);
        assert_eq!(RetryTier::at_least(Duration::from_secs(3 * 3600)), M30);
        // The attempt's own tier wins when it is longer than the server's hint.
        assert_eq!(RetryTier::choose(3, Some(Duration::from_secs(2))), M2);
        assert_eq!(RetryTier::choose(1, Some(Duration::from_secs(60))), M2);
        assert_eq!(RetryTier::choose(1, None), S5);
    }

    #[test]
    fn suffixes_round_trip_and_delays_increase() {
        for tier in RetryTier::ALL {
            assert_eq!(RetryTier::from_suffix(tier.suffix()), Some(tier));
        }
        assert!(RetryTier::ALL.windows(2).all(|pair| pair[0].delay() < pair[1].delay()));
        assert_eq!(RetryTier::from_suffix("1h"), None);
    }
}
