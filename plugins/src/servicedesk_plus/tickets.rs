//! `get_ticket` for SDP: `GET {base}/api/v3/requests/{id}`, flattened to a [`Ticket`].

use enhancer_shared::domain::{Ticket, TicketId};
use reqwest::Method;
use serde_json::Value;

use super::PRIORITIES;
use super::client::{envelope, request, url};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::payload::{at, id_at, str_at, time_at};
use crate::priority::normalize;
use crate::text::html_to_text;

/// The resolution's HTML as text; an empty resolution (SDP keeps `""` after a reopen) is no resolution.
fn resolution_text(content: Option<&str>) -> Option<String> {
    content.map(html_to_text).map(|text| text.trim().to_owned()).filter(|text| !text.is_empty())
}

pub(super) async fn get_ticket(api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError> {
    let builder = request(api, Method::GET, url(api, &["requests", id.as_str()])?)?;
    let body = envelope(&api.http.send(builder).await?)?;
    let record = at(&body, &["request"]).ok_or_else(|| ToolError::Malformed("no \"request\" in the answer".into()))?;
    to_ticket(record, id, api)
}

fn to_ticket(record: &Value, id: &TicketId, api: &ToolApi<'_>) -> Result<Ticket, ToolError> {
    let returned = id_at(record, &["id"]).unwrap_or_default();
    if returned != id.as_str() {
        return Err(ToolError::Malformed(format!("asked for request {id}, got {returned:?}")));
    }
    Ok(Ticket {
        id: id.clone(),
        subject: str_at(record, &["subject"]).unwrap_or_default().to_owned(),
        // `description` is HTML or null.
        description: str_at(record, &["description"]).map(html_to_text).unwrap_or_default(),
        status: str_at(record, &["status", "name"]).map(str::to_owned),
        priority: normalize(str_at(record, &["priority", "name"]), api.settings, PRIORITIES),
        // `email_id` can be null; the display name is the next best thing.
        requester: str_at(record, &["requester", "email_id"])
            .or_else(|| str_at(record, &["requester", "name"]))
            .map(str::to_owned),
        // `{"display_value": "...", "value": "<epoch millis>"}`.
        created_at: time_at(record, &["created_time", "value"]),
        updated_at: time_at(record, &["last_updated_time", "value"]),
        // The UI path differs between on-prem builds and Cloud portals; rather none than a wrong link.
        url: None,
        // `{"content": "<html>", "submitted_on": {...}, ...}`, or absent/null until a technician resolves it.
        resolution: resolution_text(str_at(record, &["resolution", "content"])),
    })
}
