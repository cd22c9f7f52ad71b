//! The message body on `{prefix}.jobs`: versioned JSON so that old and new workers can share a queue.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{TenantId, TicketEvent, ToolKind};

/// The body version this build writes and reads.
pub const JOB_SCHEMA_VERSION: u32 = 1;

/// One unit of work: enhance one ticket for one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnhancementJob {
    /// Always [`JOB_SCHEMA_VERSION`] when written by this build.
    pub v: u32,
    /// UUIDv7: sortable by creation time, returned to the tool in the `202` body.
    pub job_id: Uuid,
    pub tenant_id: TenantId,
    pub tool: ToolKind,
    /// The key `enhancement_history` is unique on, together with the tenant.
    pub idempotency_key: String,
    pub event: TicketEvent,
    pub received_at: DateTime<Utc>,
    /// What the worker does with the ticket. Absent in bodies written before it existed, hence the default;
    /// left out when it is the default, so an enhancement job's body is unchanged.
    #[serde(default, skip_serializing_if = "JobPurpose::is_enhance")]
    pub purpose: JobPurpose,
}

/// Why the job exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobPurpose {
    /// Gather, synthesize, post a note, index the ticket into the corpus.
    #[default]
    Enhance,
    /// Only refresh the ticket's corpus row (its resolution and status): an event that is not enhanced but
    /// may carry what later look-alikes need, e.g. an "updated" event after the ticket was resolved. No note.
    Index,
}

impl JobPurpose {
    pub fn is_enhance(&self) -> bool {
        *self == Self::Enhance
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enhance => "enhance",
            Self::Index => "index",
        }
    }
}

/// Why a message body could not become a job. Such a message can never succeed: it is dead-lettered at once.
#[derive(Debug, thiserror::Error)]
pub enum JobDecodeError {
    #[error("job body is not valid JSON for version {JOB_SCHEMA_VERSION}: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("job body has version {0}, this worker reads version {JOB_SCHEMA_VERSION}")]
    UnsupportedVersion(u32),
}

impl EnhancementJob {
    pub fn new(tenant_id: TenantId, tool: ToolKind, idempotency_key: String, event: TicketEvent) -> Self {
        Self {
            v: JOB_SCHEMA_VERSION,
            job_id: Uuid::now_v7(),
            tenant_id,
            tool,
            idempotency_key,
            event,
            received_at: Utc::now(),
            purpose: JobPurpose::Enhance,
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a job always serializes: it holds only strings, numbers and enums")
    }

    pub fn from_json(bytes: &[u8]) -> Result<Self, JobDecodeError> {
        #[derive(Deserialize)]
        struct Version {
            v: u32,
        }
        let Version { v } = serde_json::from_slice(bytes)?;
        if v != JOB_SCHEMA_VERSION {
            return Err(JobDecodeError::UnsupportedVersion(v));
        }
        Ok(serde_json::from_slice(bytes)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{EventKind, Priority, TicketId};

    fn job() -> EnhancementJob {
        let event = TicketEvent {
            ticket_id: TicketId::parse("ITSM-1").expect("valid"),
            kind: EventKind::Created,
            actor: Some("alice@example.com".into()),
            subject: Some("VPN down".into()),
            priority: Priority::High,
            occurred_at: None,
            idempotency_key: Some("delivery-1".into()),
            self_authored: false,
        };
        EnhancementJob::new(TenantId::parse("acme").expect("valid"), ToolKind::Jira, "delivery-1".into(), event)
    }

    #[test]
    fn round_trips_with_version_field() {
        let job = job();
        let bytes = job.to_json();
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(value["v"], 1);
        assert_eq!(value["tool"], "jira");
        assert_eq!(EnhancementJob::from_json(&bytes).expect("decodes"), job);
    }

    #[test]
    fn refuses_other_versions_and_garbage() {
        let mut value = serde_json::to_value(job()).expect("json");
        value["v"] = 2.into();
        let bytes = serde_json::to_vec(&value).expect("json");
        assert!(matches!(EnhancementJob::from_json(&bytes), Err(JobDecodeError::UnsupportedVersion(2))));
        assert!(matches!(EnhancementJob::from_json(b"{"), Err(JobDecodeError::Malformed(_))));
    }

    #[test]
    fn purpose_defaults_to_enhance_and_index_round_trips() {
        let value = serde_json::to_value(job()).expect("json");
        assert!(value.get("purpose").is_none(), "an enhancement body is unchanged");
        let old = EnhancementJob::from_json(&serde_json::to_vec(&value).expect("json")).expect("decodes");
        assert_eq!(old.purpose, JobPurpose::Enhance);
        let index = EnhancementJob { purpose: JobPurpose::Index, ..job() };
        let bytes = index.to_json();
        let value: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(value["purpose"], "index");
        assert_eq!(EnhancementJob::from_json(&bytes).expect("decodes"), index);
    }
}
