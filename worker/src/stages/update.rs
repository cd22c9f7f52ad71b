//! Update: post the enhancement as an internal note, exactly once. Before posting, the ticket is searched
//! for the note's marker: a previous attempt may have posted it and crashed before recording that. A note
//! posted now is observed in `enhancer_worker_webhook_to_note_seconds`.

use enhancer_plugins::{TicketingTool, ToolApi};
use enhancer_shared::domain::{EnhancementJob, Note, NoteRef};

use super::{Stage, StageError};
use crate::metrics::Metrics;

/// Whether the note was posted now or found from an earlier attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    New(NoteRef),
    AlreadyThere(NoteRef),
}

impl Posted {
    pub fn note_ref(&self) -> &NoteRef {
        match self {
            Posted::New(note) | Posted::AlreadyThere(note) => note,
        }
    }
}

/// `first_attempt`: no earlier run can have posted, so the lookup is skipped (one API call saved on the
/// common path).
pub async fn update(
    plugin: &dyn TicketingTool,
    api: &ToolApi<'_>,
    job: &EnhancementJob,
    note: &Note,
    first_attempt: bool,
    metrics: &Metrics,
) -> Result<Posted, StageError> {
    let tool = plugin.kind().as_str();
    let id = &job.event.ticket_id;
    if !first_attempt {
        let found = plugin.find_note(api, id, &note.marker).await;
        metrics.outbound(tool, "find_note", &found);
        if let Some(existing) = found.map_err(|err| StageError::from_error(Stage::Update, &err))? {
            tracing::info!(note = %existing.0, "note found from an earlier attempt; not posted again");
            return Ok(Posted::AlreadyThere(existing));
        }
    }
    let posted = plugin.post_note(api, id, note).await;
    metrics.outbound(tool, "post_note", &posted);
    let posted = posted.map_err(|err| StageError::from_error(Stage::Update, &err))?;
    let since_webhook = (chrono::Utc::now() - job.received_at).to_std().unwrap_or_default();
    metrics.webhook_to_note.with_label_values(&[job.tool.as_str()]).observe(since_webhook.as_secs_f64());
    Ok(Posted::New(posted))
}
