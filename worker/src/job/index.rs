//! Index-only jobs: an event that is not enhanced but may carry what the corpus needs (an "updated" event
//! after the ticket was resolved). The ticket is fetched through the plugin and its corpus row refreshed
//! with its current status and resolution; no context is gathered, nothing is written, no note is posted.
//!
//! The run is claimed and recorded like any job (so retries, dead-lettering and `history` work unchanged).
//! It completes as `completed` with no model and no note, and `ignored_reason` says it was an index run:
//! the status set is fixed by the design, and that column already means "why no note was posted".

use enhancer_shared::domain::EnhancementJob;
use enhancer_shared::ip_extract;
use uuid::Uuid;

use super::context::WorkerContext;
use super::history::{self, Completion, StageTimes};
use super::tool::Tool;
use crate::corpus;
use crate::stages::{Stage, StageError, timed};

/// What an index run leaves in `enhancement_history.ignored_reason`.
pub const INDEX_ONLY: &str = "index only: corpus refreshed, no note";

/// Fetches the ticket and upserts it, with its resolution, into the tenant's corpus, then records the run
/// as completed with no model, no tokens and no note. A failure to fetch or to write is a failure of the job
/// (retried or dead-lettered like any other): indexing is all it does.
pub(super) async fn refresh(
    ctx: &WorkerContext,
    job: &EnhancementJob,
    tool: &Tool<'_>,
    enhancement_id: Uuid,
    times: &mut StageTimes,
) -> Result<(), StageError> {
    let fetching = async {
        let fetched = tool.plugin.get_ticket(&tool.api, &job.event.ticket_id).await;
        ctx.metrics.outbound(tool.plugin.kind().as_str(), "get_ticket", &fetched);
        fetched.map_err(|err| StageError::from_error(Stage::Gather, &err))
    };
    let (fetched, ms) = timed(&ctx.metrics, Stage::Gather, Some(ctx.timeouts.gather), fetching).await;
    times.gather_ms = ms;
    let ticket = fetched?;

    let completion = Completion { times: *times, ignored_reason: Some(INDEX_ONLY), ..Completion::default() };
    let recording = async {
        let addresses = ip_extract::extract(&format!("{}\n{}", ticket.subject, ticket.description));
        corpus::index_ticket(&ctx.pool, job.tenant_id.as_str(), &ticket, &addresses, ticket.resolution.as_deref())
            .await
            .map_err(|err| StageError::from_error(Stage::Record, &err))?;
        history::complete(&ctx.pool, enhancement_id, &completion)
            .await
            .map_err(|err| StageError::from_error(Stage::Record, &err))
    };
    timed(&ctx.metrics, Stage::Record, None, recording).await.0?;
    tracing::info!(resolved = ticket.resolution.is_some(), "ticket re-indexed; no note");
    Ok(())
}
