//! Typed message headers: the job headers every publish may carry (`x-attempt`, `traceparent`,
//! `x-replayed-from`) and the dead-letter headers of docs/DESIGN.md section 5, built into and read back from an
//! AMQP [`FieldTable`].
//!
//! Attempts are counted in our own `x-attempt` header, not from the broker's `x-death`: a retry is a new
//! message published by the worker, and how `x-death` treats client-published copies differs between
//! 3.x and 4.x.

use chrono::{DateTime, SecondsFormat, Utc};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};

use crate::domain::{TenantId, TicketId};

pub const TRACEPARENT: &str = "traceparent";
pub const ATTEMPT: &str = "x-attempt";
pub const REPLAYED_FROM: &str = "x-replayed-from";
pub const ERROR_CLASS: &str = "x-error-class";
pub const ERROR_MESSAGE: &str = "x-error-message";
pub const STAGE: &str = "x-stage";
pub const ATTEMPTS: &str = "x-attempts";
pub const FAILED_AT: &str = "x-failed-at";
pub const TENANT: &str = "x-tenant";
pub const TICKET: &str = "x-ticket";
/// Set by RabbitMQ on a message it dead-lettered itself: `rejected`, `expired`, `delivery_limit`, `maxlen`.
pub const FIRST_DEATH_REASON: &str = "x-first-death-reason";

/// Error messages are cut to this many bytes: headers travel in one frame, and a tool's error page
/// does not belong in the queue.
pub const MAX_ERROR_MESSAGE_BYTES: usize = 1024;

/// Headers of a job message: which run this is, the trace it belongs to, and where a replay came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobHeaders {
    /// 1 for the first run; a retry carries the failed attempt + 1; a replay starts again at 1.
    pub attempt: u32,
    /// W3C trace context of the webhook request, so the worker's spans join its trace.
    pub traceparent: Option<String>,
    /// Set on a replay from the dead-letter queue: the dead message's id.
    pub replayed_from: Option<String>,
}

impl Default for JobHeaders {
    fn default() -> Self {
        Self { attempt: 1, traceparent: None, replayed_from: None }
    }
}

impl JobHeaders {
    /// The first run of a new job.
    pub fn first(traceparent: Option<String>) -> Self {
        Self { traceparent, ..Self::default() }
    }

    /// The headers of the next attempt after this one failed.
    #[must_use]
    pub fn next_attempt(&self) -> Self {
        Self { attempt: self.attempt.saturating_add(1), ..self.clone() }
    }

    pub fn to_field_table(&self) -> FieldTable {
        let mut table = FieldTable::default();
        self.insert_into(&mut table);
        table
    }

    pub fn insert_into(&self, table: &mut FieldTable) {
        put_int(table, ATTEMPT, i64::from(self.attempt));
        if let Some(traceparent) = &self.traceparent {
            put_str(table, TRACEPARENT, traceparent);
        }
        if let Some(replayed_from) = &self.replayed_from {
            put_str(table, REPLAYED_FROM, replayed_from);
        }
    }

    /// Lenient: a message without `x-attempt` (published by hand, or by an older build) is attempt 1.
    pub fn from_field_table(table: &FieldTable) -> Self {
        Self {
            attempt: get_u32(table, ATTEMPT).filter(|n| *n > 0).unwrap_or(1),
            traceparent: get_string(table, TRACEPARENT),
            replayed_from: get_string(table, REPLAYED_FROM),
        }
    }
}

/// Why a job was dead-lettered, carried on the dead message for `dlq list/show` and for the runbook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterHeaders {
    /// `transient` (attempts exhausted), `permanent`, `malformed` (unparseable body), ...
    pub error_class: String,
    pub error_message: String,
    /// The stage that failed: `decode`, `claim`, `gather`, `synthesize`, `update`.
    pub stage: String,
    pub attempts: u32,
    pub failed_at: DateTime<Utc>,
    /// Absent when the body could not be parsed.
    pub tenant: Option<TenantId>,
    pub ticket: Option<TicketId>,
}

/// A dead-letter header that is missing or not of the expected type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error("header {0} is missing")]
    Missing(&'static str),
    #[error("header {0} has an unexpected type or value")]
    Invalid(&'static str),
}

impl DeadLetterHeaders {
    /// Adds these headers to `table` (the job's own headers, kept for the replay), replacing older ones.
    /// The error message is cut to [`MAX_ERROR_MESSAGE_BYTES`].
    pub fn insert_into(&self, table: &mut FieldTable) {
        put_str(table, ERROR_CLASS, &self.error_class);
        put_str(table, ERROR_MESSAGE, truncate(&self.error_message, MAX_ERROR_MESSAGE_BYTES));
        put_str(table, STAGE, &self.stage);
        put_int(table, ATTEMPTS, i64::from(self.attempts));
        // RFC 3339 text rather than an AMQP timestamp: readable as-is in the management UI.
        put_str(table, FAILED_AT, &self.failed_at.to_rfc3339_opts(SecondsFormat::Millis, true));
        if let Some(tenant) = &self.tenant {
            put_str(table, TENANT, tenant.as_str());
        }
        if let Some(ticket) = &self.ticket {
            put_str(table, TICKET, ticket.as_str());
        }
    }

    pub fn to_field_table(&self) -> FieldTable {
        let mut table = FieldTable::default();
        self.insert_into(&mut table);
        table
    }

    /// Reads the headers the worker wrote. A message the broker dead-lettered on its own (delivery limit,
    /// a reject) has none of them: see [`broker_death_reason`].
    pub fn from_field_table(table: &FieldTable) -> Result<Self, HeaderError> {
        let required = |name: &'static str| get_string(table, name).ok_or(HeaderError::Missing(name));
        let failed_at = required(FAILED_AT)?;
        Ok(Self {
            error_class: required(ERROR_CLASS)?,
            error_message: required(ERROR_MESSAGE)?,
            stage: required(STAGE)?,
            attempts: match table.inner().get(ATTEMPTS) {
                None => return Err(HeaderError::Missing(ATTEMPTS)),
                Some(value) => as_u32(value).ok_or(HeaderError::Invalid(ATTEMPTS))?,
            },
            failed_at: DateTime::parse_from_rfc3339(&failed_at)
                .map_err(|_| HeaderError::Invalid(FAILED_AT))?
                .with_timezone(&Utc),
            tenant: get_string(table, TENANT)
                .map(TenantId::parse)
                .transpose()
                .map_err(|_| HeaderError::Invalid(TENANT))?,
            ticket: get_string(table, TICKET)
                .map(TicketId::parse)
                .transpose()
                .map_err(|_| HeaderError::Invalid(TICKET))?,
        })
    }
}

/// Why RabbitMQ dead-lettered a message itself (`delivery_limit`, `rejected`, `expired`, `maxlen`), if it did.
pub fn broker_death_reason(table: &FieldTable) -> Option<String> {
    get_string(table, FIRST_DEATH_REASON)
}

/// A string header, whichever AMQP string type the publisher used.
pub fn get_string(table: &FieldTable, name: &str) -> Option<String> {
    match table.inner().get(name)? {
        AMQPValue::LongString(value) => Some(String::from_utf8_lossy(value.as_bytes()).into_owned()),
        AMQPValue::ShortString(value) => Some(value.as_str().to_owned()),
        _ => None,
    }
}

/// A non-negative integer header, whichever AMQP integer type the publisher used.
pub fn get_u32(table: &FieldTable, name: &str) -> Option<u32> {
    table.inner().get(name).and_then(as_u32)
}

fn as_u32(value: &AMQPValue) -> Option<u32> {
    let wide: i64 = match value {
        AMQPValue::ShortShortInt(n) => i64::from(*n),
        AMQPValue::ShortShortUInt(n) => i64::from(*n),
        AMQPValue::ShortInt(n) => i64::from(*n),
        AMQPValue::ShortUInt(n) => i64::from(*n),
        AMQPValue::LongInt(n) => i64::from(*n),
        AMQPValue::LongUInt(n) => i64::from(*n),
        AMQPValue::LongLongInt(n) => *n,
        _ => return None,
    };
    u32::try_from(wide).ok()
}

pub(crate) fn put_str(table: &mut FieldTable, name: &str, value: &str) {
    table.insert(ShortString::from(name), AMQPValue::LongString(LongString::from(value)));
}

fn put_int(table: &mut FieldTable, name: &str, value: i64) {
    table.insert(ShortString::from(name), AMQPValue::LongLongInt(value));
}

/// The longest prefix of `text` within `max` bytes that ends on a character boundary.
fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dead() -> DeadLetterHeaders {
        DeadLetterHeaders {
            error_class: "permanent".into(),
            error_message: "ticket ITSM-1 is gone (404)".into(),
            stage: "update".into(),
            attempts: 3,
            failed_at: DateTime::parse_from_rfc3339("2026-11-25T12:00:00.250Z").expect("valid").with_timezone(&Utc),
            tenant: Some(TenantId::parse("acme").expect("valid")),
            ticket: Some(TicketId::parse("ITSM-1").expect("valid")),
        }
    }

    #[test]
    fn dead_letter_headers_round_trip_next_to_job_headers() {
        let job = JobHeaders { attempt: 3, traceparent: Some("00-abc-def-01".into()), replayed_from: None };
        let mut table = job.to_field_table();
        dead().insert_into(&mut table);
        assert_eq!(DeadLetterHeaders::from_field_table(&table), Ok(dead()));
        assert_eq!(JobHeaders::from_field_table(&table), job);
        assert_eq!(get_string(&table, FAILED_AT).as_deref(), Some("2026-11-25T12:00:00.250Z"));
    }

    #[test]
    fn reading_is_lenient_about_integer_types_and_strict_about_missing_fields() {
        let mut table = dead().to_field_table();
        table.insert(ATTEMPTS.into(), AMQPValue::ShortShortUInt(7));
        assert_eq!(DeadLetterHeaders::from_field_table(&table).map(|h| h.attempts), Ok(7));
        table.insert(ATTEMPTS.into(), AMQPValue::LongLongInt(-1));
        assert_eq!(DeadLetterHeaders::from_field_table(&table), Err(HeaderError::Invalid(ATTEMPTS)));
        let mut broker_dead = FieldTable::default();
        put_str(&mut broker_dead, FIRST_DEATH_REASON, "delivery_limit");
        assert_eq!(DeadLetterHeaders::from_field_table(&broker_dead), Err(HeaderError::Missing(FAILED_AT)));
        assert_eq!(broker_death_reason(&broker_dead).as_deref(), Some("delivery_limit"));
        assert_eq!(JobHeaders::from_field_table(&broker_dead), JobHeaders::default());
    }

    #[test]
    fn long_error_messages_are_cut_on_a_char_boundary() {
        let mut headers = dead();
        headers.error_message = "é".repeat(MAX_ERROR_MESSAGE_BYTES);
        let table = headers.to_field_table();
        let message = get_string(&table, ERROR_MESSAGE).expect("present");
        assert!(message.len() <= MAX_ERROR_MESSAGE_BYTES && message.chars().all(|c| c == 'é'));
        assert_eq!(JobHeaders::default().next_attempt().attempt, 2);
    }
}
