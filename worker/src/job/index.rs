//! Index-only jobs: an event that is not enhanced but may carry what the corpus needs (an "updated" event
//! after the ticket was resolved). The ticket is fetched through the plugin and its corpus row refreshed
//! with its current status and resolution; no context is gathered, nothing is written, no note is posted.
//!
//! The run is claimed and recorded like any job (so retries, dead-lettering and `history` work unchanged).
//! It completes as `completed` with no model and no note, and `ignored_reason` says it was an index run:
//! the status set is fixed by the design, and that column already means "why no note was posted".

use std::time::Instant;

use enhancer_plugins::{TicketingTool, ToolApi};
use enhancer_shared::domain::EnhancementJob;
use enhancer_shared::ip_extract;
use sqlx::PgPool;
use uuid::Uuid;

use super::context::WorkerContext;
use super::history::StageTimes;
use crate::context::corpus;
use crate::stages::{Stage, StageError, with_timeout};

/// What an index run leaves in `enhancement_history.ignored_reason`.
pub const INDEX_ONLY: &str = "index only: corpus refreshed, no note";

/// Fetches the ticket and upserts it, with its resolution, into the tenant's corpus. A failure to fetch or
/// to write is a failure of the job (retried or dead-lettered like any other): indexing is all it does.
pub(super) async fn refresh(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    plugin: &dyn TicketingTool,
    api: &ToolApi<'_>,
    enhancement_id: Uuid,
    times: &mut StageTimes,
) -> Result<(), StageError> {
    let tenant = job.tenant_id.as_str();
    tracing::Span::current().record("stage", Stage::Gather.as_str());
    let started = Instant::now();
    let fetched = with_timeout(Stage::Gather, ctx.timeouts.gather, async {
        let fetched = plugin.get_ticket(api, &job.event.ticket_id).await;
        ctx.metrics.outbound(plugin.kind().as_str(), "get_ticket", &fetched);
        fetched.map_err(|err| StageError::from_error(Stage::Gather, &err))
    })
    .await;
    times.gather_ms = i32::try_from(started.elapsed().as_millis()).ok();
    let ticket = fetched?;

    tracing::Span::current().record("stage", Stage::Record.as_str());
    let addresses = ip_extract::extract(&format!("{}\n{}", ticket.subject, ticket.description));
    corpus::index_ticket(&ctx.pool, tenant, &ticket, &addresses, ticket.resolution.as_deref())
        .await
        .map_err(|err| StageError::from_error(Stage::Record, &err))?;
    complete(&ctx.pool, enhancement_id, *times).await.map_err(|err| StageError::from_error(Stage::Record, &err))?;
    tracing::info!(resolved = ticket.resolution.is_some(), "ticket re-indexed; no note");
    Ok(())
}

/// Records the index run as completed: no model, no tokens, no note.
async fn complete(pool: &PgPool, enhancement_id: Uuid, times: StageTimes) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE enhancement_history SET status = 'completed', gather_ms = $2, synthesize_ms = NULL, \
             update_ms = NULL, model = NULL, prompt_tokens = NULL, completion_tokens = NULL, note_ref = NULL, \
             ignored_reason = $3, finished_at = now(), claimed_by = NULL, lease_expires_at = NULL, \
             error_class = NULL, error_stage = NULL, error_message = NULL, updated_at = now() \
         WHERE job_id = $1",
    )
    .bind(enhancement_id)
    .bind(times.gather_ms)
    .bind(INDEX_ONLY)
    .execute(pool)
    .await?;
    Ok(())
}
