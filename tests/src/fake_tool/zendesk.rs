//! Zendesk Support REST v2 as the plugin calls it, at the root of the fake: `GET /api/v2/tickets/{id}`, the
//! requester at `GET /api/v2/users/{id}`, notes added as a comment by `PUT /api/v2/tickets/{id}` (answered
//! with the update's `audit`), and comments listed with cursor pagination (`page[size]`, `page[after]`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::state::{Shared, TicketSpec};

/// The user id of the fake's integration account: the author of every stored note.
pub const ZENDESK_BOT_ID: u64 = 900_001;

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/tickets/{id}", get(ticket).put(update))
        .route("/api/v2/tickets/{id}/comments", get(comments))
        .route("/api/v2/users/{id}", get(user))
}

/// Zendesk ids are numbers; the fake answers any id, as a number when it is one.
fn id_value(id: &str) -> Value {
    id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n))
}

/// The catalogue's word in Zendesk's vocabulary (`urgent`, `high`, `normal`, `low`).
fn priority(word: &str) -> &str {
    match word {
        "critical" => "urgent",
        "medium" => "normal",
        other => other,
    }
}

async fn ticket(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Json<Value> {
    let served = shared.ticket(&id).await;
    let status = if served.resolution.is_some() { "solved" } else { "open" };
    Json(json!({"ticket": {
        "id": id_value(&id),
        "url": format!("https://fake.zendesk.com/api/v2/tickets/{id}.json"),
        "subject": served.spec.subject,
        "description": served.spec.description,
        "priority": priority(&served.spec.priority),
        "status": status,
        "type": "incident",
        // The requester's user id is the ticket's id, so `/users/{id}` finds the catalogue entry.
        "requester_id": id_value(&id),
        "created_at": "2026-11-25T11:58:00Z",
        "updated_at": "2026-11-25T11:58:00Z",
        "via": {"channel": "web"},
    }}))
}

async fn user(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Json<Value> {
    // Read the catalogue directly: a user lookup is not a ticket fetch (no delay, not counted).
    let spec = shared.state().tickets.get(&id).cloned().unwrap_or_else(|| TicketSpec::default_for(&id));
    Json(json!({"user": {"id": id_value(&id), "name": "Requester", "email": spec.requester, "role": "end-user"}}))
}

async fn update(State(shared): State<Arc<Shared>>, Path(id): Path<String>, Json(update): Json<Value>) -> Response {
    let comment = &update["ticket"]["comment"];
    if comment.get("html_body").or_else(|| comment.get("body")).is_none() {
        let refused = json!({"error": "RecordInvalid", "description": "Record validation errors",
            "details": {"base": [{"description": "Comment: cannot be blank"}]}});
        return (StatusCode::UNPROCESSABLE_ENTITY, Json(refused)).into_response();
    }
    let public = comment["public"].as_bool().unwrap_or(true);
    match shared.store_note(&id, update) {
        Ok(note_id) => Json(json!({
            "ticket": {"id": id_value(&id), "status": "open"},
            "audit": {"id": 10_000 + note_id, "ticket_id": id_value(&id), "author_id": ZENDESK_BOT_ID, "events": [
                {"id": note_id, "type": "Comment", "author_id": ZENDESK_BOT_ID, "public": public}
            ]}
        }))
        .into_response(),
        Err(failure) => failure.into_response(),
    }
}

async fn comments(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let size: usize = query.get("page[size]").and_then(|v| v.parse().ok()).unwrap_or(100).clamp(1, 100);
    // The cursor is the index of the next comment, as text.
    let start: usize = query.get("page[after]").and_then(|v| v.parse().ok()).unwrap_or(0);
    let all = shared.notes_of(&id);
    let total = all.len();
    let page: Vec<Value> = all
        .into_iter()
        .skip(start)
        .take(size)
        .map(|(note_id, body, marker)| {
            let comment = &body["ticket"]["comment"];
            let html = comment["html_body"].as_str().map(str::to_owned).unwrap_or_else(|| marker.unwrap_or_default());
            json!({"id": note_id, "type": "Comment", "author_id": ZENDESK_BOT_ID, "html_body": html,
                   "public": comment["public"].as_bool().unwrap_or(true)})
        })
        .collect();
    let next = start + page.len();
    let has_more = next < total;
    Json(json!({
        "comments": page,
        "meta": {"has_more": has_more, "after_cursor": has_more.then(|| next.to_string()), "before_cursor": null},
        "links": {"next": null, "prev": null},
    }))
}
