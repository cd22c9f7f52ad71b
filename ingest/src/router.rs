//! The axum router: routes, the body limit, request ids and the request span.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::health;
use crate::state::AppState;
use crate::webhook;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState, body_limit_bytes: usize) -> Router {
    let webhooks = Router::new()
        .route("/webhooks/{tenant_id}", post(webhook::receive))
        // Bodies above the limit are refused (413) while being read, never buffered in full.
        .layer(DefaultBodyLimit::max(body_limit_bytes));
    Router::new()
        .merge(webhooks)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(health::openapi))
        .with_state(state)
        .layer(
            tower::ServiceBuilder::new()
                // A caller's `x-request-id` is kept (a tool or proxy may set it); otherwise a UUID is made.
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    let request_id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    // OpenTelemetry HTTP server span conventions; the route, not the raw path, names the span.
                    tracing::info_span!(
                        "http_request",
                        otel.name = %format!("{} {}", request.method(), route_of(request.uri().path())),
                        otel.kind = "server",
                        http.request.method = %request.method(),
                        url.path = %request.uri().path(),
                        request_id = %request_id,
                    )
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
}

/// The route template of a path, so span names stay low-cardinality.
fn route_of(path: &str) -> &'static str {
    match path {
        "/healthz" => "/healthz",
        "/readyz" => "/readyz",
        "/metrics" => "/metrics",
        "/openapi.json" => "/openapi.json",
        p if p.starts_with("/webhooks/") => "/webhooks/{tenant_id}",
        _ => "unmatched",
    }
}
