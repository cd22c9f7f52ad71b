//! `get_ticket` for Freshservice: `GET {base}/api/v2/tickets/{id}` (`{"ticket": {...}}`), flattened to a
//! [`Ticket`]. The plain-text `description_text` is used; the HTML `description` only when it is missing.

use enhancer_shared::domain::{Ticket, TicketId};
use reqwest::Method;
use serde_json::Value;

use super::PRIORITIES;
use super::client::{request, send, url, web_base};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::payload::{at, id_at, str_at, time_at};
use crate::priority::normalize;
use crate::text::html_to_text;

pub(super) async fn get_ticket(api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError> {
    let response = send(api, request(api, Method::GET, url(api, &["tickets", id.as_str()])?)?).await?;
    let body: Value = response.json()?;
    let record = at(&body, &["ticket"]).ok_or_else(|| ToolError::Malformed("no \"ticket\" in the answer".into()))?;
    to_ticket(record, id, api)
}

fn to_ticket(record: &Value, id: &TicketId, api: &ToolApi<'_>) -> Result<Ticket, ToolError> {
    let returned = id_at(record, &["id"]).unwrap_or_default();
    if returned != id.as_str() {
        return Err(ToolError::Malformed(format!("asked for ticket {id}, got {returned:?}")));
    }
    let description = match str_at(record, &["description_text"]) {
        Some(text) => text.to_owned(),
        None => str_at(record, &["description"]).map(html_to_text).unwrap_or_default(),
    };
    Ok(Ticket {
        id: id.clone(),
        subject: str_at(record, &["subject"]).unwrap_or_default().to_owned(),
        description,
        status: id_at(record, &["status"]).map(|status| status_name(&status)),
        priority: normalize(id_at(record, &["priority"]).as_deref(), api.settings, PRIORITIES),
        // The ticket holds only `requester_id`; the e-mail would cost a second call per job to an endpoint
        // whose field names are unconfirmed.
        requester: None,
        created_at: time_at(record, &["created_at"]),
        updated_at: time_at(record, &["updated_at"]),
        url: crate::api::endpoint(&web_base(api), &["helpdesk", "tickets", id.as_str()]).ok().map(String::from),
        // Freshservice keeps no resolution text on the ticket (it is a closing note among the conversations).
        resolution: None,
    })
}

/// The built-in statuses by number; a custom status keeps its number.
fn status_name(status: &str) -> String {
    match status {
        "2" => "Open",
        "3" => "Pending",
        "4" => "Resolved",
        "5" => "Closed",
        other => other,
    }
    .to_owned()
}
