//! The Business Rule's payload -> [`TicketEvent`]. The payload is ours (ServiceNow defines none):
//! `{"event": "incident.created", "table", "sys_id", "number", "instance", ...}` plus the optional fields the
//! published script adds (`short_description`, `priority`, `updated_by`, `updated_on`, `sys_mod_count`, and
//! `work_note_marker` when the update wrote our own work note).

use enhancer_shared::domain::{EventKind, TicketEvent, TicketId};
use serde_json::Value;

use super::PRIORITIES;
use super::records::table;
use crate::error::{ExtractError, describe_json_error};
use crate::loop_guard::{is_self_authored, texts_at};
use crate::payload::{id_at, str_at, time_at};
use crate::priority::normalize;
use crate::request::WebhookRequest;

pub(super) fn extract(req: &WebhookRequest<'_>) -> Result<TicketEvent, ExtractError> {
    let payload: Value =
        serde_json::from_slice(req.body).map_err(|err| ExtractError::Malformed(describe_json_error(&err)))?;
    if !payload.is_object() {
        return Err(ExtractError::malformed("expected a JSON object"));
    }
    let event = str_at(&payload, &["event"]).ok_or_else(|| ExtractError::malformed("event missing"))?;
    // `<table>.<action>`; the table comes from `table` when the payload has it.
    let (event_table, action) = event.rsplit_once('.').unwrap_or(("", event));
    let kind = match action {
        "created" => EventKind::Created,
        "updated" => EventKind::Updated,
        "commented" => EventKind::Commented,
        _ => return Err(ExtractError::Unsupported(short(event))),
    };
    let payload_table = str_at(&payload, &["table"]).unwrap_or(event_table);
    if !payload_table.is_empty() && payload_table != table(req.settings) {
        // A rule on another table than the tenant's: its ids mean nothing in our table.
        return Err(ExtractError::Unsupported(format!("table {}", short(payload_table))));
    }
    // The sys_id, or the number when a custom script only knows that (the API resolves it).
    let raw_id = id_at(&payload, &["sys_id"])
        .or_else(|| id_at(&payload, &["number"]))
        .ok_or_else(|| ExtractError::malformed("sys_id missing"))?;
    let ticket_id = TicketId::parse(raw_id).map_err(|_| ExtractError::malformed("sys_id is not a valid id"))?;
    let actor = str_at(&payload, &["updated_by"]).map(str::to_owned);
    // One delivery per change: ServiceNow counts every update of a record in `sys_mod_count`.
    let idempotency_key = id_at(&payload, &["sys_mod_count"]).map(|count| format!("{ticket_id}:{count}"));
    Ok(TicketEvent {
        // The account (`sys_updated_by`, a user_name) or the marker the script found in our own work note;
        // never `short_description`, which the caller writes.
        self_authored: is_self_authored(actor.as_deref(), &texts_at(&payload, &[&["work_note_marker"]]), req.settings),
        ticket_id,
        kind,
        actor,
        subject: str_at(&payload, &["short_description"]).map(str::to_owned),
        priority: normalize(str_at(&payload, &["priority"]), req.settings, PRIORITIES),
        occurred_at: time_at(&payload, &["updated_on"]),
        idempotency_key,
    })
}

/// Names echoed in errors: short and printable.
fn short(text: &str) -> String {
    text.chars().take(64).filter(|c| !c.is_control()).collect()
}
