//! `/healthz`, `/readyz` and `/metrics` of the worker on `ENHANCER_WORKER__LISTEN`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::json;

use crate::consumer::ConsumerState;
use crate::job::WorkerContext;

#[derive(Debug, Clone)]
pub struct HealthState {
    pub ctx: Arc<WorkerContext>,
    pub consumer: ConsumerState,
}

pub fn router(state: HealthState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Ready while consuming with a reachable database: a worker that cannot record outcomes should not hold
/// messages.
async fn readyz(State(state): State<HealthState>) -> Response {
    let consuming = state.consumer.is_consuming();
    let database = matches!(
        tokio::time::timeout(Duration::from_secs(2), sqlx::query("SELECT 1").execute(&state.ctx.pool)).await,
        Ok(Ok(_))
    );
    let ready = consuming && database;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body =
        json!({"status": if ready { "ready" } else { "not_ready" }, "consuming": consuming, "database": database});
    (status, Json(body)).into_response()
}

async fn metrics(State(state): State<HealthState>) -> Response {
    for (kind, documents) in state.ctx.search.documents() {
        state.ctx.metrics.search_index_documents.with_label_values(&[kind]).set(documents);
    }
    let rebuilds = &state.ctx.metrics.search_index_rebuilds;
    rebuilds.inc_by(state.ctx.search.rebuilds().saturating_sub(rebuilds.get()));
    if let Some(semantic) = state.ctx.search.semantic() {
        let (ranked, fallbacks) = semantic.outcomes.counts();
        for (outcome, count) in [("ranked", ranked), ("fallback", fallbacks)] {
            let counter = state.ctx.metrics.semantic_rankings.with_label_values(&[outcome]);
            counter.inc_by(count.saturating_sub(counter.get()));
        }
        for (kind, vectors) in semantic.indexed() {
            let vectors = i64::try_from(vectors).unwrap_or(i64::MAX);
            state.ctx.metrics.embeddings_indexed.with_label_values(&[kind]).set(vectors);
        }
        let (backfilled, failures) = semantic.outcomes.backfill_counts();
        for (counter, count) in [
            (&state.ctx.metrics.embeddings_backfilled, backfilled),
            (&state.ctx.metrics.embeddings_backfill_failures, failures),
            (&state.ctx.metrics.embedding_model_changes, semantic.outcomes.model_changes()),
        ] {
            counter.inc_by(count.saturating_sub(counter.get()));
        }
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.ctx.metrics.render()).into_response()
}
