//! The two axum routers: the public one (only `POST /webhooks/{tenant_id}`, with the webhook's edge limits:
//! body size and deadline, request deadline, requests at once, `crate::edge`) and the admin one (probes,
//! metrics and the OpenAPI document, on `ingest.admin_listen`); both with request ids and the request span.

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

/// The public listener's routes: webhooks only. Probes, metrics and the OpenAPI document are on the admin
/// listener ([`admin_router`]), so that what a tool (or anyone on the internet) can reach is the one route
/// that verifies a signature; anything else answers 404.
pub fn router(state: Arc<AppState>, limits: &HttpLimits) -> Router {
    let guard = RequestGuard::new(limits, state.metrics.clone());
    let webhooks = Router::new()
        .route("/webhooks/{tenant_id}", post(webhook::receive))
        // Bodies above the limit are refused (413) while being read, never buffered in full.
        .layer(DefaultBodyLimit::max(limits.body_limit_bytes))
        .layer(axum::middleware::from_fn_with_state(guard, guard_request))
        .with_state(state);
    observed(webhooks)
}

/// The admin listener's routes: `/healthz`, `/readyz`, `/metrics` and `/openapi.json`. Not shed nor timed
/// by the webhook guard: probes and metrics must answer while ingest is full.
pub fn admin_router(state: Arc<AppState>) -> Router {
    let admin = Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(health::openapi))
        .with_state(state);
    observed(admin)
}

/// Request ids and the request span, the same on both listeners.
fn observed(routes: Router) -> Router {
    routes.layer(
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
