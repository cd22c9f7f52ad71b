//! The one error type of the HTTP layer. Each variant maps to one row of the contract (docs/DESIGN.md section 4)
//! with a stable snake_case code; internals are logged once where they happen and never echoed.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Bad or missing signature, stale timestamp. Deliberately says nothing about which check failed.
    #[error("unauthorized")]
    Unauthorized,
    #[error("unknown tenant")]
    UnknownTenant,
    #[error("malformed payload: {0}")]
    Malformed(String),
    #[error("payload too large")]
    PayloadTooLarge,
    /// The body did not arrive within `ingest.body_read_timeout_ms`.
    #[error("request timeout")]
    RequestTimeout,
    #[error("rate limited")]
    RateLimited { retry_after: Duration },
    /// The tenant exists but its stored row cannot be used (corrupt, or its secrets sealed with a key this
    /// process does not have): retrying cannot help until an operator fixes it.
    #[error("tenant unusable")]
    TenantUnusable,
    /// Broker or database unavailable: the tool should retry; nothing was accepted.
    #[error("unavailable: {reason}")]
    Unavailable { reason: &'static str, retry_after: Duration },
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::UnknownTenant => StatusCode::NOT_FOUND,
            ApiError::Malformed(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::TenantUnusable => StatusCode::INTERNAL_SERVER_ERROR,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    /// The stable code in the body and the `outcome` label in metrics.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::UnknownTenant => "unknown_tenant",
            ApiError::Malformed(_) => "malformed_payload",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::RequestTimeout => "request_timeout",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::TenantUnusable => "tenant_unusable",
            ApiError::Unavailable { .. } => "unavailable",
        }
    }

    fn retry_after(&self) -> Option<Duration> {
        match self {
            ApiError::RateLimited { retry_after } | ApiError::Unavailable { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = match &self {
            // The reason of a 400 is ours (from `extract`), short, and helps the tool's admin fix a template.
            ApiError::Malformed(reason) => json!({"error": self.code(), "reason": reason}),
            _ => json!({"error": self.code()}),
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(after) = self.retry_after() {
            // Whole seconds, rounded up: `Retry-After: 0` would invite an immediate retry storm.
            let secs = after.as_secs() + u64::from(after.subsec_nanos() > 0);
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs.max(1)));
        }
        response
    }
}
