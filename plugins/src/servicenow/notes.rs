//! ServiceNow work notes: `post_note` PATCHes the record's `work_notes` (the internal journal; never
//! `comments`, which the caller sees) with the note and its marker, then finds the journal entry it made;
//! `find_note` pages through `sys_journal_field` for the record's work notes holding the marker.

use enhancer_shared::domain::{Note, NoteRef, TicketId};
use enhancer_shared::tenant::ServiceNowNoteFormat;
use reqwest::Method;
use serde_json::{Value, json};
use tracing::warn;

use super::client::{request, result, send, table_url};
use super::records::{field, table};
use super::tickets::sys_id;
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::render;
use crate::text::escape_html;

/// Journal entries per page; stop after this many pages (the marker filter normally leaves one entry).
const PAGE_SIZE: usize = 100;
const MAX_PAGES: usize = 20;
/// The journal's table, and the element our notes go to.
const JOURNAL: &str = "sys_journal_field";
const WORK_NOTES: &str = "work_notes";

/// The work note's text in the tenant's format, ending with the marker. A journal field renders only text
/// inside `[code]...[/code]` as HTML, so such tags written by the model are defused: in HTML by escaping
/// every `[`, in plain text by breaking the tag (`[ code]`), so the note cannot switch rendering on or off.
pub fn work_note(note: &Note, format: ServiceNowNoteFormat) -> String {
    match format {
        ServiceNowNoteFormat::Plain => {
            format!(
                "{}\n\n{}",
                defuse_code_tags(render::to_plain(&note.body_markdown, &render::AllowedLinks::of(note)).trim_end()),
                note.marker
            )
        }
        ServiceNowNoteFormat::Html => format!(
            "[code]{}\n<p><small>{}</small></p>[/code]",
            render::to_html(&note.body_markdown, &render::AllowedLinks::of(note)).trim_end().replace('[', "&#91;"),
            escape_html(&note.marker)
        ),
    }
}

fn defuse_code_tags(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in lower.match_indices('[') {
        let rest = &lower[at..];
        if rest.starts_with("[code]") || rest.starts_with("[/code]") {
            out.push_str(&text[copied..=at]);
            out.push(' ');
            copied = at + 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

pub(super) async fn post_note(api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
    let table = table(api.settings);
    let format = api.settings.servicenow.as_ref().map_or(ServiceNowNoteFormat::Plain, |settings| settings.note_format);
    let sys_id = sys_id(api, id).await?;
    let mut url = table_url(api, table, &[&sys_id])?;
    url.query_pairs_mut().append_pair("sysparm_fields", "sys_id");
    let body = json!({ WORK_NOTES: work_note(note, format) });
    result(send(api, || Ok(request(api, Method::PATCH, url.clone()).json(&body))).await?)?;
    // The Table API skips fields the account may not write and still answers 200: only the journal shows
    // whether the note was stored.
    match find_in_journal(api, table, &sys_id, &note.marker).await {
        Ok(Some(entry)) => Ok(entry),
        Ok(None) => Err(ToolError::Rejected {
            code: "work_notes_not_written".into(),
            message: "the record was updated but holds no work note with the marker; can the account write \
                      work_notes?"
                .into(),
        }),
        Err(err) => {
            // The note is stored; only its journal id is unknown. The record's sys_id stands in.
            warn!(error = %err, "work note posted, but its journal entry could not be read");
            Ok(NoteRef(sys_id))
        }
    }
}

pub(super) async fn find_note(api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
    let sys_id = sys_id(api, id).await?;
    find_in_journal(api, table(api.settings), &sys_id, marker).await
}

async fn find_in_journal(
    api: &ToolApi<'_>,
    table: &str,
    sys_id: &str,
    marker: &str,
) -> Result<Option<NoteRef>, ToolError> {
    if marker.contains('^') {
        return Err(ToolError::InvalidRequest("a marker cannot contain '^'".into()));
    }
    let query =
        format!("name={table}^element_id={sys_id}^element={WORK_NOTES}^valueLIKE{marker}^ORDERBYDESCsys_created_on");
    for page in 0..MAX_PAGES {
        let mut url = table_url(api, JOURNAL, &[])?;
        url.query_pairs_mut()
            .append_pair("sysparm_query", &query)
            .append_pair("sysparm_fields", "sys_id,element,element_id,value")
            .append_pair("sysparm_limit", &PAGE_SIZE.to_string())
            .append_pair("sysparm_offset", &(page * PAGE_SIZE).to_string());
        let found = result(send(api, || Ok(request(api, Method::GET, url.clone()))).await?)?;
        let entries = found.as_array().ok_or_else(|| ToolError::Malformed("journal answer is not a list".into()))?;
        // Checked again here: an instance drops query conditions it cannot apply instead of failing, and a
        // customer-visible comment quoting the marker is not our note.
        if let Some(entry) = entries.iter().find(|entry| is_our_work_note(entry, sys_id, marker)) {
            return Ok(field(entry, "sys_id").map(|id| NoteRef(id.to_owned())));
        }
        if entries.len() < PAGE_SIZE {
            break;
        }
    }
    Ok(None)
}

fn is_our_work_note(entry: &Value, sys_id: &str, marker: &str) -> bool {
    field(entry, "element") == Some(WORK_NOTES)
        && field(entry, "element_id") == Some(sys_id)
        && entry.get("value").and_then(Value::as_str).is_some_and(|value| value.contains(marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_tags_are_defused_in_plain_text() {
        assert_eq!(defuse_code_tags("a [code]<b>x</b>[/CODE] [c]"), "a [ code]<b>x</b>[ /CODE] [c]");
        assert_eq!(defuse_code_tags("no tags ["), "no tags [");
    }

    #[test]
    fn notes_end_with_the_marker_in_both_formats() {
        let note = Note {
            body_markdown: "**AI** [code]<script>[/code]".into(),
            marker: "ticket-enhancer:1".into(),
            allowed_links: Vec::new(),
        };
        let plain = work_note(&note, ServiceNowNoteFormat::Plain);
        assert!(plain.ends_with("\n\nticket-enhancer:1"), "{plain}");
        assert!(!plain.to_ascii_lowercase().contains("[code]"), "{plain}");
        let html = work_note(&note, ServiceNowNoteFormat::Html);
        assert!(html.starts_with("[code]") && html.ends_with("<p><small>ticket-enhancer:1</small></p>[/code]"));
        assert_eq!(html.matches("[code]").count(), 1, "{html}");
        assert_eq!(html.matches("[/code]").count(), 1, "{html}");
        assert!(!html.contains("<script"), "{html}");
    }
}
