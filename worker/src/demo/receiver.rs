//! A small local ticketing tool for the demo: it speaks the generic plugin's REST API (serves tickets,
//! stores the notes posted to it) so the demo needs nothing outside this machine.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::watch;

use super::samples::SAMPLES;

/// The notes the receiver got, by ticket id.
#[derive(Debug, Clone, Default)]
pub struct Received {
    notes: Arc<Mutex<HashMap<String, Vec<Value>>>>,
}

impl Received {
    pub fn count(&self) -> usize {
        self.notes.lock().expect("notes lock").values().map(Vec::len).sum()
    }

    pub fn for_ticket(&self, ticket: &str) -> Vec<Value> {
        self.notes.lock().expect("notes lock").get(ticket).cloned().unwrap_or_default()
    }
}

async fn ticket(Path(id): Path<String>) -> Response {
    match SAMPLES.iter().find(|s| s.id == id) {
        Some(s) => Json(json!({
            "id": s.id, "subject": s.subject, "description": s.description, "status": "open",
            "priority": s.priority, "requester": s.requester,
            "url": format!("https://helpdesk.example.com/tickets/{}", s.id)
        }))
        .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn notes(State(received): State<Received>, Path(id): Path<String>) -> Json<Value> {
    let notes: Vec<Value> = received
        .for_ticket(&id)
        .iter()
        .enumerate()
        .map(|(n, note)| json!({"id": format!("{id}-note-{}", n + 1), "marker": note["marker"], "body_markdown": note["body_markdown"]}))
        .collect();
    Json(json!({"notes": notes}))
}

async fn post_note(State(received): State<Received>, Json(note): Json<Value>) -> Response {
    let Some(ticket) = note["ticket_id"].as_str().map(str::to_owned) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": "ticket_id missing"}))).into_response();
    };
    let mut all = received.notes.lock().expect("notes lock");
    let list = all.entry(ticket.clone()).or_default();
    list.push(note);
    (StatusCode::CREATED, Json(json!({"id": format!("{ticket}-note-{}", list.len())}))).into_response()
}

/// Serves on a random local port until `stop` flips to true.
pub async fn start(mut stop: watch::Receiver<bool>) -> std::io::Result<(SocketAddr, Received)> {
    let received = Received::default();
    let app = Router::new()
        .route("/tickets/{id}", get(ticket))
        .route("/tickets/{id}/notes", get(notes))
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
