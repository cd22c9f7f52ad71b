//! The webhook handler. It answers `202` only after the broker confirmed the job; on any failure before
//! that, nothing is half-accepted: the dedup claim is released and the tool is told to retry. Of admission
//! it calls only `admit`, then `confirmed` or `failed`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use enhancer_plugins::{ExtractError, WebhookRequest};
use enhancer_shared::domain::{EnhancementJob, JobPurpose, TenantId};
use enhancer_shared::error::Retryable as _;
use enhancer_shared::queue::JobHeaders;
use enhancer_shared::tenant::TenantStoreError;
use serde_json::json;
use uuid::Uuid;

use super::idempotency::job_key;
use super::policy::{Policy, decide};
use crate::admission::{Claim, Verdict};
use crate::error::ApiError;
use crate::state::AppState;

/// Labels for metrics about a request whose tenant is not (yet) known: unknown ids must not create series.
const UNKNOWN: &str = "_unknown";

pub async fn receive(
    State(state): State<Arc<AppState>>,
    Path(tenant): Path<String>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let started = Instant::now();
    let mut labels = (UNKNOWN.to_owned(), UNKNOWN.to_owned());
    let result = match body {
        Ok(body) => handle(&state, &tenant, &method, &uri, query.as_deref(), &headers, &body, &mut labels).await,
        // The body limit layer stops reading at the limit; the tool gets a JSON 413 like every other answer.
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError::PayloadTooLarge),
        // The body deadline (`crate::edge`) passed while it was being read: the client was too slow.
        Err(rejection) if crate::edge::is_body_timeout(&rejection) => Err(ApiError::RequestTimeout),
        Err(rejection) => Err(ApiError::Malformed(rejection.body_text())),
    };
    let (outcome, response) = match result {
        Ok((outcome, response)) => (outcome, response),
        Err(err) => (err.code(), err.into_response()),
    };
    state.metrics.requests.with_label_values(&[&labels.0, &labels.1, outcome]).inc();
    state.metrics.latency.with_label_values(&[outcome]).observe(started.elapsed().as_secs_f64());
    response
}

#[expect(clippy::too_many_arguments, reason = "the parts of one HTTP request, passed on unchanged")]
async fn handle(
    state: &AppState,
    tenant: &str,
    method: &Method,
    uri: &Uri,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
    labels: &mut (String, String),
) -> Result<(&'static str, Response), ApiError> {
    let tenant_id = TenantId::parse(tenant).map_err(|_| ApiError::UnknownTenant)?;
    let cached = state.tenants.get(&tenant_id).await.map_err(|err| lookup_failed(state, &tenant_id, &err))?;
    let Some(cached) = cached.filter(|t| t.record.enabled) else {
        return Err(ApiError::UnknownTenant);
    };
    let record = &cached.record;
    *labels = (record.id.to_string(), record.tool.to_string());
    let plugin = state.plugins.get(record.tool);

    let request = WebhookRequest::new(method, uri.path(), query, headers, body, &record.settings);
    if let Err(err) = plugin.verify(&request, &cached.verify_keys()) {
        state.metrics.signature_failures.with_label_values(&[record.id.as_str()]).inc();
        let failure = state.verify_throttle.failed(&record.id, Instant::now());
        if let Some(suppressed) = failure.log {
            // The reason goes to the log only; the answer is the same for every failed check.
            tracing::warn!(tenant = %record.id, reason = err.reason(), suppressed, "webhook signature refused");
        }
        if let Some(retry_after) = failure.throttled {
            state.metrics.shed.with_label_values(&["verify_failures"]).inc();
            return Err(ApiError::RateLimited { retry_after });
        }
        return Err(ApiError::Unauthorized);
    }
    let event = match plugin.extract(&request) {
        Ok(event) => event,
        Err(ExtractError::Unsupported(what)) => return Ok(ignored(&format!("unsupported event: {what}"))),
        Err(ExtractError::Malformed(reason)) => return Err(ApiError::Malformed(reason)),
    };
    let purpose = match decide(&event, &record.settings) {
        Policy::Enhance => JobPurpose::Enhance,
        Policy::Index => JobPurpose::Index,
        Policy::Ignore(reason) => return Ok(ignored(reason)),
    };

    // The tool's delivery id when it sends one; otherwise the body itself identifies a redelivery.
    let idempotency_key = job_key(tenant_id.as_str(), event.idempotency_key.as_deref(), body);
    let job = EnhancementJob {
        purpose,
        ..EnhancementJob::new(record.id.clone(), record.tool, idempotency_key.clone(), event)
    };
    let claim = match state
        .admission
        .admit(record.id.as_str(), record.settings.rate_limit, &idempotency_key, job.job_id)
        .await
    {
        Verdict::Admitted(claim) => claim,
        Verdict::Duplicate(first) => {
            state.metrics.dedup_hits.with_label_values(&[record.id.as_str()]).inc();
            return Ok(("duplicate", answer(StatusCode::OK, first, "duplicate")));
        }
        Verdict::RateLimited { retry_after } => return Err(ApiError::RateLimited { retry_after }),
        Verdict::InFlight => {
            return Err(ApiError::Unavailable { reason: "same event in flight", retry_after: Duration::from_secs(1) });
        }
    };

    publish(state, record.id.as_str(), &job, claim).await?;
    Ok(("queued", answer(StatusCode::ACCEPTED, job.job_id, "queued")))
}

async fn publish(state: &AppState, tenant_id: &str, job: &EnhancementJob, claim: Claim) -> Result<(), ApiError> {
    let started = Instant::now();
    let headers = JobHeaders::first(enhancer_shared::telemetry::current_traceparent());
    let result = state.publisher.publish_job(job, &headers).await;
    let label = if result.is_ok() { "confirmed" } else { "failed" };
    state.metrics.publish_latency.with_label_values(&[label]).observe(started.elapsed().as_secs_f64());
    match result {
        Ok(()) => {
            // In the background: the job is durable in the broker, and a redelivery meanwhile waits on the
            // pending marker until the confirm lands.
            state.admission.confirmed(claim);
            tracing::debug!(tenant = tenant_id, job_id = %job.job_id, ticket = %job.event.ticket_id, "job queued");
            Ok(())
        }
        Err(err) => {
            tracing::error!(tenant = tenant_id, job_id = %job.job_id, error = %err, "publish failed; answering 503");
            // Free the key so the tool's retry is accepted rather than called a duplicate.
            state.admission.failed(claim).await;
            Err(ApiError::Unavailable { reason: "broker", retry_after: state.unavailable_retry_after })
        }
    }
}

/// A tenant lookup that failed: shed (503, retry soon), the database away (503), or the tenant's row
/// unusable (500 until an operator fixes it; the cache logged it once, so nothing is logged per request).
fn lookup_failed(state: &AppState, tenant: &TenantId, err: &TenantStoreError) -> ApiError {
    match err {
        TenantStoreError::Busy => {
            state.metrics.shed.with_label_values(&["tenant_lookups"]).inc();
            ApiError::Unavailable { reason: "tenant lookups saturated", retry_after: Duration::from_secs(1) }
        }
        TenantStoreError::Unusable { .. } => ApiError::TenantUnusable,
        err if !err.disposition().is_transient() => {
            tracing::error!(tenant = %tenant, error = %err, "tenant cannot be used");
            ApiError::TenantUnusable
        }
        err => {
            tracing::error!(tenant = %tenant, error = %err, "tenant lookup failed");
            ApiError::Unavailable { reason: "database", retry_after: state.unavailable_retry_after }
        }
    }
}

fn answer(status: StatusCode, job_id: Uuid, label: &str) -> Response {
    (status, Json(json!({"job_id": job_id, "status": label}))).into_response()
}

fn ignored(reason: &str) -> (&'static str, Response) {
    ("ignored", (StatusCode::OK, Json(json!({"status": "ignored", "reason": reason}))).into_response())
}
