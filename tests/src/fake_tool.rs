//! A ticketing tool speaking the generic plugin's REST API (DESIGN section 3, docs/PLUGINS.md) on a
//! wiremock server: tickets to fetch, notes stored as they are posted (so `find_note` sees them), and a
//! scripted list of failures for the note endpoint.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// A note as the tool stored it.
#[derive(Debug, Clone)]
pub struct StoredNote {
    pub id: u64,
    pub ticket_id: String,
    pub body: Value,
    pub at: Instant,
}

#[derive(Debug, Default)]
struct ToolState {
    notes: Vec<StoredNote>,
    /// Answers for the next `POST /notes` calls, in order, before the tool behaves normally again.
    note_failures: VecDeque<ResponseTemplate>,
    note_attempts: Vec<Instant>,
    ticket_delay: Duration,
    /// Tickets resolved since: their resolution, answered with status `resolved`.
    resolutions: HashMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct FakeTool {
    pub server: Arc<MockServer>,
    state: Arc<Mutex<ToolState>>,
}

struct Tickets(Arc<Mutex<ToolState>>);

impl Respond for Tickets {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let id = request.url.path().trim_start_matches("/tickets/").to_owned();
        let (delay, resolution) = {
            let state = self.0.lock().expect("tool state");
            (state.ticket_delay, state.resolutions.get(&id).cloned())
        };
        let status = if resolution.is_some() { "resolved" } else { "open" };
        ResponseTemplate::new(200).set_delay(delay).set_body_json(json!({
            "id": id,
            "subject": format!("VPN drops every 10 minutes (ticket {id})"),
            "description": "Since this morning the VPN client disconnects every ten minutes. Laptop LT-0042 in Berlin, address 10.20.30.40.",
            "status": status,
            "resolution": resolution,
            "priority": "high",
            "requester": "alice@example.com",
            "created_at": "2026-11-25T11:58:00Z",
            "url": format!("https://helpdesk.example.com/tickets/{id}")
        }))
    }
}

struct PostNote(Arc<Mutex<ToolState>>);

impl Respond for PostNote {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock().expect("tool state");
        state.note_attempts.push(Instant::now());
        if let Some(failure) = state.note_failures.pop_front() {
            return failure;
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let id = state.notes.len() as u64 + 1;
        let ticket_id = body["ticket_id"].as_str().unwrap_or_default().to_owned();
        state.notes.push(StoredNote { id, ticket_id, body, at: Instant::now() });
        ResponseTemplate::new(201).set_body_json(json!({"id": id}))
    }
}

struct ListNotes(Arc<Mutex<ToolState>>);

impl Respond for ListNotes {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let ticket = request.url.path().trim_start_matches("/tickets/").trim_end_matches("/notes").to_owned();
        let state = self.0.lock().expect("tool state");
        let notes: Vec<Value> = state
            .notes
            .iter()
            .filter(|n| n.ticket_id == ticket)
            .map(|n| json!({"id": n.id, "marker": n.body["marker"], "body_markdown": n.body["body_markdown"]}))
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"notes": notes}))
    }
}

impl FakeTool {
    pub async fn start() -> FakeTool {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(ToolState::default()));
        Mock::given(method("GET"))
            .and(path_regex(r"^/tickets/[^/]+/notes$"))
            .respond_with(ListNotes(Arc::clone(&state)))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex(r"^/tickets/[^/]+$"))
            .respond_with(Tickets(Arc::clone(&state)))
            .mount(&server)
            .await;
        Mock::given(method("POST")).and(path("/notes")).respond_with(PostNote(Arc::clone(&state))).mount(&server).await;
        FakeTool { server: Arc::new(server), state }
    }

    pub fn base_url(&self) -> String {
        self.server.uri()
    }

    /// The next `POST /notes` calls answer these, in order.
    pub fn fail_notes_with(&self, answers: Vec<ResponseTemplate>) {
        self.state.lock().expect("tool state").note_failures.extend(answers);
    }

    /// Every later `GET /tickets/{id}` answers after this long (a slow job).
    pub fn delay_tickets(&self, delay: Duration) {
        self.state.lock().expect("tool state").ticket_delay = delay;
    }

    /// From now on the ticket is resolved, with this resolution.
    pub fn resolve(&self, ticket: &str, resolution: &str) {
        self.state.lock().expect("tool state").resolutions.insert(ticket.to_owned(), resolution.to_owned());
    }

    pub fn notes(&self) -> Vec<StoredNote> {
        self.state.lock().expect("tool state").notes.clone()
    }

    pub fn notes_for(&self, ticket: &str) -> Vec<StoredNote> {
        self.notes().into_iter().filter(|n| n.ticket_id == ticket).collect()
    }

    /// When each `POST /notes` arrived, failed ones included.
    pub fn note_attempts(&self) -> Vec<Instant> {
        self.state.lock().expect("tool state").note_attempts.clone()
    }
}
