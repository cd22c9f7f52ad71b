//! The axum router: routes, the webhook's edge limits (body size and deadline, request deadline, requests at
//! once: `crate::edge`), request ids and the request span.

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, Request};
use axum::routing::{get, post};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::edge::{HttpLimits, RequestGuard, guard_request};
use crate::health;
use crate::state::AppState;
use crate::webhook;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

pub fn router(state: AppState, limits: &HttpLimits) -> Router {
    let guard = RequestGuard::new(limits, state.metrics.clone());
    let webhooks = Router::new()
        .route("/webhooks/{tenant_id}", post(webhook::receive))
        // Bodies above the limit are refused (413) while being read, never buffered in full.
        .layer(DefaultBodyLimit::max(limits.body_limit_bytes))
        // Only webhooks are shed and timed: probes and metrics must answer while ingest is full.
        .layer(axum::middleware::from_fn_with_state(guard, guard_request));
    Router::new()
        .merge(webhooks)
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(health::openapi))
        // Behind an Arc: axum clones the state for every request, and a clone of its many parts (strings,
        // pools, metric handles) showed up in the profile.
        .with_state(Arc::new(state))
        .layer(
            tower::ServiceBuilder::new()
                // A caller's `x-request-id` is kept (a tool or proxy may set it); otherwise a UUID is made.
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                    let request_id = request.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    // OpenTelemetry HTTP server span conventions; the route, not the raw path, names the span.
                    tracing::info_span!(
                        "http_request",
                        otel.name = span_name(request.method(), request.uri().path()),
                        otel.kind = "server",
                        http.request.method = %request.method(),
                        url.path = %request.uri().path(),
                        request_id = %request_id,
                    )
                }))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
}

/// `{method} {route}` for the routes we serve (a static string: the span is made for every request, and the
/// route template, not the raw path, keeps names low-cardinality); anything else is plain `HTTP`.
fn span_name(method: &Method, path: &str) -> &'static str {
    match (method.as_str(), path) {
        ("POST", p) if p.starts_with("/webhooks/") => "POST /webhooks/{tenant_id}",
        ("GET", "/healthz") => "GET /healthz",
        ("GET", "/readyz") => "GET /readyz",
        ("GET", "/metrics") => "GET /metrics",
        ("GET", "/openapi.json") => "GET /openapi.json",
        _ => "HTTP",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_names_use_the_route_template() {
        assert_eq!(span_name(&Method::POST, "/webhooks/acme"), "POST /webhooks/{tenant_id}");
        assert_eq!(span_name(&Method::GET, "/metrics"), "GET /metrics");
        assert_eq!(span_name(&Method::GET, "/webhooks/acme"), "HTTP");
        assert_eq!(span_name(&Method::GET, "/nope"), "HTTP");
    }
}
