//! Processing one delivery: the path from message to recorded outcome.

use std::time::Instant;

use enhancer_plugins::ToolApi;
use enhancer_shared::domain::{EnhancementJob, JobPurpose, Note};
use enhancer_shared::queue::JobHeaders;
use lapin::message::Delivery;
use tracing::Instrument as _;
use uuid::Uuid;

use super::context::WorkerContext;
use super::failure;
use super::history::{self, ClaimOutcome, Completion, StageTimes};
use super::index;
use super::record::{self, Indexed};
use crate::stages::gather::gather;
use crate::stages::synthesize::footer;
use crate::stages::update::{Posted, update};
use crate::stages::{Stage, StageError, with_timeout};

/// What to do with the delivery once processing returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposal {
    /// The outcome is durable: acknowledge.
    Ack,
    /// Nothing durable happened: give the message back to the queue (the quorum delivery limit stops a
    /// message that keeps coming back).
    Requeue,
    /// Test fault point: leave the delivery unacknowledged, as a killed process would.
    Crash,
}

/// How a job that did not fail ended.
enum Finished {
    Completed,
    /// Recorded as ignored (tenant disabled); never retried.
    Ignored,
    /// Already completed earlier: a redelivery.
    Skipped,
    /// Another delivery of it is running: looked at again later.
    Deferred,
    Crashed,
}

pub async fn process(ctx: &WorkerContext, delivery: &Delivery) -> Disposal {
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
        if !ctx.start_running(job.tenant_id.as_str(), &job.idempotency_key) {
            ctx.metrics.jobs.with_label_values(&[job.tenant_id.as_str(), job.tool.as_str(), "deferred"]).inc();
            return failure::defer(ctx, &job, &headers).await;
        }
        let disposal = run(ctx, &job, &headers).await;
        ctx.stop_running(job.tenant_id.as_str(), &job.idempotency_key);
        disposal
    }
    .instrument(span)
    .await
}

async fn run(ctx: &WorkerContext, job: &EnhancementJob, headers: &JobHeaders) -> Disposal {
    let mut times = StageTimes::default();
    let mut enhancement_id = None;
    let tool = job.tool.as_str();
    let tenant = job.tenant_id.as_str();
    match stages(ctx, job, &mut times, &mut enhancement_id).await {
        Ok(Finished::Completed) => {
            ctx.metrics.jobs.with_label_values(&[tenant, tool, "completed"]).inc();
            Disposal::Ack
        }
        Ok(Finished::Ignored) => {
            ctx.metrics.jobs.with_label_values(&[tenant, tool, "ignored"]).inc();
            Disposal::Ack
        }
        Ok(Finished::Skipped) => {
            tracing::info!("already completed: redelivery skipped");
            ctx.metrics.jobs.with_label_values(&[tenant, tool, "skipped"]).inc();
            Disposal::Ack
        }
        Ok(Finished::Deferred) => {
            ctx.metrics.jobs.with_label_values(&[tenant, tool, "deferred"]).inc();
            failure::defer(ctx, job, headers).await
        }
        Ok(Finished::Crashed) => Disposal::Crash,
        Err(error) => failure::handle(ctx, job, headers, &error, enhancement_id, times).await,
    }
}

/// Marks the job's span with the stage it is in, so every log line says where the job was.
fn enter(stage: Stage) {
    tracing::Span::current().record("stage", stage.as_str());
}

/// The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), or empty.
fn trace_id_of(traceparent: Option<&str>) -> &str {
    traceparent.and_then(|tp| tp.split('-').nth(1)).filter(|id| id.len() == 32).unwrap_or("")
}

fn elapsed_ms(started: Instant) -> Option<i32> {
    i32::try_from(started.elapsed().as_millis()).ok()
}

async fn stages(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    times: &mut StageTimes,
    enhancement_id: &mut Option<Uuid>,
) -> Result<Finished, StageError> {
    let observe = |stage: Stage, started: Instant| {
        ctx.metrics.stage_duration.with_label_values(&[stage.as_str()]).observe(started.elapsed().as_secs_f64());
    };

    let cached = ctx.tenants.get(&job.tenant_id).await.map_err(|err| StageError::from_error(Stage::Tenant, &err))?;
    let Some(cached) = cached else {
        // No row can be recorded for a tenant that no longer exists (history references tenants).
        tracing::warn!("tenant no longer exists: job ignored");
        return Ok(Finished::Ignored);
    };
    let record = &cached.record;
    if !record.enabled {
        history::ignore(&ctx.pool, job, "tenant disabled")
            .await
            .map_err(|err| StageError::from_error(Stage::Tenant, &err))?;
        tracing::info!("tenant disabled: job ignored");
        return Ok(Finished::Ignored);
    }

    enter(Stage::Claim);
    let started = Instant::now();
    let claim = history::claim(&ctx.pool, job, &ctx.worker_id, ctx.lease)
        .await
        .map_err(|err| StageError::from_error(Stage::Claim, &err))?;
    observe(Stage::Claim, started);
    let (id, attempts) = match claim {
        ClaimOutcome::AlreadyDone => return Ok(Finished::Skipped),
        ClaimOutcome::HeldElsewhere => return Ok(Finished::Deferred),
        ClaimOutcome::Claimed { enhancement_id, attempts } => (enhancement_id, attempts),
    };
    *enhancement_id = Some(id);

    let plugin = ctx.plugins.get(record.tool);
    let api = ToolApi::new(&ctx.http, &record.base_url, &cached.secrets, &record.settings);
    let ticket_id = &job.event.ticket_id;
    if job.purpose == JobPurpose::Index {
        return index::refresh(ctx, job, plugin, &api, id, times).await.map(|()| Finished::Completed);
    }

    enter(Stage::Gather);
    let started = Instant::now();
    let gathered = with_timeout(
        Stage::Gather,
        ctx.timeouts.gather,
        gather(plugin, &api, ticket_id, &ctx.metrics, &ctx.pool, job.tenant_id.as_str()),
    )
    .await;
    times.gather_ms = elapsed_ms(started);
    observe(Stage::Gather, started);
    let gathered = gathered?;

    enter(Stage::Synthesize);
    let started = Instant::now();
    let written = with_timeout(
        Stage::Synthesize,
        ctx.timeouts.synthesize,
        ctx.writer.write_for_tenant(&gathered.ticket, &gathered.context, &record.settings),
    )
    .await;
    times.synthesize_ms = elapsed_ms(started);
    observe(Stage::Synthesize, started);
    let enhancement = written?;
    for (kind, tokens) in [("prompt", enhancement.prompt_tokens), ("completion", enhancement.completion_tokens)] {
        if let Some(tokens) = tokens {
            ctx.metrics
                .llm_tokens
                .with_label_values(&[job.tenant_id.as_str(), &enhancement.model, kind])
                .inc_by(u64::from(tokens));
        }
    }

    let body_markdown = format!("{}{}", enhancement.markdown.trim_end(), footer(&enhancement.model));
    let note = Note { body_markdown, marker: Note::marker_for(id) };
    enter(Stage::Update);
    let started = Instant::now();
    let posted = with_timeout(
        Stage::Update,
        ctx.timeouts.update,
        update(plugin, &api, ticket_id, &note, attempts == 1, &ctx.metrics),
    )
    .await;
    times.update_ms = elapsed_ms(started);
    observe(Stage::Update, started);
    let posted = posted?;
    match &posted {
        Posted::New(_) => {
            let since_webhook = (chrono::Utc::now() - job.received_at).to_std().unwrap_or_default();
            ctx.metrics.webhook_to_note.with_label_values(&[job.tool.as_str()]).observe(since_webhook.as_secs_f64());
        }
        Posted::AlreadyThere(note) => {
            tracing::info!(note = %note.0, "note found from an earlier attempt; not posted again");
        }
    }
    if ctx.faults.crash_after_post() {
        return Ok(Finished::Crashed);
    }

    enter(Stage::Record);
    let started = Instant::now();
    let completion = Completion {
        times: *times,
        model: Some(enhancement.model.clone()),
        prompt_tokens: enhancement.prompt_tokens.and_then(|t| i32::try_from(t).ok()),
        completion_tokens: enhancement.completion_tokens.and_then(|t| i32::try_from(t).ok()),
        note_ref: posted.note_ref().0.clone(),
    };
    // The corpus grows with every processed ticket, in the same statement as the completion.
    let indexed = Indexed {
        tenant: job.tenant_id.as_str(),
        ticket: &gathered.ticket,
        addresses: &gathered.context.addresses,
        resolution: gathered.ticket.resolution.as_deref(),
    };
    record::complete_and_index(&ctx.pool, id, &completion, &indexed)
        .await
        .map_err(|err| StageError::from_error(Stage::Record, &err))?;
    observe(Stage::Record, started);
    tracing::info!(
        note = %posted.note_ref().0,
        gather_ms = times.gather_ms.unwrap_or_default(),
        synthesize_ms = times.synthesize_ms.unwrap_or_default(),
        update_ms = times.update_ms.unwrap_or_default(),
        "enhancement posted"
    );
    Ok(Finished::Completed)
}
