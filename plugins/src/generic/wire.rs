//! The generic tool's wire format: the webhook payload we accept, the ticket we fetch, the note we post.
//! `docs/PLUGINS.md` documents the same shapes for implementers; keep the two in step.

use enhancer_shared::domain::Priority;
use serde::{Deserialize, Serialize};

use crate::priority::PriorityTable;

/// Built-in priority names (the tenant's `priority_map` is consulted first).
pub const PRIORITIES: PriorityTable = &[
    ("critical", Priority::Critical),
    ("urgent", Priority::Critical),
    ("highest", Priority::Critical),
    ("p1", Priority::Critical),
    ("high", Priority::High),
    ("p2", Priority::High),
    ("medium", Priority::Medium),
    ("normal", Priority::Medium),
    ("p3", Priority::Medium),
    ("low", Priority::Low),
    ("lowest", Priority::Low),
    ("p4", Priority::Low),
];

/// Webhook body: `{"type": "ticket.created", "timestamp": "...", "data": {...}}` (Standard Webhooks style).
#[derive(Debug, Deserialize)]
pub(super) struct WebhookPayload {
    #[serde(rename = "type")]
    pub event_type: String,
    #[serde(default)]
    pub timestamp: Option<String>,
    pub data: WebhookData,
}

#[derive(Debug, Deserialize)]
pub(super) struct WebhookData {
    /// String or number.
    pub ticket_id: serde_json::Value,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    /// Who caused the event (login, e-mail or account id); compared with `integration_account_id`.
    #[serde(default)]
    pub actor: Option<String>,
    /// The comment's text on `ticket.commented` (our own notes carry the marker in it).
    #[serde(default)]
    pub comment: Option<String>,
}

/// `GET {base}/tickets/{id}` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketResponse {
    pub id: serde_json::Value,
    pub subject: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub requester: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// How the ticket was resolved (plain text), once it is; it reaches the similar-ticket corpus.
    #[serde(default)]
    pub resolution: Option<String>,
}

/// `POST {base}/notes` body. Every body form ends with the marker line, so a system that keeps only one of
/// them (and drops `marker`) still lets `find_note` recognise the note.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NoteRequest {
    pub ticket_id: String,
    pub marker: String,
    /// Always `true`: the note is for agents, never for the requester.
    pub internal: bool,
    /// The model's Markdown as written: UNTRUSTED (the requester's text can steer the model). Raw HTML in
    /// it is not escaped and its links are not filtered; a receiver that renders it must disable raw HTML
    /// and keep only the links in `allowed_links`. `body_html` and `body_text` are already safe.
    pub body_markdown: String,
    /// Sanitised HTML: raw HTML shown as text, only `allowed_links` clickable, http(s)/mailto only.
    pub body_html: String,
    /// Plain text, every URL as text.
    pub body_text: String,
    /// The URLs the note may link to (`Note::allowed_links`), for receivers that render `body_markdown`.
    #[serde(default)]
    pub allowed_links: Vec<String>,
}

/// `POST {base}/notes` answer: `{"id": "..."}` (string or number).
#[derive(Debug, Deserialize)]
pub(super) struct NoteCreated {
    pub id: serde_json::Value,
}

/// `GET {base}/tickets/{id}/notes` answer: `{"notes": [...]}`.
#[derive(Debug, Deserialize)]
pub(super) struct NoteList {
    pub notes: Vec<ListedNote>,
}

#[derive(Debug, Deserialize)]
pub(super) struct ListedNote {
    pub id: serde_json::Value,
    #[serde(default)]
    pub marker: Option<String>,
    #[serde(default)]
    pub body_markdown: Option<String>,
    #[serde(default)]
    pub body_html: Option<String>,
    #[serde(default)]
    pub body_text: Option<String>,
}

impl ListedNote {
    pub fn carries(&self, marker: &str) -> bool {
        self.marker.as_deref() == Some(marker)
            || [&self.body_markdown, &self.body_html, &self.body_text]
                .into_iter()
                .flatten()
                .any(|body| body.contains(marker))
    }
}

/// A JSON id (string or integer) as text.
pub(super) fn id_text(id: &serde_json::Value) -> Option<String> {
    crate::payload::id_at(id, &[])
}
