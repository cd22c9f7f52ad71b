//! ServiceDesk Plus v3 as the plugin calls it: `GET /api/v3/requests/{id}`, the request's notes listed and
//! posted under `/api/v3/requests/{id}/notes` (a form field `input_data` holding JSON), every answer in the
//! `response_status` envelope.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::state::{Shared, capitalized};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v3/requests/{id}", get(request))
        .route("/api/v3/requests/{id}/notes", get(notes).post(post_note))
}

fn success() -> Value {
    json!({"status_code": 2000, "status": "success"})
}

async fn request(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Json<Value> {
    let served = shared.ticket(&id).await;
    let status = if served.resolution.is_some() { "Resolved" } else { "Open" };
    Json(json!({
        "response_status": success(),
        "request": {
            "id": id,
            "subject": served.spec.subject,
            "description": format!("<div>{}</div>", served.spec.description),
            "status": {"name": status},
            "priority": {"name": capitalized(&served.spec.priority)},
            "requester": {"name": "Requester", "email_id": served.spec.requester},
            "created_time": {"display_value": "Nov 25, 2026 11:58 AM", "value": "1795607880000"},
            "resolution": served.resolution.map(|text| json!({"content": format!("<p>{text}</p>")})),
        }
    }))
}

async fn notes(State(shared): State<Arc<Shared>>, Path(id): Path<String>) -> Json<Value> {
    let notes: Vec<Value> = shared
        .notes_of(&id)
        .into_iter()
        .map(|(note_id, body, marker)| {
            let wrapped = body.get("request_note").or_else(|| body.get("note"));
            let description = wrapped
                .and_then(|note| note["description"].as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("<p><small>{}</small></p>", marker.unwrap_or_default()));
            json!({"id": note_id.to_string(), "description": description, "show_to_requester": false})
        })
        .collect();
    let count = notes.len();
    Json(json!({
        "response_status": [success()],
        "list_info": {"has_more_rows": false, "row_count": count, "start_index": 1},
        "notes": notes
    }))
}

async fn post_note(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some(input) = form.get("input_data").and_then(|raw| serde_json::from_str::<Value>(raw).ok()) else {
        let refused = json!({"response_status": {"status_code": 4000, "status": "failed",
            "messages": [{"status_code": 4012, "message": "input_data missing"}]}});
        return (StatusCode::BAD_REQUEST, Json(refused)).into_response();
    };
    match shared.store_note(&id, input) {
        Ok(note_id) => (
            StatusCode::CREATED,
            Json(json!({"response_status": success(), "request_note": {"id": note_id.to_string()}})),
        )
            .into_response(),
        Err(failure) => failure.into_response(),
    }
}
