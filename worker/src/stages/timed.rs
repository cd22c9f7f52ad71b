//! [`timed`]: how every step of a job runs. One place marks the job's span with the stage, applies the
//! stage's time limit, observes `enhancer_worker_stage_duration_seconds` and measures the milliseconds that
//! `enhancement_history` records.

use std::future::Future;
use std::time::{Duration, Instant};

use enhancer_shared::error::Disposition;

use super::{Stage, StageError};
use crate::metrics::Metrics;

/// Runs `work` as `stage`: the span's `stage` field says where the job is (every log line carries it),
/// `limit` bounds it (`None` for the database steps, which the pool's own timeouts bound), and the duration
/// is observed whatever the outcome. Returns the outcome and the elapsed milliseconds. Running out of time
/// is transient: the next attempt may be faster.
pub async fn timed<T>(
    metrics: &Metrics,
    stage: Stage,
    limit: Option<Duration>,
    work: impl Future<Output = Result<T, StageError>>,
) -> (Result<T, StageError>, Option<i32>) {
    tracing::Span::current().record("stage", stage.as_str());
    let started = Instant::now();
    let result = match limit {
        None => work.await,
        Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
            Err(StageError::new(stage, Disposition::TRANSIENT, format!("timed out after {}s", limit.as_secs_f32())))
        }),
    };
    let elapsed = started.elapsed();
    metrics.stage_duration.with_label_values(&[stage.as_str()]).observe(elapsed.as_secs_f64());
    (result, i32::try_from(elapsed.as_millis()).ok())
}
