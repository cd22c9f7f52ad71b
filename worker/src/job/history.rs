//! The worker's writes to `enhancement_history`: the claim that makes processing idempotent, its lease
//! (renewed by `lease.rs` while the job runs), and the recorded outcome of every run. Each function is one
//! statement, so each outcome is durable on its own.
//!
//! A claim is owned by a claim token, a random UUID each worker process makes at start-up
//! ([`WorkerContext::claim_token`](super::WorkerContext)); `claimed_by` (the configurable `worker.id`) is only
//! a label, since two processes may share it.

use std::time::Duration;

use enhancer_shared::domain::EnhancementJob;
use sqlx::PgPool;
use uuid::Uuid;

/// What the claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// This worker now runs the enhancement. `enhancement_id` is the row's job id, the same for every
    /// delivery of the event (it names the note marker); `attempts` counts runs including this one.
    Claimed { enhancement_id: Uuid, attempts: i32 },
    /// Completed or ignored before: nothing to do.
    AlreadyDone,
    /// Another process holds a live lease on it (a duplicate delivery running right now, or a worker that
    /// died less than a lease ago); `lease_left` is how long that lease still holds unless it is renewed.
    HeldElsewhere { lease_left: Duration },
}

/// The claimant: this process's token, and its label for operators.
#[derive(Debug, Clone, Copy)]
pub struct Claimant<'a> {
    pub token: Uuid,
    /// `worker.id`: written to `claimed_by`, never compared.
    pub label: &'a str,
}

/// Inserts the row, or takes it over when it is not finished and not held by a live lease of another
/// process: an expired lease is taken over (its worker died or lost the database and stopped renewing).
/// A live claim under this process's own token is taken over too: within one process the running set keeps
/// a second delivery of a job away, so such a claim is left over from an earlier delivery here that ended
/// without recording (a fault point, a failure whose record was lost). Another process with the same
/// `worker.id` has another token, so it waits for the lease like any other.
pub async fn claim(
    pool: &PgPool,
    job: &EnhancementJob,
    claimant: Claimant<'_>,
    lease: Duration,
) -> Result<ClaimOutcome, sqlx::Error> {
    let lease_secs = lease.as_secs_f64();
    let claimed: Option<(Uuid, i32)> = sqlx::query_as(
        "INSERT INTO enhancement_history (job_id, tenant_id, ticket_id, idempotency_key, tool, event_kind, status, \
             attempts, claimed_by, claim_token, lease_expires_at, started_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'running', 1, $7, $10, now() + make_interval(secs => $8), now(), $9) \
         ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET \
             status = 'running', attempts = enhancement_history.attempts + 1, claimed_by = $7, claim_token = $10, \
             lease_expires_at = now() + make_interval(secs => $8), started_at = now(), finished_at = NULL, \
             error_class = NULL, error_stage = NULL, error_message = NULL, updated_at = now() \
         WHERE enhancement_history.status NOT IN ('completed', 'ignored') \
           AND (enhancement_history.status <> 'running' \
                OR enhancement_history.lease_expires_at < now() \
                OR enhancement_history.claim_token = $10) \
         RETURNING job_id, attempts",
    )
    .bind(job.job_id)
    .bind(job.tenant_id.as_str())
    .bind(job.event.ticket_id.as_str())
    .bind(&job.idempotency_key)
    .bind(job.tool.as_str())
    .bind(job.event.kind.as_str())
    .bind(claimant.label)
    .bind(lease_secs)
    .bind(job.received_at)
    .bind(claimant.token)
    .fetch_optional(pool)
    .await?;
    if let Some((enhancement_id, attempts)) = claimed {
        return Ok(ClaimOutcome::Claimed { enhancement_id, attempts });
    }
    let found: Option<(String, f64)> = sqlx::query_as(
        "SELECT status, COALESCE(EXTRACT(EPOCH FROM lease_expires_at - now())::float8, 0) \
         FROM enhancement_history WHERE tenant_id = $1 AND idempotency_key = $2",
    )
    .bind(job.tenant_id.as_str())
    .bind(&job.idempotency_key)
    .fetch_optional(pool)
    .await?;
    Ok(match found {
        Some((status, _)) if status == "completed" || status == "ignored" => ClaimOutcome::AlreadyDone,
        Some((_, left)) => {
            ClaimOutcome::HeldElsewhere { lease_left: Duration::from_secs_f64(left.clamp(0.0, 86_400.0)) }
        }
        // Gone between the two statements (deleted by an operator): look again later.
        None => ClaimOutcome::HeldElsewhere { lease_left: Duration::ZERO },
    })
}

/// Extends the lease of a claim this process still holds; `false` when the row is no longer this
/// process's running claim (taken over after the lease ran out, or finished).
pub async fn renew(pool: &PgPool, enhancement_id: Uuid, token: Uuid, lease: Duration) -> Result<bool, sqlx::Error> {
    let renewed = sqlx::query(
        "UPDATE enhancement_history SET lease_expires_at = now() + make_interval(secs => $3) \
         WHERE job_id = $1 AND claim_token = $2 AND status = 'running'",
    )
    .bind(enhancement_id)
    .bind(token)
    .bind(lease.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(renewed.rows_affected() == 1)
}

/// Ends the leases of every claim this process still holds, so other workers take those jobs over at once.
/// Only for after the consumer stopped (no job of this process runs any more): the drain abandoned them.
pub async fn release_all(pool: &PgPool, token: Uuid) -> Result<u64, sqlx::Error> {
    let released = sqlx::query(
        "UPDATE enhancement_history SET lease_expires_at = now() WHERE claim_token = $1 AND status = 'running'",
    )
    .bind(token)
    .execute(pool)
    .await?;
    Ok(released.rows_affected())
}

/// Per-stage durations of one run, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct StageTimes {
    pub gather_ms: Option<i32>,
    pub synthesize_ms: Option<i32>,
    pub update_ms: Option<i32>,
}

/// What a successful run produced. An enhancement has a model and a note; an index-only run has neither
/// and says why in `ignored_reason`.
#[derive(Debug, Clone, Default)]
pub struct Completion {
    pub times: StageTimes,
    pub model: Option<String>,
    pub prompt_tokens: Option<i32>,
    pub completion_tokens: Option<i32>,
    pub note_ref: Option<String>,
    /// Why no note was posted; `None` keeps what the row holds.
    pub ignored_reason: Option<&'static str>,
}

/// Marks the run completed. Its parameters are `$1..=$9` (see [`bind_completion`]), so the record step can
/// prefix it to the corpus upsert as one statement.
pub(crate) const COMPLETE: &str = "UPDATE enhancement_history SET status = 'completed', gather_ms = $2, \
         synthesize_ms = $3, update_ms = $4, model = $5, prompt_tokens = $6, completion_tokens = $7, note_ref = $8, \
         ignored_reason = COALESCE($9, ignored_reason), finished_at = now(), claimed_by = NULL, \
         claim_token = NULL, lease_expires_at = NULL, error_class = NULL, error_stage = NULL, error_message = NULL, updated_at = now() \
     WHERE job_id = $1";

/// How many parameters [`COMPLETE`] takes.
pub(crate) const COMPLETE_PARAMS: usize = 9;

pub(crate) fn bind_completion<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    enhancement_id: Uuid,
    done: &'q Completion,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(enhancement_id)
        .bind(done.times.gather_ms)
        .bind(done.times.synthesize_ms)
        .bind(done.times.update_ms)
        .bind(&done.model)
        .bind(done.prompt_tokens)
        .bind(done.completion_tokens)
        .bind(&done.note_ref)
        .bind(done.ignored_reason)
}

pub async fn complete(pool: &PgPool, enhancement_id: Uuid, done: &Completion) -> Result<(), sqlx::Error> {
    bind_completion(sqlx::query(COMPLETE), enhancement_id, done).execute(pool).await?;
    Ok(())
}

/// A failed run: `failed` while a retry is scheduled, `dead_lettered` when it went to the dead-letter queue.
#[derive(Debug, Clone)]
pub struct Failure<'a> {
    pub status: &'static str,
    pub error_class: &'static str,
    pub stage: &'a str,
    pub message: &'a str,
    pub times: StageTimes,
}

/// Records a failed run of the claim `token` holds. A claim taken over in the meantime is left alone: the
/// successor's run is live, and a `failed` status would let a third delivery claim it beside the successor.
pub async fn fail(pool: &PgPool, enhancement_id: Uuid, token: Uuid, failure: &Failure<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE enhancement_history SET status = $2, error_class = $3, error_stage = $4, error_message = $5, \
             gather_ms = COALESCE($6, gather_ms), synthesize_ms = COALESCE($7, synthesize_ms), \
             update_ms = COALESCE($8, update_ms), finished_at = now(), claimed_by = NULL, claim_token = NULL, \
             lease_expires_at = NULL, updated_at = now() \
         WHERE job_id = $1 AND (claim_token = $9 OR claim_token IS NULL)",
    )
    .bind(enhancement_id)
    .bind(failure.status)
    .bind(failure.error_class)
    .bind(failure.stage)
    .bind(truncate(failure.message, 2000))
    .bind(failure.times.gather_ms)
    .bind(failure.times.synthesize_ms)
    .bind(failure.times.update_ms)
    .bind(token)
    .execute(pool)
    .await?;
    Ok(())
}

/// A job that was not processed on purpose (tenant disabled or gone): recorded, never retried.
pub async fn ignore(pool: &PgPool, job: &EnhancementJob, reason: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO enhancement_history (job_id, tenant_id, ticket_id, idempotency_key, tool, event_kind, status, \
             ignored_reason, created_at, finished_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'ignored', $7, $8, now()) \
         ON CONFLICT (tenant_id, idempotency_key) DO UPDATE SET status = 'ignored', ignored_reason = $7, \
             finished_at = now(), claimed_by = NULL, claim_token = NULL, lease_expires_at = NULL, updated_at = now() \
         WHERE enhancement_history.status <> 'completed'",
    )
    .bind(job.job_id)
    .bind(job.tenant_id.as_str())
    .bind(job.event.ticket_id.as_str())
    .bind(&job.idempotency_key)
    .bind(job.tool.as_str())
    .bind(job.event.kind.as_str())
    .bind(reason)
    .bind(job.received_at)
    .execute(pool)
    .await?;
    Ok(())
}

fn truncate(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((index, _)) => &text[..index],
        None => text,
    }
}
