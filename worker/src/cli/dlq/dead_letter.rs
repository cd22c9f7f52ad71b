//! One message of the dead-letter queue as operators see it, read leniently from whatever it carries:
//! the worker's dead-letter headers (docs/DESIGN.md section 5), or only RabbitMQ's `x-death` when the broker
//! dead-lettered the job itself (delivery limit, a reject), and a body that may not be a valid job at all.

use chrono::{DateTime, SecondsFormat, Utc};
use enhancer_shared::domain::{EnhancementJob, TenantId};
use enhancer_shared::queue::headers::{self, get_string, get_u32};
use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The error class shown for a dead letter without `x-error-class`: the broker dead-lettered it.
pub const UNKNOWN_CLASS: &str = "unknown";

/// The values `--error-class` accepts.
pub const ERROR_CLASSES: [&str; 3] = ["transient", "permanent", UNKNOWN_CLASS];

#[derive(Debug)]
pub struct DeadLetter {
    /// The message id (the job id for every message our processes publish); for a message without one,
    /// `body-` and a hash of the body, so that the id is the same on every listing.
    pub id: String,
    pub job_id: Option<String>,
    pub tenant_id: Option<String>,
    pub ticket_id: Option<String>,
    pub error_class: String,
    pub error_message: String,
    pub stage: Option<String>,
    pub attempts: Option<u32>,
    pub failed_at: Option<DateTime<Utc>>,
    /// The body as a job, or why it is not one (then it cannot be replayed).
    pub job: Result<EnhancementJob, String>,
    pub headers: FieldTable,
    pub body: Vec<u8>,
}

impl DeadLetter {
    pub fn read(properties: &BasicProperties, body: &[u8]) -> Self {
        let headers = properties.headers().clone().unwrap_or_default();
        let job = EnhancementJob::from_json(body).map_err(|error| error.to_string());
        // A body that is JSON but not a job this build reads (another version, a missing field) may still
        // say whose it is.
        let loose: Option<Value> = if job.is_ok() { None } else { serde_json::from_slice(body).ok() };
        let loose_str = |pointer: &str| loose.as_ref()?.pointer(pointer)?.as_str().map(str::to_owned);
        let id = match properties.message_id() {
            Some(id) if !id.as_str().is_empty() => id.to_string(),
            _ => format!("body-{}", &hex::encode(Sha256::digest(body))[..16]),
        };
        let tenant_id = get_string(&headers, headers::TENANT)
            .or_else(|| job.as_ref().ok().map(|job| job.tenant_id.to_string()))
            .or_else(|| loose_str("/tenant_id"));
        let ticket_id = get_string(&headers, headers::TICKET)
            .or_else(|| job.as_ref().ok().map(|job| job.event.ticket_id.to_string()))
            .or_else(|| loose_str("/event/ticket_id"));
        let job_id = job.as_ref().ok().map(|job| job.job_id.to_string()).or_else(|| loose_str("/job_id"));
        let broker_reason = headers::broker_death_reason(&headers);
        let failed_at = get_string(&headers, headers::FAILED_AT)
            .and_then(|raw| DateTime::parse_from_rfc3339(&raw).ok())
            .map(|time| time.with_timezone(&Utc))
            .or_else(|| last_death_time(&headers))
            .or_else(|| properties.timestamp().and_then(from_amqp_timestamp));
        Self {
            id,
            job_id,
            tenant_id,
            ticket_id,
            error_class: get_string(&headers, headers::ERROR_CLASS).unwrap_or_else(|| UNKNOWN_CLASS.to_owned()),
            error_message: get_string(&headers, headers::ERROR_MESSAGE)
                .or_else(|| broker_reason.map(|reason| format!("dead-lettered by the broker: {reason}")))
                .unwrap_or_default(),
            stage: get_string(&headers, headers::STAGE),
            // The worker's count when it gave up; for a broker dead letter, the attempt it was on.
            attempts: get_u32(&headers, headers::ATTEMPTS).or_else(|| get_u32(&headers, headers::ATTEMPT)),
            failed_at,
            job,
            headers,
            body: body.to_vec(),
        }
    }

    pub fn traceparent(&self) -> Option<String> {
        get_string(&self.headers, headers::TRACEPARENT)
    }

    pub fn failed_at_text(&self) -> Option<String> {
        self.failed_at.map(|time| time.to_rfc3339_opts(SecondsFormat::Millis, true))
    }

    /// The fields of `dlq list --json` (docs/DESIGN.md section 8: at least `id`, `job_id`, `tenant_id`,
    /// `ticket_id`, `error_class`, `attempts`, `failed_at`).
    pub fn summary_json(&self) -> Value {
        json!({
            "id": self.id,
            "job_id": self.job_id,
            "tenant_id": self.tenant_id,
            "ticket_id": self.ticket_id,
            "error_class": self.error_class,
            "error_message": self.error_message,
            "stage": self.stage,
            "attempts": self.attempts,
            "failed_at": self.failed_at_text(),
            "replayable": self.job.is_ok(),
            "body_error": self.job.as_ref().err(),
        })
    }
}

/// Which dead letters a command acts on.
#[derive(Debug, Default)]
pub struct Filter {
    pub id: Option<String>,
    pub tenant: Option<TenantId>,
    pub error_class: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

impl Filter {
    pub fn matches(&self, dead: &DeadLetter) -> bool {
        let id = self.id.as_ref().is_none_or(|id| *id == dead.id);
        let tenant = self.tenant.as_ref().is_none_or(|tenant| dead.tenant_id.as_deref() == Some(tenant.as_str()));
        let class = self.error_class.as_ref().is_none_or(|class| *class == dead.error_class);
        // A dead letter whose failure time is unknown is not shown as "recent".
        let since = self.since.is_none_or(|since| dead.failed_at.is_some_and(|at| at >= since));
        id && tenant && class && since
    }
}

/// The time of the most recent death RabbitMQ recorded (`x-death` lists the latest first).
fn last_death_time(headers: &FieldTable) -> Option<DateTime<Utc>> {
    let AMQPValue::FieldArray(deaths) = headers.inner().get("x-death")? else { return None };
    let AMQPValue::FieldTable(latest) = deaths.as_slice().first()? else { return None };
    match latest.inner().get("time")? {
        AMQPValue::Timestamp(secs) => from_amqp_timestamp(*secs),
        _ => None,
    }
}

fn from_amqp_timestamp(secs: u64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(i64::try_from(secs).ok()?, 0)
}

#[cfg(test)]
mod tests {
    use enhancer_shared::queue::{DeadLetterHeaders, JobHeaders};
    use lapin::types::{FieldArray, LongString, ShortString};

    use super::*;

    const JOB: &str = r#"{"v":1,"job_id":"0190a3b2-7c4d-7000-8000-000000000001","tenant_id":"acme","tool":"jira",
        "idempotency_key":"d-1","event":{"ticket_id":"ITSM-1","kind":"created","actor":null,"subject":"VPN",
        "priority":"high","occurred_at":null,"idempotency_key":"d-1","self_authored":false},
        "received_at":"2026-11-25T10:00:00Z"}"#;

    fn properties(headers: FieldTable, message_id: Option<&str>) -> BasicProperties {
        let properties = BasicProperties::default().with_headers(headers);
        match message_id {
            Some(id) => properties.with_message_id(ShortString::from(id)),
            None => properties,
        }
    }

    #[test]
    fn reads_the_worker_headers() {
        let mut table = JobHeaders::first(Some("00-trace-span-01".into())).to_field_table();
        DeadLetterHeaders {
            error_class: "permanent".into(),
            error_message: "ticket gone (404)".into(),
            stage: "update".into(),
            attempts: 2,
            failed_at: Utc::now(),
            tenant: Some(TenantId::parse("acme").expect("valid")),
            ticket: None,
        }
        .insert_into(&mut table);
        let dead = DeadLetter::read(&properties(table, Some("job-1")), JOB.as_bytes());
        assert_eq!(dead.id, "job-1");
        assert_eq!(
            (dead.error_class.as_str(), dead.stage.as_deref(), dead.attempts),
            ("permanent", Some("update"), Some(2))
        );
        // The ticket header is missing: the body says which ticket it was.
        assert_eq!((dead.tenant_id.as_deref(), dead.ticket_id.as_deref()), (Some("acme"), Some("ITSM-1")));
        assert_eq!(dead.traceparent().as_deref(), Some("00-trace-span-01"));
        assert!(dead.job.is_ok());
    }

    #[test]
    fn reads_a_broker_dead_letter_and_an_unparsable_body() {
        let mut death = FieldTable::default();
        death.insert(ShortString::from("time"), AMQPValue::Timestamp(1_795_000_000));
        let mut table = JobHeaders::default().to_field_table();
        table.insert(
            ShortString::from("x-first-death-reason"),
            AMQPValue::LongString(LongString::from("delivery_limit")),
        );
        table.insert(
            ShortString::from("x-death"),
            AMQPValue::FieldArray(FieldArray::from(vec![AMQPValue::FieldTable(death)])),
        );
        let dead = DeadLetter::read(&properties(table, Some("job-2")), JOB.as_bytes());
        assert_eq!(dead.error_class, UNKNOWN_CLASS);
        assert!(dead.error_message.contains("delivery_limit"), "{}", dead.error_message);
        assert_eq!(dead.failed_at.map(|at| at.timestamp()), Some(1_795_000_000));
        assert_eq!(dead.attempts, Some(1));

        let garbage = DeadLetter::read(&properties(FieldTable::default(), None), b"{not json");
        let again = DeadLetter::read(&properties(FieldTable::default(), None), b"{not json");
        assert!(garbage.id.starts_with("body-") && garbage.id == again.id, "{}", garbage.id);
        assert!(garbage.job.is_err() && garbage.tenant_id.is_none() && garbage.failed_at.is_none());
        assert_eq!(garbage.summary_json()["replayable"], false);
    }

    #[test]
    fn filters_combine() {
        let dead = DeadLetter::read(&properties(FieldTable::default(), Some("job-3")), JOB.as_bytes());
        assert!(Filter::default().matches(&dead));
        let tenant = |id: &str| Some(TenantId::parse(id).expect("valid"));
        assert!(Filter { tenant: tenant("acme"), ..Filter::default() }.matches(&dead));
        assert!(!Filter { tenant: tenant("other"), ..Filter::default() }.matches(&dead));
        assert!(Filter { error_class: Some(UNKNOWN_CLASS.into()), ..Filter::default() }.matches(&dead));
        assert!(!Filter { since: Some(Utc::now()), ..Filter::default() }.matches(&dead), "no failure time known");
        assert!(!Filter { id: Some("job-4".into()), ..Filter::default() }.matches(&dead));
    }
}
