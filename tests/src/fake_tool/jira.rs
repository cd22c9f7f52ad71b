//! Jira Cloud REST v3 as the plugin calls it: `GET /rest/api/3/issue/{key}` (ADF description), comments
//! listed (paged: `startAt`, `maxResults`, `total`) and posted under `/rest/api/3/issue/{key}/comment`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::state::{Shared, capitalized};

pub(super) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/rest/api/3/issue/{key}", get(issue))
        .route("/rest/api/3/issue/{key}/comment", get(comments).post(post_comment))
}

fn adf(text: &str) -> Value {
    json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    ]})
}

async fn issue(State(shared): State<Arc<Shared>>, Path(key): Path<String>) -> Json<Value> {
    let served = shared.ticket(&key).await;
    let (status, resolution) = match &served.resolution {
        Some(text) => ("Done", json!({"name": text})),
        None => ("Open", Value::Null),
    };
    Json(json!({
        "id": "10001",
        "key": key,
        "fields": {
            "summary": served.spec.subject,
            "description": adf(&served.spec.description),
            "priority": {"name": capitalized(&served.spec.priority)},
            "status": {"name": status},
            "reporter": {"displayName": "Requester", "emailAddress": served.spec.requester},
            "created": "2026-11-25T11:58:00.000+0000",
            "updated": "2026-11-25T11:58:00.000+0000",
            "resolution": resolution,
            "resolutiondate": served.resolution.as_ref().map(|_| "2026-11-26T09:00:00.000+0000"),
        }
    }))
}

async fn comments(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let start: usize = query.get("startAt").and_then(|v| v.parse().ok()).unwrap_or(0);
    let max: usize = query.get("maxResults").and_then(|v| v.parse().ok()).unwrap_or(50).clamp(1, 100);
    let all = shared.notes_of(&key);
    let total = all.len();
    let page: Vec<Value> = all
        .into_iter()
        .skip(start)
        .take(max)
        .map(|(id, body, marker)| {
            let body = match body.get("body") {
                Some(doc) => doc.clone(),
                None => adf(&marker.unwrap_or_default()),
            };
            json!({"id": id.to_string(), "body": body})
        })
        .collect();
    Json(json!({"startAt": start, "maxResults": max, "total": total, "comments": page}))
}

async fn post_comment(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    Json(comment): Json<Value>,
) -> Response {
    if comment.get("body").is_none() {
        let refused = json!({"errorMessages": [], "errors": {"comment": "Comment body can not be empty!"}});
        return (StatusCode::BAD_REQUEST, Json(refused)).into_response();
    }
    match shared.store_note(&key, comment) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id.to_string()}))).into_response(),
        Err(failure) => failure.into_response(),
    }
}
