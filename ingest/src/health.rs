//! `/healthz` (the process answers), `/readyz` (broker connected and database reachable), `/metrics` and
//! `/openapi.json`.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::state::AppState;

pub async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// Not ready while the broker or the database is away: a load balancer then stops sending webhooks here
/// rather than having them answered 503. Checking also reconnects a broker link that was lost.
pub async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    let broker = state.publisher.ensure_connected().await;
    // A bounded ping: readiness must answer within the probe's own timeout.
    let database = matches!(tokio::time::timeout(Duration::from_secs(2), state.tenants.reachable()).await, Ok(true));
    let body = Json(json!({
        "status": if broker && database { "ready" } else { "not_ready" },
        "broker": broker,
        "database": database,
        "redis": state.admission.store_connected(),
    }));
    let status = if broker && database { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, body).into_response()
}

pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

/// The OpenAPI 3 document of the HTTP contract, written by hand and checked by a test against the router.
pub const OPENAPI: &str = include_str!("../openapi.json");

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}
