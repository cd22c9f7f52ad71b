//! Jira internal comments: `post_note` creates an ADF comment with the `sd.public.comment` property
//! `{"internal": true}` set in the same call (setting it afterwards may not take in the UI), ending with the
//! marker paragraph; `find_note` pages through the comments, newest first, looking for that marker.

use crate::render;
use enhancer_shared::domain::{Note, NoteRef, TicketId};
use reqwest::Method;
use serde_json::{Value, json};

use super::adf::{adf_to_text, with_marker};
use super::client::{request, url};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::payload::id_at;

/// Jira's maximum page size for comments; stop after this many pages.
const PAGE_SIZE: usize = 100;
const MAX_PAGES: usize = 20;

/// The comment request body.
pub(super) fn comment_body(note: &Note) -> Value {
    let links = render::AllowedLinks::of(note);
    let doc = with_marker(
        render::to_adf(&note.body_markdown, &links),
        &note.marker,
        &render::to_plain(&note.body_markdown, &links),
    );
    json!({
        "body": doc,
        // Must be a JSON boolean (JSDCLOUD-9766). On a project that is not a service project the property is
        // ignored; tenants must point us at JSM projects only (docs/PLUGINS.md).
        "properties": [{"key": "sd.public.comment", "value": {"internal": true}}],
    })
}

pub(super) async fn post_note(api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
    let builder = request(api, Method::POST, url(api, &["issue", id.as_str(), "comment"])?)?.json(&comment_body(note));
    let response = api.http.send(builder).await?.error_for_status()?;
    let created: Value = response.json()?;
    id_at(&created, &["id"]).map(NoteRef).ok_or_else(|| ToolError::Malformed("comment id missing".into()))
}

pub(super) async fn find_note(api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
    let mut start = 0;
    for _ in 0..MAX_PAGES {
        let mut page_url = url(api, &["issue", id.as_str(), "comment"])?;
        page_url
            .query_pairs_mut()
            .append_pair("startAt", &start.to_string())
            .append_pair("maxResults", &PAGE_SIZE.to_string())
            .append_pair("orderBy", "-created");
        let response = api.http.send(request(api, Method::GET, page_url)?).await?.error_for_status()?;
        let page: Value = response.json()?;
        let comments = page
            .get("comments")
            .and_then(Value::as_array)
            .ok_or_else(|| ToolError::Malformed("no \"comments\" in the answer".into()))?;
        if let Some(found) = comments
            .iter()
            .find(|comment| comment.get("body").is_some_and(|body| adf_to_text(body).contains(marker)))
            .and_then(|comment| id_at(comment, &["id"]))
        {
            return Ok(Some(NoteRef(found)));
        }
        start += comments.len();
        let total = page.get("total").and_then(Value::as_u64).unwrap_or(0);
        if comments.is_empty() || start as u64 >= total {
            break;
        }
    }
    Ok(None)
}
