//! A failed job's way out: republish to a delay tier (transient, attempts left) or to the dead-letter queue
//! (permanent, or out of attempts), confirmed, then record it. Only then is the original acknowledged.

use chrono::Utc;
use enhancer_shared::domain::{EnhancementJob, TenantId, TicketId};
use enhancer_shared::queue::{DeadLetterHeaders, JobHeaders, RetryTier};
use lapin::types::FieldTable;
use uuid::Uuid;

use super::context::WorkerContext;
use super::history::{self, Failure, StageTimes};
use super::process::Settlement;
use crate::retry_policy::{Verdict, decide};
use crate::stages::StageError;

/// Handles a failure of a decoded job. `enhancement_id` is known once the job was claimed.
pub async fn handle(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    headers: &JobHeaders,
    error: &StageError,
    enhancement_id: Option<Uuid>,
    times: StageTimes,
) -> Settlement {
    let verdict = decide(error.disposition, headers.attempt, ctx.max_attempts);
    let tenant = job.tenant_id.as_str();
    match verdict {
        Verdict::Retry(tier) => {
            let next = headers.next_attempt();
            let route = ctx.publisher.topology().retry_route(tier);
            if let Err(err) =
                ctx.publisher.publish(&route, &job.job_id.to_string(), &job.to_json(), next.to_field_table()).await
            {
                tracing::error!(error = %err, "cannot schedule the retry; returning the message to the queue");
                return Settlement::Requeue;
            }
            tracing::warn!(
                stage = %error.stage, attempt = headers.attempt, retry_in_secs = tier.delay().as_secs(),
                error = %error.message, "job failed; retry scheduled"
            );
            ctx.metrics.retries.with_label_values(&[tier.suffix()]).inc();
            ctx.metrics.jobs.with_label_values(&[tenant, job.tool.as_str(), "retried"]).inc();
            record(ctx, enhancement_id, "failed", error, times).await;
            Settlement::Ack
        }
        Verdict::DeadLetter => {
            let dead = DeadLetterHeaders {
                error_class: error.disposition.class().to_owned(),
                error_message: error.message.clone(),
                stage: error.stage.as_str().to_owned(),
                attempts: headers.attempt,
                failed_at: Utc::now(),
                tenant: Some(job.tenant_id.clone()),
                ticket: Some(job.event.ticket_id.clone()),
            };
            let mut table = dead.to_field_table();
            headers.insert_into(&mut table);
            match dead_letter(ctx, &job.job_id.to_string(), &job.to_json(), table).await {
                Settlement::Ack => {}
                other => return other,
            }
            tracing::error!(
                stage = %error.stage, attempt = headers.attempt, error_class = error.disposition.class(),
                error = %error.message, "job dead-lettered"
            );
            ctx.metrics
                .dead_lettered
                .with_label_values(&[tenant, error.stage.as_str(), error.disposition.class()])
                .inc();
            ctx.metrics.jobs.with_label_values(&[tenant, job.tool.as_str(), "dead_lettered"]).inc();
            record(ctx, enhancement_id, "dead_lettered", error, times).await;
            Settlement::Ack
        }
    }
}

/// Publishes a dead letter, confirmed. On failure the original goes back to the queue.
pub async fn dead_letter(ctx: &WorkerContext, message_id: &str, body: &[u8], headers: FieldTable) -> Settlement {
    let route = ctx.publisher.topology().dead_route();
    match ctx.publisher.publish(&route, message_id, body, headers).await {
        Ok(()) => Settlement::Ack,
        Err(err) => {
            tracing::error!(error = %err, "cannot dead-letter; returning the message to the queue");
            Settlement::Requeue
        }
    }
}

/// A message whose body is not a job can never succeed: dead-letter it as it came, once.
pub async fn undecodable(
    ctx: &WorkerContext,
    message_id: Option<&str>,
    body: &[u8],
    reason: &str,
    headers: &FieldTable,
) -> Settlement {
    let dead = DeadLetterHeaders {
        error_class: "permanent".into(),
        error_message: reason.to_owned(),
        stage: "decode".into(),
        attempts: JobHeaders::from_field_table(headers).attempt,
        failed_at: Utc::now(),
        tenant: None::<TenantId>,
        ticket: None::<TicketId>,
    };
    let id = message_id.map_or_else(|| Uuid::now_v7().to_string(), str::to_owned);
    let settlement = dead_letter(ctx, &id, body, dead.to_field_table()).await;
    if settlement == Settlement::Ack {
        tracing::error!(message_id = %id, reason, "undecodable message dead-lettered");
        ctx.metrics.dead_lettered.with_label_values(&["_unknown", "decode", "permanent"]).inc();
    }
    settlement
}

async fn record(
    ctx: &WorkerContext,
    enhancement_id: Option<Uuid>,
    status: &'static str,
    error: &StageError,
    times: StageTimes,
) {
    let Some(enhancement_id) = enhancement_id else { return };
    let failure = Failure {
        status,
        error_class: error.disposition.class(),
        stage: error.stage.as_str(),
        message: &error.message,
        times,
    };
    // The retry or dead letter is already durable in the broker; a history row that stays `running` is
    // corrected by the next attempt or shows in `history` as stale.
    if let Err(err) = history::fail(&ctx.pool, enhancement_id, ctx.claim_token, &failure).await {
        tracing::warn!(error = %err, "cannot record the failure in enhancement_history");
    }
}

/// Republishes a job unchanged to the delay `tier`: another delivery of it is running right now.
pub async fn defer(ctx: &WorkerContext, job: &EnhancementJob, headers: &JobHeaders, tier: RetryTier) -> Settlement {
    let route = ctx.publisher.topology().retry_route(tier);
    match ctx.publisher.publish(&route, &job.job_id.to_string(), &job.to_json(), headers.to_field_table()).await {
        Ok(()) => Settlement::Ack,
        Err(err) => {
            tracing::warn!(error = %err, "cannot defer a duplicate delivery; returning it to the queue");
            Settlement::Requeue
        }
    }
}
