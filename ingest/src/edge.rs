//! The per-request limits at ingest's edge: how many webhooks are handled at once (beyond it the request is
//! shed with 503 at once rather than queued), how long a body may take to arrive, and how long a whole
//! request may take. The connection-level limits (header read timeout, connection count, shutdown grace)
//! live with the accept loop in `startup::connections`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use enhancer_shared::config::IngestConfig;
use tokio::sync::Semaphore;
use tower_http::timeout::DeadlineBody;

use crate::error::ApiError;
use crate::metrics::Metrics;

/// The limits of one webhook request.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Bodies above this are refused (413) while being read.
    pub body_limit_bytes: usize,
    /// The whole body must have arrived this long after the headers (a deadline, not an idle timeout: a
    /// client dripping one byte a second is cut off too). Beyond it: 408.
    pub body_read_timeout: Duration,
    /// The whole request, body and handling, must be answered within this. Beyond it: 503.
    pub request_timeout: Duration,
    /// Webhooks handled at once; one more is answered 503 at once.
    pub max_concurrent_requests: usize,
}

impl HttpLimits {
    pub fn from_config(config: &IngestConfig) -> Self {
        Self {
            body_limit_bytes: config.body_limit_bytes,
            body_read_timeout: Duration::from_millis(config.body_read_timeout_ms),
            request_timeout: Duration::from_millis(config.request_timeout_ms),
            max_concurrent_requests: config.max_concurrent_requests,
        }
    }
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self::from_config(&IngestConfig::default())
    }
}

/// What the request guard holds: the limits, the permits and the shed counter.
#[derive(Debug, Clone)]
pub(crate) struct RequestGuard {
    body_read_timeout: Duration,
    request_timeout: Duration,
    permits: Arc<Semaphore>,
    metrics: Metrics,
}

impl RequestGuard {
    pub(crate) fn new(limits: &HttpLimits, metrics: Metrics) -> Self {
        Self {
            body_read_timeout: limits.body_read_timeout,
            request_timeout: limits.request_timeout,
            permits: Arc::new(Semaphore::new(limits.max_concurrent_requests.max(1))),
            metrics,
        }
    }
}

/// Sheds the request when the process is full, puts a deadline on its body and on its answer.
pub(crate) async fn guard_request(State(guard): State<RequestGuard>, request: Request, next: Next) -> Response {
    let Ok(_permit) = Arc::clone(&guard.permits).try_acquire_owned() else {
        guard.metrics.shed.with_label_values(&["concurrency"]).inc();
        return ApiError::Unavailable { reason: "overloaded", retry_after: Duration::from_secs(1) }.into_response();
    };
    let request = request.map(|body| Body::new(DeadlineBody::new(guard.body_read_timeout, body)));
    match tokio::time::timeout(guard.request_timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout = ?guard.request_timeout, "webhook not answered in time; answering 503");
            ApiError::Unavailable { reason: "request timeout", retry_after: Duration::from_secs(1) }.into_response()
        }
    }
}

/// Whether a body error is the body deadline passing (408), rather than a broken body (400).
pub(crate) fn is_body_timeout(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(err) = current {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        current = err.source();
    }
    false
}
