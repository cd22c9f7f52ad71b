//! Zendesk internal notes: `post_note` adds a private comment (`"public": false`) whose HTML ends with the
//! marker, through `PUT /api/v2/tickets/{id}`; `find_note` pages through `GET /api/v2/tickets/{id}/comments`
//! (cursor pagination) looking for that marker.

use enhancer_shared::domain::{Note, NoteRef, TicketId};
use reqwest::Method;
use serde_json::{Value, json};

use super::client::{request, url};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::payload::{at, id_at, str_at};
use crate::render;
use crate::text::escape_html;

/// Zendesk's largest cursor page.
const PAGE_SIZE: &str = "100";
/// A ticket holds at most 5000 comments (then Zendesk answers 422): 50 pages of 100 see all of them.
const MAX_PAGES: usize = 50;

/// The note's HTML: the rendered Markdown, then the marker as a small footer paragraph (visible text, so it
/// survives Zendesk's HTML sanitising and shows in the comment's plain `body` too).
pub(super) fn note_html(note: &Note) -> String {
    format!(
        "{}\n<p><small>{}</small></p>",
        render::to_html(&note.body_markdown, &render::AllowedLinks::of(note)),
        escape_html(&note.marker)
    )
}

/// The ticket update that adds the note. `public: false` makes it an internal note, never shown to the
/// requester; `author_id` is left out, so the author is the authenticated integration account.
pub(super) fn update_body(note: &Note) -> Value {
    json!({"ticket": {"comment": {"html_body": note_html(note), "public": false}}})
}

pub(super) async fn post_note(api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
    let builder = request(api, Method::PUT, url(api, &["tickets", id.as_str()])?)?.json(&update_body(note));
    // A PUT, but not idempotent: every accepted update adds a comment. Sent once; the worker's retry runs
    // `find_note` first.
    let response = api.http.send_once(builder).await?.error_for_status()?;
    if let Some(comment) = response.json::<Value>().ok().as_ref().and_then(comment_id) {
        return Ok(NoteRef(comment));
    }
    // Applied, but the answer does not name the comment (no `audit`): find it by its marker.
    find_note(api, id, &note.marker)
        .await?
        .ok_or_else(|| ToolError::Malformed("the update was accepted but no comment carries our marker".into()))
}

/// The new comment's id: the `Comment` event of the update's `audit`.
fn comment_id(answer: &Value) -> Option<String> {
    at(answer, &["audit", "events"])?
        .as_array()?
        .iter()
        .find(|event| str_at(event, &["type"]) == Some("Comment"))
        .and_then(|event| id_at(event, &["id"]))
}

pub(super) async fn find_note(api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
    let mut after: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let mut page_url = url(api, &["tickets", id.as_str(), "comments"])?;
        {
            let mut query = page_url.query_pairs_mut();
            query.append_pair("page[size]", PAGE_SIZE);
            if let Some(cursor) = &after {
                query.append_pair("page[after]", cursor);
            }
        }
        let response = api.http.send(request(api, Method::GET, page_url)?).await?;
        let page: Value = response.error_for_status()?.json()?;
        let comments = at(&page, &["comments"])
            .and_then(Value::as_array)
            .ok_or_else(|| ToolError::Malformed("no \"comments\" in the answer".into()))?;
        if let Some(found) =
            comments.iter().find(|comment| carries(comment, marker)).and_then(|comment| id_at(comment, &["id"]))
        {
            return Ok(Some(NoteRef(found)));
        }
        let more = at(&page, &["meta", "has_more"]).and_then(Value::as_bool).unwrap_or(false);
        after = str_at(&page, &["meta", "after_cursor"]).map(str::to_owned);
        if !more || after.is_none() || comments.is_empty() {
            break;
        }
    }
    Ok(None)
}

/// Whether a comment's HTML or text holds the marker.
fn carries(comment: &Value, marker: &str) -> bool {
    ["html_body", "body", "plain_body"]
        .iter()
        .any(|key| str_at(comment, &[key]).is_some_and(|text| text.contains(marker)))
}
