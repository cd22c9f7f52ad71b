//! What the fake tool knows and remembers: the ticket catalogue, the stored notes, the failure script.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::Recording;

/// A ticket as the catalogue holds it; each tool's routes render it in that tool's format.
#[derive(Debug, Clone)]
pub struct TicketSpec {
    pub subject: String,
    pub description: String,
    /// The generic tool's word (`low`, `medium`, `high`, `critical`); SDP and Jira get it capitalized.
    pub priority: String,
    pub requester: String,
}

impl TicketSpec {
    /// The ticket served for an id the catalogue does not hold.
    pub(super) fn default_for(id: &str) -> TicketSpec {
        TicketSpec {
            subject: format!("VPN drops every 10 minutes (ticket {id})"),
            description: "Since this morning the VPN client disconnects every ten minutes. Laptop LT-0042 in Berlin, address 10.20.30.40.".into(),
            priority: "high".into(),
            requester: "alice@example.com".into(),
        }
    }
}

/// A note as the tool stored it. `body` is what the plugin sent: the generic note JSON, SDP's `input_data`
/// document, or Jira's comment.
#[derive(Debug, Clone)]
pub struct StoredNote {
    pub id: u64,
    pub ticket_id: String,
    pub body: Value,
    /// The `ticket-enhancer:<job id>` marker found in the note.
    pub marker: Option<String>,
    pub at: Instant,
}

impl StoredNote {
    /// The note as an agent would read it, whatever the tool's format: the generic tool's `body_text`, an
    /// HTML body (ServiceDesk Plus, and any tool whose note is HTML) with its tags taken out, or the text of a
    /// Jira ADF document. For the demo's printout and for tests that read a note's words.
    pub fn text(&self) -> String {
        if let Some(text) = self.body["body_text"].as_str() {
            return text.to_owned();
        }
        if let Some(doc) = self.body.get("body").filter(|b| b.is_object()) {
            let mut out = String::new();
            adf_text(doc, &mut out);
            return out.trim().to_owned();
        }
        let html = [
            &["request_note", "description"][..],
            &["note", "description"],
            &["ticket", "comment", "html_body"],
            &["body"],
            &["work_notes"],
        ]
        .iter()
        .find_map(|path| path.iter().try_fold(&self.body, |node, key| node.get(key)).and_then(Value::as_str));
        html.map(html_text).unwrap_or_default()
    }
}

/// The text nodes of an ADF document, a line per block.
fn adf_text(node: &Value, out: &mut String) {
    if let Some(text) = node["text"].as_str() {
        out.push_str(text);
    }
    for child in node["content"].as_array().into_iter().flatten() {
        adf_text(child, out);
    }
    if matches!(node["type"].as_str(), Some("paragraph" | "heading" | "listItem" | "rule" | "codeBlock")) {
        out.push('\n');
    }
}

/// HTML to readable text: block ends become line breaks, tags go, the common entities are decoded.
fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let Some(end) = rest[start..].find('>') else { break };
        let tag = rest[start + 1..start + end].trim_start_matches('/').to_ascii_lowercase();
        if ["p", "br", "li", "h1", "h2", "h3", "h4", "div", "tr", "pre", "hr"].iter().any(|t| tag.starts_with(t))
            && rest[start..].starts_with("</")
            || tag.starts_with("br")
            || tag.starts_with("hr")
        {
            text.push('\n');
        }
        rest = &rest[start + end + 1..];
    }
    text.push_str(rest);
    let text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'");
    text.replace("&amp;", "&").lines().map(str::trim_end).collect::<Vec<_>>().join("\n").trim().to_owned()
}

/// A scripted answer to a note post.
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub retry_after: Option<String>,
}

impl Failure {
    pub fn status(status: u16) -> Failure {
        Failure { status: StatusCode::from_u16(status).expect("a valid status"), retry_after: None }
    }

    pub fn retry_after(mut self, value: &str) -> Failure {
        self.retry_after = Some(value.to_owned());
        self
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(serde_json::json!({"error": "scripted failure"}))).into_response();
        if let Some(value) = self.retry_after.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

#[derive(Debug, Default)]
pub(super) struct ToolState {
    pub tickets: HashMap<String, TicketSpec>,
    pub notes: Vec<StoredNote>,
    pub note_failures: VecDeque<Failure>,
    /// Every note post answers this failure until the instant passes (a tool that is down for a while).
    pub note_failure_window: Option<(Failure, Instant)>,
    pub note_attempts: Vec<Instant>,
    pub ticket_delay: Duration,
    /// Tickets resolved since: their resolution.
    pub resolutions: HashMap<String, String>,
}

#[derive(Debug)]
pub(super) struct Shared {
    state: Mutex<ToolState>,
    recording: Recording,
    pub tickets_served: AtomicU64,
}

/// A ticket as one fetch sees it.
pub(super) struct Served {
    pub spec: TicketSpec,
    pub resolution: Option<String>,
}

impl Shared {
    pub fn new(recording: Recording) -> Shared {
        Shared { state: Mutex::default(), recording, tickets_served: AtomicU64::new(0) }
    }

    pub fn state(&self) -> MutexGuard<'_, ToolState> {
        self.state.lock().expect("fake tool state")
    }

    /// The ticket `id`, after the configured delay.
    pub async fn ticket(&self, id: &str) -> Served {
        let (delay, served) = {
            let state = self.state();
            let spec = state.tickets.get(id).cloned().unwrap_or_else(|| TicketSpec::default_for(id));
            (state.ticket_delay, Served { spec, resolution: state.resolutions.get(id).cloned() })
        };
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        self.tickets_served.fetch_add(1, Ordering::Relaxed);
        served
    }

    /// Stores a note, or answers the next scripted failure. `Ok` holds the new note's id.
    pub fn store_note(&self, ticket_id: &str, body: Value) -> Result<u64, Failure> {
        let mut state = self.state();
        state.note_attempts.push(Instant::now());
        if let Some(failure) = state.note_failures.pop_front() {
            return Err(failure);
        }
        if let Some((failure, until)) = &state.note_failure_window {
            if Instant::now() < *until {
                return Err(failure.clone());
            }
            state.note_failure_window = None;
        }
        let id = state.notes.len() as u64 + 1;
        let marker = find_marker(&body.to_string());
        let body = if self.recording == Recording::Full { body } else { Value::Null };
        state.notes.push(StoredNote { id, ticket_id: ticket_id.to_owned(), body, marker, at: Instant::now() });
        Ok(id)
    }

    /// The ticket's notes as `(id, body)`.
    pub fn notes_of(&self, ticket_id: &str) -> Vec<(u64, Value, Option<String>)> {
        self.state()
            .notes
            .iter()
            .filter(|n| n.ticket_id == ticket_id)
            .map(|n| (n.id, n.body.clone(), n.marker.clone()))
            .collect()
    }
}

/// `ticket-enhancer:` followed by a UUID, wherever it sits in the note.
fn find_marker(text: &str) -> Option<String> {
    const PREFIX: &str = "ticket-enhancer:";
    let start = text.find(PREFIX)?;
    let id: String = text[start + PREFIX.len()..].chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').collect();
    (id.len() == 36).then(|| format!("{PREFIX}{id}"))
}

/// `high` -> `High`.
pub(super) fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
