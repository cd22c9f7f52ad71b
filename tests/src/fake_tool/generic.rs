//! The generic tool's REST API (docs/PLUGINS.md): `GET /tickets/{id}`, `GET /tickets/{id}/notes`,
//! `POST /notes`.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::state::Shared;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/tickets/{id}", get(ticket))
        .route("/tickets/{id}/notes", get(notes))
        .route("/notes", post(post_note))
}

async fn ticket(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Json<Value> {
    let served = shared.ticket(&id).await;
    let status = if served.resolution.is_some() { "resolved" } else { "open" };
    Json(json!({
        "id": id,
        "subject": served.spec.subject,
        "description": served.spec.description,
        "status": status,
        "resolution": served.resolution,
        "priority": served.spec.priority,
        "requester": served.spec.requester,
        "created_at": "2026-11-25T11:58:00Z",
        "url": format!("https://helpdesk.example.com/tickets/{id}")
    }))
}

async fn notes(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Json<Value> {
    let notes: Vec<Value> = shared
        .notes_of(&id)
        .into_iter()
        .map(|(note_id, body, marker)| json!({"id": note_id, "marker": marker, "body_markdown": body["body_markdown"]}))
        .collect();
    Json(json!({"notes": notes}))
}

async fn post_note(State(shared): State<Arc<Shared>>, Json(note): Json<Value>) -> Response {
    let Some(ticket) = note["ticket_id"].as_str().map(str::to_owned) else {
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(json!({"error": "ticket_id missing"}))).into_response();
    };
    match shared.store_note(&ticket, note) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Err(failure) => failure.into_response(),
    }
}
