//! A normalized webhook event: what a plugin's `extract` makes of a tool's payload.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Priority, TicketId};

/// What happened to the ticket. By default only `Created` is enhanced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Created,
    Updated,
    Commented,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::Updated => "updated",
            EventKind::Commented => "commented",
        }
    }
}

/// One event, normalized across tools. Timestamps are UTC; text fields are as the tool sent them and are
/// treated as untrusted data everywhere downstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub ticket_id: TicketId,
    pub kind: EventKind,
    /// The account that caused the event (login, e-mail or account id, as the tool names it).
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub priority: Priority,
    /// When the tool says the event happened; `None` when the payload carries no time.
    pub occurred_at: Option<DateTime<Utc>>,
    /// The tool's own delivery id where it sends one. Ingest falls back to a SHA-256 of tenant and raw body.
    pub idempotency_key: Option<String>,
    /// Set by `extract` when the event was authored by the tenant's integration account or carries our
    /// note marker: ingest ignores such events so our own note never triggers another enhancement.
    pub self_authored: bool,
}
