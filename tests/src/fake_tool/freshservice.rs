//! Freshservice API v2 as the plugin calls it, served under the prefix `/freshservice` (Zendesk's routes
//! hold `/api/v2/tickets/...` at the root, so a Freshservice tenant's base URL is the fake's base URL plus
//! `/freshservice`): `GET /api/v2/tickets/{id}`, conversations listed page by page (`page`, `per_page`, a
//! `Link: rel="next"` header) and private notes posted under `/api/v2/tickets/{id}/notes`. Every call must
//! carry Basic credentials with the password `X`, as the real API expects for an API key.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::state::Shared;

/// Where the routes are nested on the fake tool.
pub const PREFIX: &str = "/freshservice";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v2/tickets/{id}", get(ticket))
        .route("/api/v2/tickets/{id}/conversations", get(conversations))
        .route("/api/v2/tickets/{id}/notes", post(post_note))
}

/// Whether the call carries `Basic base64(<api key>:X)`.
fn authorized(headers: &HeaderMap) -> bool {
    let decoded = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Basic "))
        .and_then(|encoded| STANDARD.decode(encoded).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok());
    matches!(decoded.as_deref().and_then(|pair| pair.split_once(':')), Some((key, "X")) if !key.is_empty())
}

/// Freshservice's answer to a missing or wrong API key.
fn unauthorized() -> Response {
    let body = json!({"code": "invalid_credentials", "message": "You have to be logged in to perform this action."});
    (StatusCode::UNAUTHORIZED, Json(body)).into_response()
}

/// The catalogue's word as Freshservice's number (1 Low .. 4 Urgent).
fn priority_number(word: &str) -> u8 {
    match word {
        "critical" | "urgent" => 4,
        "high" => 3,
        "low" => 1,
        _ => 2,
    }
}

/// Numeric ids are numbers in Freshservice's JSON.
fn id_value(id: &str) -> Value {
    id.parse::<u64>().map_or_else(|_| json!(id), |number| json!(number))
}

async fn ticket(State(shared): State<Arc<Shared>>, Path(id): Path<String>, headers: HeaderMap) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let served = shared.ticket(&id).await;
    let status = if served.resolution.is_some() { 4 } else { 2 };
    Json(json!({
        "ticket": {
            "id": id_value(&id),
            "subject": served.spec.subject,
            "description": format!("<div>{}</div>", served.spec.description),
            "description_text": served.spec.description,
            "priority": priority_number(&served.spec.priority),
            "status": status,
            "requester_id": 1_000_000_001_u64,
            "type": "Incident",
            "created_at": "2026-11-25T11:58:00Z",
            "updated_at": "2026-11-25T11:58:00Z",
        }
    }))
    .into_response()
}

async fn conversations(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    let page: usize = query.get("page").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
    let per_page: usize = query.get("per_page").and_then(|v| v.parse().ok()).unwrap_or(30).clamp(1, 100);
    let all = shared.notes_of(&id);
    let total = all.len();
    let items: Vec<Value> = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|(note_id, body, marker)| {
            let html = body["body"].as_str().map_or_else(|| marker.unwrap_or_default(), str::to_owned);
            json!({
                "id": note_id,
                "body": html,
                "body_text": strip_tags(&html),
                "ticket_id": id_value(&id),
                "private": body["private"],
                "incoming": false,
            })
        })
        .collect();
    let mut response = Json(json!({"conversations": items, "meta": {"count": total}})).into_response();
    if page * per_page < total {
        let next =
            format!("<{PREFIX}/api/v2/tickets/{id}/conversations?page={}&per_page={per_page}>; rel=\"next\"", page + 1);
        if let Ok(value) = next.parse() {
            response.headers_mut().insert(header::LINK, value);
        }
    }
    response
}

async fn post_note(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(note): Json<Value>,
) -> Response {
    if !authorized(&headers) {
        return unauthorized();
    }
    if !note["body"].is_string() {
        let refused = json!({"description": "Validation failed",
            "errors": [{"field": "body", "message": "It should be a/an String", "code": "missing_field"}]});
        return (StatusCode::BAD_REQUEST, Json(refused)).into_response();
    }
    let private = note["private"].clone();
    let html = note["body"].as_str().unwrap_or_default().to_owned();
    match shared.store_note(&id, note) {
        Ok(note_id) => (
            StatusCode::CREATED,
            Json(json!({"conversation": {
                "id": note_id,
                "body": html,
                "body_text": strip_tags(&html),
                "ticket_id": id_value(&id),
                "private": private,
                "incoming": false,
            }})),
        )
            .into_response(),
        Err(failure) => failure.into_response(),
    }
}

/// The text of a note's HTML, roughly as Freshservice's `body_text` has it.
fn strip_tags(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}
