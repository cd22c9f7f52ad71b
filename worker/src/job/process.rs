//! One delivery, from message to [`Settlement`]: decode (an undecodable body is dead-lettered), open the
//! job's span, keep a second delivery of a running job away, run the job (`enhance.rs`) and turn how it
//! ended into what the consumer tells the broker.

use enhancer_shared::domain::EnhancementJob;
use enhancer_shared::queue::{JobHeaders, RetryTier};
use lapin::message::Delivery;
use tracing::Instrument as _;

use super::context::WorkerContext;
use super::enhance::{Finished, Progress, enhance};
use super::failure;

/// How the consumer settles a delivery with the broker once processing returns. (Not to be confused with
/// [`enhancer_shared::error::Disposition`], an error's retry class, which decides between a retry and the
/// dead-letter queue; either way the delivery itself is then acknowledged.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// The outcome is durable: acknowledge.
    Ack,
    /// Nothing durable happened: give the message back to the queue (the quorum delivery limit stops a
    /// message that keeps coming back).
    Requeue,
    /// Test fault point: leave the delivery unacknowledged, as a killed process would.
    #[cfg(feature = "fault-injection")]
    Crash,
}

pub async fn process(ctx: &WorkerContext, delivery: &Delivery) -> Settlement {
    let empty = lapin::types::FieldTable::default();
    let table = delivery.properties.headers().as_ref().unwrap_or(&empty);
    let headers = JobHeaders::from_field_table(table);
    let job = match EnhancementJob::from_json(&delivery.data) {
        Ok(job) => job,
        Err(err) => {
            let id = delivery.properties.message_id().as_ref().map(|id| id.as_str().to_owned());
            return failure::undecodable(ctx, id.as_deref(), &delivery.data, &err.to_string(), table).await;
        }
    };
    let span = tracing::info_span!(
        "job",
        otel.name = "process enhancement_job",
        otel.kind = "consumer",
        messaging.system = "rabbitmq",
        messaging.operation = "process",
        job_id = %job.job_id,
        tenant = %job.tenant_id,
        ticket = %job.event.ticket_id,
        attempt = headers.attempt,
        trace_id = trace_id_of(headers.traceparent.as_deref()),
        stage = tracing::field::Empty,
    );
    enhancer_shared::telemetry::set_parent_from_traceparent(&span, headers.traceparent.as_deref());
    async {
        // Held until this block ends, however it ends: a panic or a cancellation frees the entry too.
        let Some(_running) = ctx.start_running(job.tenant_id.as_str(), &job.idempotency_key) else {
            ctx.metrics.jobs.with_label_values(&[job.tenant_id.as_str(), job.tool.as_str(), "deferred"]).inc();
            // Running here: its heartbeat keeps the claim, so look again after the usual deferral.
            return failure::defer(ctx, &job, &headers, RetryTier::S30).await;
        };
        run(ctx, &job, &headers).await
    }
    .instrument(span)
    .await
}

async fn run(ctx: &WorkerContext, job: &EnhancementJob, headers: &JobHeaders) -> Settlement {
    let mut progress = Progress::default();
    let count = |outcome: &str| {
        ctx.metrics.jobs.with_label_values(&[job.tenant_id.as_str(), job.tool.as_str(), outcome]).inc();
    };
    match enhance(ctx, job, &mut progress).await {
        Ok(Finished::Completed) => {
            count("completed");
            Settlement::Ack
        }
        Ok(Finished::Ignored) => {
            count("ignored");
            Settlement::Ack
        }
        Ok(Finished::Skipped) => {
            tracing::info!("already completed: redelivery skipped");
            count("skipped");
            Settlement::Ack
        }
        Ok(Finished::Deferred { lease_left }) => {
            count("deferred");
            // Back once the holder's lease would have run out: a takeover of a dead worker's job then
            // waits at most about one lease (rounded up to a delay tier).
            failure::defer(ctx, job, headers, RetryTier::at_least(lease_left)).await
        }
        #[cfg(feature = "fault-injection")]
        Ok(Finished::Crashed) => Settlement::Crash,
        Err(error) => failure::handle(ctx, job, headers, &error, progress.enhancement_id, progress.times).await,
    }
}

/// The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), or empty.
fn trace_id_of(traceparent: Option<&str>) -> &str {
    traceparent.and_then(|tp| tp.split('-').nth(1)).filter(|id| id.len() == 32).unwrap_or("")
}
