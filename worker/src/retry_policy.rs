//! What to do with a failed attempt. Reads only the error's [`Disposition`] and the attempt number.

use enhancer_shared::error::Disposition;
use enhancer_shared::queue::RetryTier;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Republish to this delay tier with `attempt + 1`.
    Retry(RetryTier),
    /// Permanent, or out of attempts: to the dead-letter queue.
    DeadLetter,
}

/// `attempt` is the run that just failed (1 for the first); `max_attempts` counts every run.
pub fn decide(disposition: Disposition, attempt: u32, max_attempts: u32) -> Verdict {
    match disposition {
        Disposition::Permanent => Verdict::DeadLetter,
        Disposition::Transient { .. } if attempt >= max_attempts => Verdict::DeadLetter,
        Disposition::Transient { retry_after } => Verdict::Retry(RetryTier::choose(attempt, retry_after)),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn transient_failures_back_off_then_dead_letter() {
        let transient = Disposition::TRANSIENT;
        assert_eq!(decide(transient, 1, 5), Verdict::Retry(RetryTier::S5));
        assert_eq!(decide(transient, 2, 5), Verdict::Retry(RetryTier::S30));
        assert_eq!(decide(transient, 4, 5), Verdict::Retry(RetryTier::M10));
        assert_eq!(decide(transient, 5, 5), Verdict::DeadLetter);
        assert_eq!(decide(Disposition::Permanent, 1, 5), Verdict::DeadLetter);
    }

    #[test]
    fn a_longer_retry_after_picks_a_longer_tier() {
        let slow = Disposition::Transient { retry_after: Some(Duration::from_secs(60)) };
        assert_eq!(decide(slow, 1, 5), Verdict::Retry(RetryTier::M2));
        let short = Disposition::Transient { retry_after: Some(Duration::from_secs(2)) };
        assert_eq!(decide(short, 1, 5), Verdict::Retry(RetryTier::S5));
    }
}
