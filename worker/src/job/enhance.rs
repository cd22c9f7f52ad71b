//! One job, top-down: tenant, claim, gather, synthesize, note, update, record. The claim's lease is renewed
//! by a heartbeat while the job runs (`lease.rs`) and checked before the update. [`enhance`] reads as that
//! sequence; each step below it is a call into the file that owns it (`tenant.rs`, `history.rs`,
//! `stages/*.rs`, `record.rs`), run under [`timed`], which marks the span, applies the stage's time limit,
//! observes the stage's duration and measures what `enhancement_history` records.

use enhancer_shared::domain::{EnhancementJob, JobPurpose, Note};
use enhancer_shared::tenant::TenantSettings;
use uuid::Uuid;

use super::context::WorkerContext;
use super::history::{self, ClaimOutcome, Claimant, StageTimes};
use super::lease::Lease;
use super::tool::Tool;
use super::{index, record, tenant};
use crate::stages::gather::{Gathered, gather};
use crate::stages::note::note;
use crate::stages::synthesize::synthesize;
use crate::stages::update::{Posted, update};
use crate::stages::{Stage, StageError, timed};
use crate::writer::Enhancement;

/// What a failure handler needs to know of how far the job got.
#[derive(Debug, Default)]
pub(super) struct Progress {
    /// Known once the job is claimed.
    pub enhancement_id: Option<Uuid>,
    pub times: StageTimes,
}

/// How a job that did not fail ended.
pub(super) enum Finished {
    Completed,
    /// Recorded as ignored (tenant disabled), or nothing to record (tenant gone); never retried.
    Ignored,
    /// Already completed earlier: a redelivery.
    Skipped,
    /// Another delivery of it is running: looked at again once that claim's lease would have run out.
    Deferred {
        lease_left: std::time::Duration,
    },
    /// Test fault point: stopped after the note was posted, as a killed process would.
    #[cfg(feature = "fault-injection")]
    Crashed,
}

pub(super) async fn enhance(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    progress: &mut Progress,
) -> Result<Finished, StageError> {
    let Some(tenant) = tenant::admit(ctx, job).await? else { return Ok(Finished::Ignored) };
    let claimed_at = tokio::time::Instant::now();
    let (id, attempts) = match claim_step(ctx, job).await? {
        ClaimOutcome::Claimed { enhancement_id, attempts } => (enhancement_id, attempts),
        ClaimOutcome::AlreadyDone => return Ok(Finished::Skipped),
        ClaimOutcome::HeldElsewhere { lease_left } => return Ok(Finished::Deferred { lease_left }),
    };
    progress.enhancement_id = Some(id);
    // Renewed until this function returns, whichever way.
    let lease = Lease::hold(ctx.pool.clone(), id, ctx.claim_token, ctx.lease, claimed_at);
    let tool = Tool::of(ctx, &tenant);
    if job.purpose == JobPurpose::Index {
        index::refresh(ctx, job, &tool, id, &mut progress.times).await?;
        return Ok(Finished::Completed);
    }

    let gathered = gather_step(ctx, job, &tool, &mut progress.times).await?;
    let enhancement = synthesize_step(ctx, job, &gathered, &tenant.record.settings, &mut progress.times).await?;
    let note = note(&enhancement, id, &gathered.ticket, &gathered.context, &tenant.record.base_url);
    // Never race a worker that took the job over: it posts (or finds) the note itself.
    lease.check()?;
    let posted = update_step(ctx, job, &tool, &note, attempts, &mut progress.times).await?;
    #[cfg(feature = "fault-injection")]
    if ctx.faults.crash_after_post() {
        return Ok(Finished::Crashed);
    }
    record_step(ctx, job, id, progress.times, &gathered, &enhancement, &posted).await?;
    Ok(Finished::Completed)
}

/// Claims the run (see [`history::claim`]); no time limit but the pool's, and history keeps no duration of
/// it (the metric does).
async fn claim_step(ctx: &WorkerContext, job: &EnhancementJob) -> Result<ClaimOutcome, StageError> {
    let claimant = Claimant { token: ctx.claim_token, label: &ctx.worker_id };
    let claimed = history::claim(&ctx.pool, job, claimant, ctx.lease);
    let claimed = async { claimed.await.map_err(|err| StageError::from_error(Stage::Claim, &err)) };
    timed(&ctx.metrics, Stage::Claim, None, claimed).await.0
}

async fn gather_step(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    tool: &Tool<'_>,
    times: &mut StageTimes,
) -> Result<Gathered, StageError> {
    let ticket = &job.event.ticket_id;
    let gathering = gather(tool.plugin, &tool.api, ticket, &ctx.metrics, &ctx.search, job.tenant_id.as_str());
    let (gathered, ms) = timed(&ctx.metrics, Stage::Gather, Some(ctx.timeouts.gather), gathering).await;
    times.gather_ms = ms;
    gathered
}

async fn synthesize_step(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    gathered: &Gathered,
    settings: &TenantSettings,
    times: &mut StageTimes,
) -> Result<Enhancement, StageError> {
    let writing = synthesize(ctx.writer.as_ref(), gathered, settings, &job.tenant_id, &ctx.metrics);
    let (written, ms) = timed(&ctx.metrics, Stage::Synthesize, Some(ctx.timeouts.synthesize), writing).await;
    times.synthesize_ms = ms;
    written
}

/// `attempts == 1`: no earlier run can have posted the note, so the update skips looking for it. Every
/// later claim (a retry, a redelivery, a takeover of an expired lease) counts up `attempts` and looks first.
async fn update_step(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    tool: &Tool<'_>,
    note: &Note,
    attempts: i32,
    times: &mut StageTimes,
) -> Result<Posted, StageError> {
    let posting = update(tool.plugin, &tool.api, job, note, attempts == 1, &ctx.metrics);
    let (posted, ms) = timed(&ctx.metrics, Stage::Update, Some(ctx.timeouts.update), posting).await;
    times.update_ms = ms;
    posted
}

/// Records the completion and indexes the ticket (see [`record::record`]); no time limit but the pool's, and
/// no duration in history (the metric has it).
async fn record_step(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    id: Uuid,
    times: StageTimes,
    gathered: &Gathered,
    enhancement: &Enhancement,
    posted: &Posted,
) -> Result<(), StageError> {
    let recording = record::record(&ctx.pool, job, id, times, gathered, enhancement, posted);
    timed(&ctx.metrics, Stage::Record, None, recording).await.0
}
