//! The one fake ticketing tool of the workspace: an HTTP server on a free loopback port that speaks each
//! built-in tool's API format (the generic REST API, ServiceDesk Plus v3, Jira Cloud REST v3, Zendesk REST v2,
//! the ServiceNow Table API and Freshservice v2 under `/freshservice`; the route sets do not overlap, so one
//! server serves every tenant), serves tickets from a catalogue, stores the notes posted to it (so `find_note`
//! finds them) and can be told to fail. The demo, the benchmarks and the integration tests all use it. Beside
//! the tools, an embedding server in the OpenAI format whose vectors hash words (`embeddings.rs`), for the
//! benchmarks of the semantic ranking.
//!
//! It is an axum server rather than wiremock: benchmarks post tens of thousands of notes and must not pay for
//! request recording, and the catalogue and failure script are state the routes share.

mod embeddings;
mod freshservice;
mod generic;
mod jira;
mod servicedesk_plus;
mod servicenow;
mod state;
mod zendesk;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use tokio::task::JoinHandle;

pub use freshservice::PREFIX as FRESHSERVICE_PREFIX;
pub use state::{Failure, StoredNote, TicketSpec};
use state::{Shared, ToolState};
pub use zendesk::ZENDESK_BOT_ID;

/// What the fake keeps of each note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recording {
    /// Bodies, times and markers (tests and the demo).
    Full,
    /// Times and markers only: a benchmark's receiver must not hold tens of thousands of bodies in the memory
    /// it measures.
    Light,
}

/// A running fake tool; stops when the last clone is dropped.
#[derive(Debug, Clone)]
pub struct FakeTool {
    address: SocketAddr,
    shared: Arc<Shared>,
    _server: Arc<ServerTask>,
}

#[derive(Debug)]
struct ServerTask(JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl FakeTool {
    /// Serves on a free loopback port, keeping whole notes.
    pub async fn start() -> FakeTool {
        FakeTool::start_with(Recording::Full).await
    }

    pub async fn start_with(recording: Recording) -> FakeTool {
        let shared = Arc::new(Shared::new(recording));
        let app = Router::new()
            .merge(generic::routes())
            .merge(servicedesk_plus::routes())
            .merge(jira::routes())
            .nest(freshservice::PREFIX, freshservice::routes())
            .merge(zendesk::routes())
            .merge(servicenow::routes())
            .merge(embeddings::routes())
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the fake tool");
        let address = listener.local_addr().expect("fake tool address");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeTool { address, shared, _server: Arc::new(ServerTask(server)) }
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The base URL every tenant on this fake uses, whatever its tool (Freshservice tenants add
    /// [`FRESHSERVICE_PREFIX`]).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The base URL a tenant of `tool` on this fake uses: the root, or the prefix its routes are nested under.
    pub fn base_url_for(&self, tool: enhancer_shared::domain::ToolKind) -> String {
        use enhancer_shared::domain::ToolKind;
        match tool {
            ToolKind::Freshservice => format!("{}{FRESHSERVICE_PREFIX}", self.base_url()),
            ToolKind::ServicedeskPlus
            | ToolKind::Jira
            | ToolKind::Zendesk
            | ToolKind::ServiceNow
            | ToolKind::Generic => self.base_url(),
        }
    }

    /// Serves `spec` for ticket `id` (other ids get a default VPN ticket naming its id).
    pub fn add_ticket(&self, id: &str, spec: TicketSpec) {
        self.state().tickets.insert(id.to_owned(), spec);
    }

    /// The next note posts answer these, in order, before the tool behaves normally again.
    pub fn fail_notes_with(&self, failures: Vec<Failure>) {
        self.state().note_failures.extend(failures);
    }

    /// Every note post answers `failure` for the next `period` (after any scripted failures), then the tool
    /// behaves normally again: an outage on a timetable rather than a count.
    pub fn fail_notes_for(&self, failure: Failure, period: Duration) {
        self.state().note_failure_window = Some((failure, Instant::now() + period));
    }

    /// Every later ticket fetch answers after this long (a slow job).
    pub fn delay_tickets(&self, delay: Duration) {
        self.state().ticket_delay = delay;
    }

    /// From now on the ticket is resolved, with this resolution.
    pub fn resolve(&self, ticket: &str, resolution: &str) {
        self.state().resolutions.insert(ticket.to_owned(), resolution.to_owned());
    }

    pub fn notes(&self) -> Vec<StoredNote> {
        self.state().notes.clone()
    }

    pub fn notes_for(&self, ticket: &str) -> Vec<StoredNote> {
        self.notes().into_iter().filter(|n| n.ticket_id == ticket).collect()
    }

    /// How many notes were stored.
    pub fn note_count(&self) -> usize {
        self.state().notes.len()
    }

    /// When the first note of each ticket arrived.
    pub fn first_arrivals(&self) -> std::collections::HashMap<String, Instant> {
        let mut first = std::collections::HashMap::new();
        for note in &self.state().notes {
            first.entry(note.ticket_id.clone()).or_insert(note.at);
        }
        first
    }

    /// When each note post arrived, failed ones included.
    pub fn note_attempts(&self) -> Vec<Instant> {
        self.state().note_attempts.clone()
    }

    /// How many ticket fetches were answered.
    pub fn tickets_served(&self) -> u64 {
        self.shared.tickets_served.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, ToolState> {
        self.shared.state()
    }
}
