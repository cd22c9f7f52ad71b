//! ServiceNow's Table API as the plugin calls it: records under `/api/now/table/{table}/{sys_id}` (raw string
//! values, reference fields as `{link, value}`), work notes PATCHed onto them and listed through
//! `/api/now/table/sys_journal_field` (encoded query, `sysparm_limit`/`sysparm_offset`), and an
//! `/oauth_token.do` that hands out a token to any grant (the routes do not check credentials).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::state::Shared;

const JOURNAL: &str = "sys_journal_field";

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/now/table/{table}", get(list))
        .route("/api/now/table/{table}/{sys_id}", get(record).patch(patch_record))
        .route("/oauth_token.do", post(token))
}

fn not_found() -> Response {
    let error = json!({"error": {"message": "No Record found",
        "detail": "Record doesn't exist or ACL restricts the record retrieval"}, "status": "failure"});
    (StatusCode::NOT_FOUND, Json(error)).into_response()
}

async fn record(State(shared): State<Arc<Shared>>, Path((table, sys_id)): Path<(String, String)>) -> Response {
    if table == JOURNAL {
        return not_found();
    }
    let served = shared.ticket(&sys_id).await;
    let priority = match served.spec.priority.as_str() {
        "critical" => "1",
        "high" => "2",
        "low" => "4",
        _ => "3",
    };
    let state = if served.resolution.is_some() { "6" } else { "2" };
    Json(json!({"result": {
        "sys_id": sys_id,
        "number": "INC0010001",
        "short_description": served.spec.subject,
        "description": served.spec.description,
        "priority": priority,
        "state": state,
        "opened_at": "2026-11-25 11:58:00",
        "sys_created_on": "2026-11-25 11:58:00",
        "sys_updated_on": "2026-11-25 11:58:00",
        "caller_id": {"link": format!("/api/now/table/sys_user/{:032x}", 7), "value": format!("{:032x}", 7)},
        "caller_id.email": served.spec.requester,
        "close_notes": served.resolution.unwrap_or_default(),
    }}))
    .into_response()
}

async fn patch_record(
    State(shared): State<Arc<Shared>>,
    Path((table, sys_id)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    if table == JOURNAL {
        return not_found();
    }
    // The plugin only ever writes work notes; anything else is a defect worth a loud answer.
    if body.get("work_notes").and_then(Value::as_str).is_none() {
        let refused = json!({"error": {"message": "expected work_notes", "detail": null}, "status": "failure"});
        return (StatusCode::BAD_REQUEST, Json(refused)).into_response();
    }
    match shared.store_note(&sys_id, body) {
        Ok(_) => Json(json!({"result": {"sys_id": sys_id}})).into_response(),
        Err(failure) => failure.into_response(),
    }
}

/// `sys_journal_field` filtered by the encoded query the plugin sends (`element_id=`, `element=`,
/// `valueLIKE`), paged; any other table answers an empty list (lookups by number are not faked).
async fn list(
    State(shared): State<Arc<Shared>>,
    Path(table): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Json<Value> {
    if table != JOURNAL {
        return Json(json!({"result": []}));
    }
    let conditions: Vec<&str> = params.get("sysparm_query").map(|q| q.split('^').collect()).unwrap_or_default();
    let condition = |prefix: &str| conditions.iter().find_map(|c| c.strip_prefix(prefix));
    let Some(element_id) = condition("element_id=") else { return Json(json!({"result": []})) };
    let element = condition("element=").unwrap_or("work_notes");
    let contains = condition("valueLIKE").unwrap_or("");
    let limit: usize = params.get("sysparm_limit").and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let offset: usize = params.get("sysparm_offset").and_then(|v| v.parse().ok()).unwrap_or(0);
    let entries: Vec<Value> = shared
        .notes_of(element_id)
        .into_iter()
        .rev()
        .filter_map(|(id, body, marker)| {
            let value = body["work_notes"].as_str().map(str::to_owned).or(marker)?;
            (element == "work_notes" && value.contains(contains)).then(|| {
                json!({"sys_id": format!("{id:032x}"), "element": "work_notes", "element_id": element_id,
                       "name": "incident", "value": value})
            })
        })
        .skip(offset)
        .take(limit)
        .collect();
    Json(json!({"result": entries}))
}

async fn token() -> Json<Value> {
    Json(json!({"access_token": "fake-servicenow-access-token", "refresh_token": "fake-servicenow-refresh-token",
                "scope": "useraccount", "token_type": "Bearer", "expires_in": 1799}))
}
