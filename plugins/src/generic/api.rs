//! The generic tool's outbound API: `GET {base}/tickets/{id}`, `POST {base}/notes`,
//! `GET {base}/tickets/{id}/notes`, each with `Authorization: Bearer <callback_token>` when the tenant has one.

use crate::render;
use enhancer_shared::domain::{Note, NoteRef, Ticket, TicketId};
use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, RequestBuilder};

use super::wire::{NoteCreated, NoteList, NoteRequest, PRIORITIES, TicketResponse, id_text};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::payload::parse_time;
use crate::priority::normalize;
use crate::text::escape_html;

fn authorized(api: &ToolApi<'_>, builder: RequestBuilder) -> RequestBuilder {
    let builder = builder.header(ACCEPT, HeaderValue::from_static("application/json"));
    match api.credentials.get("callback_token") {
        Some(token) => builder.bearer_auth(token),
        None => builder,
    }
}

pub(super) async fn get_ticket(api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError> {
    let url = api.endpoint(&["tickets", id.as_str()])?;
    let response = api.http.send(authorized(api, api.http.request(Method::GET, url))).await?.error_for_status()?;
    let body: TicketResponse = response.json()?;
    let returned = id_text(&body.id).unwrap_or_default();
    if returned != id.as_str() {
        return Err(ToolError::Malformed(format!("asked for ticket {id}, got {returned:?}")));
    }
    Ok(Ticket {
        id: id.clone(),
        subject: body.subject,
        description: body.description.unwrap_or_default(),
        status: body.status,
        priority: normalize(body.priority.as_deref(), api.settings, PRIORITIES),
        requester: body.requester,
        created_at: body.created_at.as_deref().and_then(parse_time),
        updated_at: body.updated_at.as_deref().and_then(parse_time),
        url: body.url,
        resolution: body.resolution.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()),
    })
}

/// The note as posted: each body form ends with the marker on its own line. `body_markdown` stays the
/// model's Markdown (a receiver may want to render it its own way), documented as untrusted; `body_html` and
/// `body_text` are the sanitised forms, rendered with the note's link policy, which travels along as
/// `allowed_links`.
pub(super) fn note_request(id: &TicketId, note: &Note) -> NoteRequest {
    let marker = &note.marker;
    let links = render::AllowedLinks::of(note);
    NoteRequest {
        ticket_id: id.to_string(),
        marker: marker.clone(),
        internal: true,
        body_markdown: format!("{}\n\n{marker}\n", note.body_markdown.trim_end()),
        body_html: format!(
            "{}\n<p><small>{}</small></p>",
            render::to_html(&note.body_markdown, &links),
            escape_html(marker)
        ),
        body_text: format!("{}\n\n{marker}\n", render::to_plain(&note.body_markdown, &links).trim_end()),
        allowed_links: note.allowed_links.clone(),
    }
}

pub(super) async fn post_note(api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
    let url = api.endpoint(&["notes"])?;
    let builder = authorized(api, api.http.request(Method::POST, url))
        // Lets a receiver that supports it drop a duplicate post itself.
        .header("Idempotency-Key", note.marker.as_str())
        .json(&note_request(id, note));
    let response = api.http.send(builder).await?.error_for_status()?;
    let created: NoteCreated = response.json()?;
    id_text(&created.id).map(NoteRef).ok_or_else(|| ToolError::Malformed("note id missing".into()))
}

pub(super) async fn find_note(api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
    let url = api.endpoint(&["tickets", id.as_str(), "notes"])?;
    let response = api.http.send(authorized(api, api.http.request(Method::GET, url))).await?.error_for_status()?;
    let list: NoteList = response.json()?;
    Ok(list.notes.iter().find(|listed| listed.carries(marker)).and_then(|listed| id_text(&listed.id)).map(NoteRef))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_html_and_text_bodies_are_defused_and_the_link_policy_travels() {
        let note = Note {
            body_markdown:
                "[KB](https://kb.example.com/42) [reset](https://evil.example/x)\n\n<script>alert(1)</script>".into(),
            marker: "ticket-enhancer:0193a3b4-0000-7000-8000-000000000001".into(),
            allowed_links: vec!["https://kb.example.com/42".into()],
        };
        let request = note_request(&TicketId::parse("4711").expect("id"), &note);
        assert!(!request.body_html.contains("<script"), "{}", request.body_html);
        assert!(request.body_html.contains("&lt;script&gt;"), "{}", request.body_html);
        assert!(request.body_html.contains(r#"<a href="https://kb.example.com/42""#), "{}", request.body_html);
        assert!(!request.body_html.contains(r#"href="https://evil"#), "{}", request.body_html);
        assert!(request.body_html.contains("reset (https://evil.example/x)"), "{}", request.body_html);
        assert!(request.body_text.contains("reset (https://evil.example/x)"), "{}", request.body_text);
        assert_eq!(request.allowed_links, ["https://kb.example.com/42"]);
        // The Markdown is the model's, documented as untrusted, and still ends with the marker.
        assert!(request.body_markdown.contains("<script>"), "{}", request.body_markdown);
        assert!(request.body_markdown.ends_with(&format!("{}\n", note.marker)));
    }
}
