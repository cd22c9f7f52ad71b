//! Helpers for reading tools' JSON payloads defensively: ids that arrive as strings or numbers, optional
//! nested fields, and the timestamp formats the tools use.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// The value at a `/`-free key path (`&["issue", "fields", "summary"]`), if every step exists.
pub(crate) fn at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(value, |node, key| node.get(key))
}

/// A non-blank string at `path`.
pub(crate) fn str_at<'v>(value: &'v Value, path: &[&str]) -> Option<&'v str> {
    at(value, path).and_then(Value::as_str).map(str::trim).filter(|text| !text.is_empty())
}

/// An identifier that tools send as a string (`"4711"`) or a number (`4711`).
pub(crate) fn id_at(value: &Value, path: &[&str]) -> Option<String> {
    match at(value, path)? {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_owned()),
        Value::Number(number) if number.is_u64() || number.is_i64() => Some(number.to_string()),
        _ => None,
    }
}

/// A timestamp in any of the forms tools send: epoch milliseconds (number or digit string), RFC 3339, or
/// Jira's `2023-06-16T11:51:05.291+0000`.
pub(crate) fn time_at(value: &Value, path: &[&str]) -> Option<DateTime<Utc>> {
    match at(value, path)? {
        Value::Number(number) => number.as_i64().and_then(from_millis),
        Value::String(text) => parse_time(text),
        _ => None,
    }
}

pub(crate) fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok().and_then(from_millis);
    }
    DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map(|at| at.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            // ServiceNow-style "YYYY-MM-DD HH:MM:SS", taken as UTC.
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok().map(|naive| naive.and_utc())
        })
}

fn from_millis(millis: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(millis).single()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_ids_and_times() {
        let v = json!({"a": {"id": 42, "s": " x ", "t": "1659514299775", "j": "2023-06-16T11:51:05.291+0000"}});
        assert_eq!(id_at(&v, &["a", "id"]).as_deref(), Some("42"));
        assert_eq!(str_at(&v, &["a", "s"]), Some("x"));
        assert_eq!(time_at(&v, &["a", "t"]).map(|t| t.timestamp()), Some(1_659_514_299));
        assert_eq!(time_at(&v, &["a", "j"]).map(|t| t.timestamp()), Some(1_686_916_265));
        assert_eq!(parse_time("2026-11-25T12:00:00Z").map(|t| t.timestamp()), Some(1_795_608_000));
        assert!(time_at(&v, &["a", "missing"]).is_none());
        assert!(parse_time("99999999999999999999999").is_none());
    }
}
