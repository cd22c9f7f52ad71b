//! `get_ticket` for ServiceNow: `GET /api/now/table/{table}/{sys_id}` (or a query by `number` when the
//! webhook only knew that), raw values (`sysparm_display_value=false`), flattened to a [`Ticket`].

use enhancer_shared::domain::{Ticket, TicketId};
use reqwest::Method;
use serde_json::Value;

use super::PRIORITIES;
use super::client::{request, result, send, table_url};
use super::records::{field, is_sys_id, number, table};
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::payload::parse_time;
use crate::priority::normalize;

/// The fields we read; `caller_id.email` is dot-walked through the caller reference.
const FIELDS: &str = "sys_id,number,short_description,description,priority,state,opened_at,sys_created_on,\
                      sys_updated_on,caller_id,caller_id.email,close_notes";

pub(super) async fn get_ticket(api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError> {
    let table = table(api.settings);
    let record = fetch(api, table, id, FIELDS).await?;
    if is_sys_id(id.as_str()) && field(&record, "sys_id") != Some(id.as_str()) {
        return Err(ToolError::Malformed(format!("asked for record {id}, got another")));
    }
    Ok(to_ticket(&record, id, api, table))
}

/// The record's sys_id: the id itself, or looked up by number.
pub(super) async fn sys_id(api: &ToolApi<'_>, id: &TicketId) -> Result<String, ToolError> {
    if is_sys_id(id.as_str()) {
        return Ok(id.as_str().to_owned());
    }
    let record = fetch(api, table(api.settings), id, "sys_id").await?;
    field(&record, "sys_id").map(str::to_owned).ok_or_else(|| ToolError::Malformed("record without sys_id".into()))
}

/// One record by sys_id, or the first record whose `number` is `id` (`result` is then an array).
async fn fetch(api: &ToolApi<'_>, table: &str, id: &TicketId, fields: &str) -> Result<Value, ToolError> {
    let by_sys_id = is_sys_id(id.as_str());
    let mut url = if by_sys_id { table_url(api, table, &[id.as_str()])? } else { table_url(api, table, &[])? };
    {
        let mut query = url.query_pairs_mut();
        if !by_sys_id {
            let number = number(id).ok_or_else(|| ToolError::InvalidRequest("not a sys_id or record number".into()))?;
            query.append_pair("sysparm_query", &format!("number={number}")).append_pair("sysparm_limit", "1");
        }
        query.append_pair("sysparm_fields", fields).append_pair("sysparm_display_value", "false");
    }
    let found = result(send(api, || Ok(request(api, Method::GET, url.clone()))).await?)?;
    match found {
        Value::Object(_) => Ok(found),
        // What the Table API answers for a sys_id it does not know, so the same (permanent) class.
        Value::Array(records) if !by_sys_id => records
            .into_iter()
            .next()
            .ok_or_else(|| ToolError::from_status(404, None, format!("no {table} record numbered {id}").as_bytes())),
        _ => Err(ToolError::Malformed("unexpected \"result\" shape".into())),
    }
}

fn to_ticket(record: &Value, id: &TicketId, api: &ToolApi<'_>, table: &str) -> Ticket {
    let sys_id = field(record, "sys_id").unwrap_or(id.as_str());
    Ticket {
        id: id.clone(),
        subject: field(record, "short_description").unwrap_or_default().to_owned(),
        // `description` is a plain-text field.
        description: field(record, "description").unwrap_or_default().to_owned(),
        status: field(record, "state").map(|state| state_label(table, state)),
        priority: normalize(field(record, "priority"), api.settings, PRIORITIES),
        requester: field(record, "caller_id.email").map(str::to_owned),
        // "YYYY-MM-DD HH:MM:SS", taken as UTC.
        created_at: field(record, "opened_at").or_else(|| field(record, "sys_created_on")).and_then(parse_time),
        updated_at: field(record, "sys_updated_on").and_then(parse_time),
        url: crate::api::endpoint(api.base_url, &[&format!("{table}.do")])
            .ok()
            .map(|mut url| {
                url.query_pairs_mut().append_pair("sys_id", sys_id);
                url
            })
            .map(String::from),
        // "Resolution notes", filled in when the incident is resolved.
        resolution: field(record, "close_notes").map(str::to_owned),
    }
}

/// The out-of-the-box `incident` state choices; other tables (and customised choices) keep the raw value.
fn state_label(table: &str, state: &str) -> String {
    let label = match (table, state) {
        ("incident", "1") => "New",
        ("incident", "2") => "In Progress",
        ("incident", "3") => "On Hold",
        ("incident", "6") => "Resolved",
        ("incident", "7") => "Closed",
        ("incident", "8") => "Canceled",
        _ => state,
    };
    label.to_owned()
}
