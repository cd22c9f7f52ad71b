//! AMQP header values as JSON, for `dlq show`: strings as strings, numbers as numbers, RabbitMQ's
//! `x-death` tables as objects, timestamps as RFC 3339.

use chrono::{DateTime, SecondsFormat};
use lapin::types::{AMQPValue, FieldTable};
use serde_json::{Map, Value, json};

pub fn table(table: &FieldTable) -> Value {
    let fields: Map<String, Value> =
        table.into_iter().map(|(name, value)| (name.to_string(), self::value(value))).collect();
    Value::Object(fields)
}

pub fn value(value: &AMQPValue) -> Value {
    match value {
        AMQPValue::Boolean(b) => json!(b),
        AMQPValue::ShortShortInt(n) => json!(n),
        AMQPValue::ShortShortUInt(n) => json!(n),
        AMQPValue::ShortInt(n) => json!(n),
        AMQPValue::ShortUInt(n) => json!(n),
        AMQPValue::LongInt(n) => json!(n),
        AMQPValue::LongUInt(n) => json!(n),
        AMQPValue::LongLongInt(n) => json!(n),
        AMQPValue::Float(n) => json!(n),
        AMQPValue::Double(n) => json!(n),
        AMQPValue::DecimalValue(d) => json!(f64::from(d.value) / 10f64.powi(i32::from(d.scale))),
        AMQPValue::ShortString(s) => json!(s.as_str()),
        AMQPValue::LongString(s) => json!(String::from_utf8_lossy(s.as_bytes())),
        AMQPValue::FieldArray(items) => Value::Array(items.as_slice().iter().map(self::value).collect()),
        AMQPValue::Timestamp(secs) => timestamp(*secs).map_or_else(|| json!(secs), Value::String),
        AMQPValue::FieldTable(inner) => table(inner),
        AMQPValue::ByteArray(bytes) => json!(String::from_utf8_lossy(bytes.as_slice())),
        AMQPValue::Void => Value::Null,
    }
}

/// An AMQP timestamp (seconds since the epoch) as RFC 3339.
fn timestamp(secs: u64) -> Option<String> {
    let secs = i64::try_from(secs).ok()?;
    DateTime::from_timestamp(secs, 0).map(|time| time.to_rfc3339_opts(SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use lapin::types::{FieldArray, LongString, ShortString};

    use super::*;

    #[test]
    fn x_death_becomes_readable_json() {
        let mut death = FieldTable::default();
        death.insert(ShortString::from("reason"), AMQPValue::LongString(LongString::from("delivery_limit")));
        death.insert(ShortString::from("time"), AMQPValue::Timestamp(1_795_000_000));
        death.insert(ShortString::from("count"), AMQPValue::LongLongInt(1));
        let mut headers = FieldTable::default();
        headers.insert(
            ShortString::from("x-death"),
            AMQPValue::FieldArray(FieldArray::from(vec![AMQPValue::FieldTable(death)])),
        );
        let json = table(&headers);
        assert_eq!(json["x-death"][0]["reason"], "delivery_limit");
        assert_eq!(json["x-death"][0]["count"], 1);
        assert_eq!(json["x-death"][0]["time"], "2026-11-18T11:06:40Z");
    }
}
