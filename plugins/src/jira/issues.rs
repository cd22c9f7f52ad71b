//! `get_ticket` for Jira: `GET {base}/rest/api/3/issue/{key}` with only the fields we use; the ADF
//! description is flattened to text.

use enhancer_shared::domain::{Ticket, TicketId};
use reqwest::Method;
use serde_json::Value;

use super::PRIORITIES;
use super::adf::adf_to_text;
use super::client::{request, url};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::payload::{at, str_at, time_at};
use crate::priority::normalize;

/// Asking for fewer fields keeps the answer small (issues with many custom fields run to hundreds of KiB).
/// `resolution` is `{"name": "Done", ...}` or null; `resolutiondate` is when it was set.
const FIELDS: &str = "summary,description,priority,status,reporter,created,updated,resolution,resolutiondate";

pub(super) async fn get_ticket(api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError> {
    let mut issue_url = url(api, &["issue", id.as_str()])?;
    issue_url.query_pairs_mut().append_pair("fields", FIELDS);
    let response = api.http.send(request(api, Method::GET, issue_url)?).await?.error_for_status()?;
    let issue: Value = response.json()?;
    let fields = at(&issue, &["fields"]).ok_or_else(|| ToolError::Malformed("issue without fields".into()))?;
    // The key can differ from the one asked for when the issue moved projects; Jira redirects the lookup.
    let key = str_at(&issue, &["key"]).unwrap_or(id.as_str());
    Ok(Ticket {
        id: id.clone(),
        subject: str_at(fields, &["summary"]).unwrap_or_default().to_owned(),
        description: fields.get("description").map(adf_to_text).unwrap_or_default(),
        status: str_at(fields, &["status", "name"]).map(str::to_owned),
        priority: normalize(str_at(fields, &["priority", "name"]), api.settings, PRIORITIES),
        // `emailAddress` is null under strict privacy settings; the display name is the fallback.
        requester: str_at(fields, &["reporter", "emailAddress"])
            .or_else(|| str_at(fields, &["reporter", "displayName"]))
            .map(str::to_owned),
        created_at: time_at(fields, &["created"]),
        updated_at: time_at(fields, &["updated"]),
        url: crate::api::endpoint(api.base_url, &["browse", key]).ok().map(String::from),
        resolution: resolution_text(fields),
    })
}

/// Jira keeps a resolution *name* ("Done", "Fixed", "Won't Do"), not a text: the corpus gets the name with
/// the date it was set, which is still what an agent wants to know about a look-alike ("Fixed on ...").
fn resolution_text(fields: &Value) -> Option<String> {
    let name = str_at(fields, &["resolution", "name"]).map(str::trim).filter(|name| !name.is_empty())?;
    Some(match time_at(fields, &["resolutiondate"]) {
        Some(at) => format!("{name} ({})", at.format("%Y-%m-%d")),
        None => name.to_owned(),
    })
}
