//! Retry decisions for the outbound client: which methods may be repeated, how long to back off, and how
//! to read a `Retry-After` header (delta-seconds or HTTP-date).

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::Method;

/// Methods a server must treat as idempotent (RFC 9110 section 9.2.2). POST and PATCH are never repeated:
/// a timeout after the server acted would post a second note.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
}

/// Full-jitter exponential backoff for retry number `attempt` (0-based).
pub(crate) fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = base.saturating_mul(2u32.saturating_pow(attempt)).min(cap);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rand::rng().random_range(0..=millis))
}

/// Parses `Retry-After`: delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`), relative
/// to `now`. A date in the past means "now" (zero); anything unparsable is ignored.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // IMF-fixdate is a subset of RFC 2822 ("GMT" is an accepted zone); the obsolete RFC 850 and asctime
    // forms are not worth a dependency.
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or(Duration::ZERO))
}

/// Parses `X-RateLimit-Reset` as ServiceNow sends it with a 429: the Unix time (seconds) at which the rate
/// limit window resets, relative to `now`. A time in the past means "now" (zero); anything else is ignored.
pub fn parse_rate_limit_reset(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let reset_at: i64 = value.parse().ok()?;
    Some(Duration::from_secs(u64::try_from(reset_at.saturating_sub(now.timestamp())).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn only_idempotent_methods_retry() {
        for method in [Method::GET, Method::HEAD, Method::PUT, Method::DELETE] {
            assert!(is_idempotent(&method), "{method}");
        }
        for method in [Method::POST, Method::PATCH] {
            assert!(!is_idempotent(&method), "{method}");
        }
    }

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let base = Duration::from_millis(100);
        let cap = Duration::from_secs(1);
        for attempt in 0..40 {
            let wait = backoff(attempt, base, cap);
            assert!(wait <= cap.min(base.saturating_mul(2u32.saturating_pow(attempt))), "{attempt}: {wait:?}");
        }
    }

    #[test]
    fn retry_after_in_both_forms() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).single().expect("date");
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn rate_limit_reset_is_a_unix_time() {
        let now = Utc.with_ymd_and_hms(2015, 10, 21, 7, 27, 0).single().expect("date");
        let in_90_s = (now.timestamp() + 90).to_string();
        assert_eq!(parse_rate_limit_reset(&in_90_s, now), Some(Duration::from_secs(90)));
        assert_eq!(parse_rate_limit_reset(&(now.timestamp() - 5).to_string(), now), Some(Duration::ZERO));
        assert_eq!(parse_rate_limit_reset("soon", now), None);
        assert_eq!(parse_rate_limit_reset("-1", now), None);
        assert_eq!(parse_rate_limit_reset("", now), None);
    }
}
