//! Freshservice webhook payload -> [`TicketEvent`]. The payload is the template from `docs/PLUGINS.md` that
//! the admin pastes into the Workflow Automator's "Trigger Webhook" action (Advanced content); Freshservice
//! substitutes its `{{ticket.*}}` placeholders before sending.
//!
//! The ticket id is `ticket_id` (`{{ticket.id_numeric}}`, a string or a number); when only `display_id`
//! (`{{ticket.id}}`, e.g. `INC-242`) is sent, its prefix is stripped. Freshservice sends no delivery id, so
//! `idempotency_key` stays `None` and ingest identifies a redelivery by the body.

use enhancer_shared::domain::{EventKind, TicketEvent, TicketId};
use serde_json::Value;

use super::PRIORITIES;
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
    let kind = match event.to_ascii_lowercase().as_str() {
        "ticket_created" | "created" => EventKind::Created,
        "ticket_updated" | "updated" => EventKind::Updated,
        "note_added" | "ticket_commented" | "commented" => EventKind::Commented,
        _ => return Err(ExtractError::Unsupported(event.chars().take(64).collect())),
    };
    let ticket_id = ticket_id(&payload)?;
    let actor = expanded(str_at(&payload, &["actor"]))
        .or_else(|| expanded(str_at(&payload, &["requester_email"])))
        .map(str::to_owned);
    Ok(TicketEvent {
        // The account, or our marker in the note text the template may send as `note` (never the subject).
        self_authored: is_self_authored(actor.as_deref(), &texts_at(&payload, &[&["note"]]), req.settings),
        ticket_id,
        kind,
        actor,
        subject: expanded(str_at(&payload, &["subject"])).map(str::to_owned),
        // A number over the API; the template may render the name. Either is in the table.
        priority: normalize(expanded(id_at(&payload, &["priority"]).as_deref()), req.settings, PRIORITIES),
        occurred_at: time_at(&payload, &["timestamp"]),
        idempotency_key: None,
    })
}

/// `ticket_id` when present, else `display_id` without its prefix; either must end up a ticket number,
/// since that is what the API addresses.
fn ticket_id(payload: &Value) -> Result<TicketId, ExtractError> {
    let (field, raw) = match id_at(payload, &["ticket_id"]) {
        Some(raw) => ("ticket_id", raw),
        None => {
            ("display_id", id_at(payload, &["display_id"]).ok_or_else(|| ExtractError::malformed("ticket_id missing"))?)
        }
    };
    if is_placeholder(&raw) {
        return Err(ExtractError::Malformed(format!(
            "{field} is an unexpanded template variable; check the Freshservice webhook"
        )));
    }
    let number = strip_display_prefix(&raw);
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ExtractError::Malformed(format!("{field} is not a Freshservice ticket number")));
    }
    TicketId::parse(number).map_err(|_| ExtractError::Malformed(format!("{field} is not a valid id")))
}

/// `INC-242`, `SR-7` or `#INC-242` -> the number; anything else unchanged.
fn strip_display_prefix(raw: &str) -> &str {
    let bare = raw.trim_start_matches('#');
    match bare.split_once('-') {
        Some((prefix, number)) if !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_alphabetic()) => number,
        _ => raw,
    }
}

/// `None` for a value Freshservice left as its placeholder (`{{ticket.priority}}`): the placeholder does not
/// exist on the admin's account, and the value means nothing.
fn expanded(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !is_placeholder(value))
}

fn is_placeholder(value: &str) -> bool {
    let value = value.trim();
    value.starts_with("{{") && value.ends_with("}}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_display_prefixes() {
        assert_eq!(strip_display_prefix("INC-242"), "242");
        assert_eq!(strip_display_prefix("#SR-7"), "7");
        assert_eq!(strip_display_prefix("242"), "242");
        assert_eq!(strip_display_prefix("-242"), "-242");
        assert_eq!(strip_display_prefix("IN2-242"), "IN2-242");
    }

    #[test]
    fn recognises_placeholders() {
        assert!(is_placeholder("{{ticket.id_numeric}}"));
        assert!(is_placeholder(" {{ ticket.priority }} "));
        assert!(!is_placeholder("{{ not closed"));
        assert!(!is_placeholder("242"));
    }
}
