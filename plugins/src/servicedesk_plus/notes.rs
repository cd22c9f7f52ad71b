//! SDP notes: `post_note` as a private request note (`show_to_requester: false`) whose HTML ends with the
//! marker, and `find_note` by listing the request's notes and looking for that marker.

use crate::render;
use enhancer_shared::domain::{Note, NoteRef, TicketId};
use reqwest::Method;
use serde_json::{Value, json};
use tracing::debug;

use super::client::{envelope, request, url};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::payload::{at, id_at, str_at};
use crate::text::escape_html;

/// Notes are listed 100 at a time (SDP's maximum `row_count`); stop after this many pages.
const PAGE_SIZE: u32 = 100;
const MAX_PAGES: u32 = 20;

/// The note's HTML: the rendered Markdown, then the marker as a small footer paragraph (SDP keeps `<p>` and
/// `<small>`, and may strip comments, so the marker is visible text).
pub(super) fn note_html(note: &Note) -> String {
    format!(
        "{}\n<p><small>{}</small></p>",
        render::to_html(&note.body_markdown, &render::AllowedLinks::of(note)),
        escape_html(&note.marker)
    )
}

/// The `input_data` document under the given wrapper key.
fn input_data(wrapper: &str, html: &str) -> String {
    json!({ wrapper: {
        "description": html,
        "show_to_requester": false,
        "notify_technician": false,
        "mark_first_response": false,
        "add_to_linked_requests": false,
    }})
    .to_string()
}

pub(super) async fn post_note(api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
    let html = note_html(note);
    match post_with(api, id, "request_note", &html).await {
        // On-prem builds disagree on the wrapper key (`request_note` vs `note`). An explicit rejection created
        // nothing, so one retry with the other key cannot duplicate the note.
        Err(ToolError::Rejected { code, .. }) => {
            debug!(%code, "SDP rejected request_note; retrying once with the on-prem \"note\" wrapper");
            post_with(api, id, "note", &html).await
        }
        other => other,
    }
}

async fn post_with(api: &ToolApi<'_>, id: &TicketId, wrapper: &str, html: &str) -> Result<NoteRef, ToolError> {
    let builder = request(api, Method::POST, url(api, &["requests", id.as_str(), "notes"])?)?
        .form(&[("input_data", input_data(wrapper, html))]);
    let body = envelope(&api.http.send(builder).await?)?;
    ["request_note", "note"]
        .iter()
        .find_map(|key| id_at(&body, &[key, "id"]))
        .map(NoteRef)
        .ok_or_else(|| ToolError::Malformed("note id missing in the answer".into()))
}

pub(super) async fn find_note(api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
    for page in 0..MAX_PAGES {
        let list_info = json!({"list_info": {"row_count": PAGE_SIZE, "start_index": page * PAGE_SIZE + 1}});
        let mut list_url = url(api, &["requests", id.as_str(), "notes"])?;
        list_url.query_pairs_mut().append_pair("input_data", &list_info.to_string());
        let builder = request(api, Method::GET, list_url)?;
        let body = envelope(&api.http.send(builder).await?)?;
        let notes = ["notes", "request_notes"]
            .iter()
            .find_map(|key| at(&body, &[key]).and_then(Value::as_array))
            .ok_or_else(|| ToolError::Malformed("no \"notes\" in the answer".into()))?;
        if let Some(found) = notes
            .iter()
            .find(|note| str_at(note, &["description"]).is_some_and(|text| text.contains(marker)))
            .and_then(|note| id_at(note, &["id"]))
        {
            return Ok(Some(NoteRef(found)));
        }
        let more = at(&body, &["list_info", "has_more_rows"]).and_then(Value::as_bool).unwrap_or(false);
        if !more || notes.is_empty() {
            break;
        }
    }
    Ok(None)
}
