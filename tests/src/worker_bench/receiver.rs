//! The benchmark's ticketing tool: a minimal axum server speaking the generic plugin's REST API that
//! answers at once (no lock on the common path), counts the notes posted to it and, when asked, records
//! when the first note for each ticket arrived (for the latency scenario).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::watch;

/// What the receiver saw; cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Received {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    tickets_served: AtomicU64,
    notes: AtomicU64,
    /// `Some` only in the latency scenario: ticket id -> when its first note arrived.
    arrivals: Option<Mutex<HashMap<String, Instant>>>,
}

impl Received {
    pub fn notes(&self) -> u64 {
        self.inner.notes.load(Ordering::Relaxed)
    }

    pub fn tickets_served(&self) -> u64 {
        self.inner.tickets_served.load(Ordering::Relaxed)
    }

    /// When the first note for `ticket` arrived (latency scenario only).
    pub fn arrival(&self, ticket: &str) -> Option<Instant> {
        self.inner.arrivals.as_ref()?.lock().expect("arrivals lock").get(ticket).copied()
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn ticket(State(received): State<Received>, Path(id): Path<String>) -> Response {
    received.inner.tickets_served.fetch_add(1, Ordering::Relaxed);
    // Ticket ids here are `BENCH-<n>` / `LAT-<n>`: nothing to escape.
    json(
        StatusCode::OK,
        format!(
            r#"{{"id":"{id}","subject":"VPN drops every 10 minutes ({id})","description":"Since this morning the VPN client disconnects every ten minutes. Laptop LT-0042 in Berlin, address 10.20.30.40.","status":"open","priority":"high","requester":"alice@example.com","url":"https://helpdesk.example.com/tickets/{id}"}}"#
        ),
    )
}

/// `find_note` is only called on retries; the benchmark has none, so an empty list is the truth.
async fn list_notes() -> Response {
    json(StatusCode::OK, r#"{"notes":[]}"#.to_owned())
}

async fn post_note(State(received): State<Received>, body: Bytes) -> Response {
    let n = received.inner.notes.fetch_add(1, Ordering::Relaxed) + 1;
    if let Some(arrivals) = &received.inner.arrivals {
        let at = Instant::now();
        let note: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        if let Some(ticket) = note["ticket_id"].as_str() {
            arrivals.lock().expect("arrivals lock").entry(ticket.to_owned()).or_insert(at);
        }
    }
    json(StatusCode::CREATED, format!(r#"{{"id":{n}}}"#))
}

/// Serves on a random loopback port until `stop` flips to true. `record_arrivals` turns on the per-ticket
/// arrival times.
pub async fn start(record_arrivals: bool, mut stop: watch::Receiver<bool>) -> std::io::Result<(SocketAddr, Received)> {
    let received =
        Received { inner: Arc::new(Inner { arrivals: record_arrivals.then(Mutex::default), ..Inner::default() }) };
    let app = Router::new()
        .route("/tickets/{id}", get(ticket))
        .route("/tickets/{id}/notes", get(list_notes))
        .route("/notes", post(post_note))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await;
    });
    Ok((address, received))
}
