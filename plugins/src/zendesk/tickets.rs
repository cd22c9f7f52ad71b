//! `get_ticket` for Zendesk: `GET {base}/api/v2/tickets/{id}`, then the requester's e-mail from
//! `GET {base}/api/v2/users/{requester_id}` (a ticket names its requester by id only).

use enhancer_shared::domain::{Ticket, TicketId};
use enhancer_shared::error::Retryable;
use reqwest::Method;
use serde_json::Value;
use tracing::debug;
use url::Url;

use super::PRIORITIES;
use super::client::{request, url};
use crate::api::{ToolApi, endpoint};
use crate::error::ToolError;
use crate::payload::{at, id_at, str_at, time_at};
use crate::priority::normalize;

pub(super) async fn get_ticket(api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError> {
    let response = api.http.send(request(api, Method::GET, url(api, &["tickets", id.as_str()])?)?).await?;
    let body: Value = response.error_for_status()?.json()?;
    let record = at(&body, &["ticket"]).ok_or_else(|| ToolError::Malformed("no \"ticket\" in the answer".into()))?;
    let returned = id_at(record, &["id"]).unwrap_or_default();
    if returned != id.as_str() {
        return Err(ToolError::Malformed(format!("asked for ticket {id}, got {returned:?}")));
    }
    let requester = match id_at(record, &["requester_id"]) {
        Some(user) => requester(api, &user).await?,
        None => None,
    };
    Ok(Ticket {
        id: id.clone(),
        subject: str_at(record, &["subject"]).unwrap_or_default().to_owned(),
        // The first comment, already plain text.
        description: str_at(record, &["description"]).unwrap_or_default().to_owned(),
        status: str_at(record, &["status"]).map(str::to_owned),
        priority: normalize(str_at(record, &["priority"]), api.settings, PRIORITIES),
        requester,
        created_at: time_at(record, &["created_at"]),
        updated_at: time_at(record, &["updated_at"]),
        url: agent_url(api.base_url, id),
        // Zendesk keeps no resolution field; a solved ticket's answer is somewhere in its comments.
        resolution: None,
    })
}

/// The requester's e-mail (or name). The ticket is usable without it: a user we may not read (403), a
/// deleted one (404) or an odd answer gives `None`; a transient failure fails the call so the job retries.
async fn requester(api: &ToolApi<'_>, user_id: &str) -> Result<Option<String>, ToolError> {
    let response = api.http.send(request(api, Method::GET, url(api, &["users", user_id])?)?).await?;
    match response.error_for_status() {
        Ok(response) => {
            let user: Option<Value> = response.json().ok();
            Ok(user.and_then(|user| {
                str_at(&user, &["user", "email"]).or_else(|| str_at(&user, &["user", "name"])).map(str::to_owned)
            }))
        }
        Err(err) if err.disposition().is_transient() => Err(err),
        Err(err) => {
            debug!(error = %err, "requester lookup failed; the ticket goes on without it");
            Ok(None)
        }
    }
}

/// The agent interface's page of the ticket: `{base}/agent/tickets/{id}` (without a trailing `/api/v2`).
fn agent_url(base: &Url, id: &TicketId) -> Option<String> {
    let mut site = base.clone();
    let path = site.path().trim_end_matches('/');
    let trimmed = path.strip_suffix("/api/v2").unwrap_or(path).to_owned();
    site.set_path(&trimmed);
    endpoint(&site, &["agent", "tickets", id.as_str()]).ok().map(String::from)
}
