//! Freshservice notes: `post_note` as a private note (`"private": true`, always) whose HTML ends with the
//! marker, and `find_note` by paging through the ticket's conversations (replies and notes) for that marker.

use enhancer_shared::domain::{Note, NoteRef, TicketId};
use reqwest::Method;
use reqwest::header::LINK;
use serde_json::{Value, json};

use super::client::{request, send, url};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::http::HttpResponse;
use crate::payload::{at, id_at, str_at};
use crate::render;
use crate::text::escape_html;

/// Conversations are listed 100 at a time (Freshservice's maximum `per_page`); stop after this many pages.
pub const PAGE_SIZE: usize = 100;
const MAX_PAGES: usize = 20;

/// The note's HTML: the rendered Markdown, then the marker as a small footer paragraph. The marker is
/// visible text, so it survives in `body_text` whatever markup Freshservice keeps.
pub fn note_html(note: &Note) -> String {
    format!(
        "{}\n<p><small>{}</small></p>",
        render::to_html(&note.body_markdown, &render::AllowedLinks::of(note)),
        escape_html(&note.marker)
    )
}

pub(super) async fn post_note(api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
    // `private` must be sent: whether Freshservice defaults notes to private is not documented.
    let body = json!({"body": note_html(note), "private": true});
    let builder = request(api, Method::POST, url(api, &["tickets", id.as_str(), "notes"])?)?.json(&body);
    let created: Value = send(api, builder).await?.json()?;
    // Documented samples wrap the note as `conversation`; `note` and a bare object are accepted as well.
    ["conversation", "note"]
        .iter()
        .find_map(|key| id_at(&created, &[key, "id"]))
        .or_else(|| id_at(&created, &["id"]))
        .map(NoteRef)
        .ok_or_else(|| ToolError::Malformed("note id missing in the answer".into()))
}

pub(super) async fn find_note(api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
    for page in 1..=MAX_PAGES {
        let mut page_url = url(api, &["tickets", id.as_str(), "conversations"])?;
        page_url
            .query_pairs_mut()
            .append_pair("page", &page.to_string())
            .append_pair("per_page", &PAGE_SIZE.to_string());
        let response = send(api, request(api, Method::GET, page_url)?).await?;
        let body: Value = response.json()?;
        let conversations = at(&body, &["conversations"])
            .and_then(Value::as_array)
            .ok_or_else(|| ToolError::Malformed("no \"conversations\" in the answer".into()))?;
        if let Some(found) = conversations
            .iter()
            .find(|item| {
                ["body_text", "body"]
                    .iter()
                    .any(|field| str_at(item, &[field]).is_some_and(|text| text.contains(marker)))
            })
            .and_then(|item| id_at(item, &["id"]))
        {
            return Ok(Some(NoteRef(found)));
        }
        if conversations.is_empty() || !(has_next_link(&response) || conversations.len() >= PAGE_SIZE) {
            break;
        }
    }
    Ok(None)
}

/// Whether the answer's `Link` header points at a next page. A full page counts as well, in case the
/// header is missing: one empty page more is cheap, a missed note is a duplicate.
fn has_next_link(response: &HttpResponse) -> bool {
    response
        .headers
        .get_all(LINK)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| value.split(',').any(|link| link.contains("rel=\"next\"") || link.contains("rel=next")))
}
