//! A ticket as fetched from the tool, and the internal note we post back.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Priority, TicketId};

/// The full ticket, fetched through the plugin before context is gathered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: TicketId,
    pub subject: String,
    /// Plain text (HTML and ADF bodies are flattened by the plugin).
    pub description: String,
    pub status: Option<String>,
    pub priority: Priority,
    pub requester: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The tool's web address of the ticket, for links in notes and logs.
    pub url: Option<String>,
    /// How the ticket was resolved, as plain text, when the tool has it (SDP's resolution, Jira's resolution
    /// name, the generic tool's `resolution`). It reaches the corpus, where later look-alikes find it.
    #[serde(default)]
    pub resolution: Option<String>,
}

/// An internal note: Markdown that each plugin renders for its tool (HTML, ADF, plain text), and a stable
/// marker that makes the post idempotent (`find_note` looks for it before a retry posts again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub body_markdown: String,
    pub marker: String,
    /// The URLs the note may keep as links: those of the enhancement's context (KB articles, similar
    /// tickets, the ticket itself) and the tenant's own origin (`https://host/`, which allows any URL on it).
    /// The Markdown is model output that ticket text can steer, so renderers show every other URL as text.
    /// Empty: no link stays a link.
    #[serde(default)]
    pub allowed_links: Vec<String>,
}

impl Note {
    /// The marker for an enhancement: derived from its id, so every attempt of one job carries the same one.
    pub fn marker_for(enhancement_id: uuid::Uuid) -> String {
        format!("ticket-enhancer:{enhancement_id}")
    }
}

/// Where the tool stored a note (its note or comment id), recorded in `enhancement_history`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteRef(pub String);
