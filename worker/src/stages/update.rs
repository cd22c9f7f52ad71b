//! Update: post the enhancement as an internal note, exactly once. Before posting, the ticket is searched
//! for the note's marker: a previous attempt may have posted it and crashed before recording that.

use enhancer_plugins::{TicketingTool, ToolApi};
use enhancer_shared::domain::{Note, NoteRef, TicketId};

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
    id: &TicketId,
    note: &Note,
    first_attempt: bool,
    metrics: &Metrics,
) -> Result<Posted, StageError> {
    let tool = plugin.kind().as_str();
    if !first_attempt {
        let found = plugin.find_note(api, id, &note.marker).await;
        metrics.outbound(tool, "find_note", &found);
        if let Some(existing) = found.map_err(|err| StageError::from_error(Stage::Update, &err))? {
            return Ok(Posted::AlreadyThere(existing));
        }
    }
    let posted = plugin.post_note(api, id, note).await;
    metrics.outbound(tool, "post_note", &posted);
    Ok(Posted::New(posted.map_err(|err| StageError::from_error(Stage::Update, &err))?))
}
