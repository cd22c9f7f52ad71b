//! The `--since` value of `dlq list` and `history`: an RFC 3339 time, or an age counted back from now
//! (`30m`, `2h`, `7d`).

use chrono::{DateTime, TimeDelta, Utc};

/// What `--since` accepts, quoted in every error.
const EXPECTED: &str =
    "expected an RFC 3339 time (2026-11-25T10:00:00Z) or an age in minutes, hours or days (30m, 2h, 7d)";

/// The earliest time `raw` admits, relative to `now` for an age.
pub fn parse(raw: &str, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(time) = DateTime::parse_from_rfc3339(raw) {
        return Ok(time.with_timezone(&Utc));
    }
    let invalid = || anyhow::anyhow!("invalid --since {raw:?}: {EXPECTED}");
    let unit_at = raw.len().checked_sub(1).filter(|&at| raw.is_char_boundary(at)).ok_or_else(invalid)?;
    let (amount, unit) = raw.split_at(unit_at);
    if amount.is_empty() || !amount.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let amount: i64 = amount.parse().map_err(|_| invalid())?;
    let age = match unit {
        "m" => TimeDelta::try_minutes(amount),
        "h" => TimeDelta::try_hours(amount),
        "d" => TimeDelta::try_days(amount),
        _ => None,
    }
    .ok_or_else(invalid)?;
    now.checked_sub_signed(age).ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-25T12:00:00Z").expect("valid").with_timezone(&Utc)
    }

    #[test]
    fn accepts_times_and_ages() {
        let at = |raw: &str| parse(raw, now()).expect("valid").to_rfc3339();
        assert_eq!(at("2026-11-25T10:00:00+01:00"), "2026-11-25T09:00:00+00:00");
        assert_eq!(at("30m"), "2026-11-25T11:30:00+00:00");
        assert_eq!(at("2h"), "2026-11-25T10:00:00+00:00");
        assert_eq!(at(" 7d "), "2026-11-18T12:00:00+00:00");
        assert_eq!(at("0m"), "2026-11-25T12:00:00+00:00");
    }

    #[test]
    fn refuses_anything_else_with_the_expected_forms() {
        for bad in ["", "m", "5", "5s", "-5m", "+5m", "1.5h", "yesterday", "2026-11-25", "99999999999999d", "5é"] {
            let error = parse(bad, now()).expect_err(bad).to_string();
            assert!(error.contains("invalid --since") && error.contains("RFC 3339"), "{bad}: {error}");
        }
    }
}
