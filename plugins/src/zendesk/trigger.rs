//! Trigger webhooks: the JSON body the admin pastes into the trigger action "Notify active webhook"
//! (`docs/PLUGINS.md`, Zendesk setup). Zendesk fills in its `{{placeholders}}`; we read the event name, the
//! ticket id, the acting user and the priority, and fetch everything else over the API.

use enhancer_shared::domain::{EventKind, TicketEvent};
use serde_json::Value;

use super::PRIORITIES;
use super::extract::{idempotency_key, short, ticket_id};
use crate::error::ExtractError;
use crate::loop_guard::is_self_authored;
use crate::payload::{id_at, str_at, time_at};
use crate::priority::normalize;
use crate::request::WebhookRequest;

pub(super) fn extract(req: &WebhookRequest<'_>, payload: &Value) -> Result<TicketEvent, ExtractError> {
    let event = expanded(str_at(payload, &["event"])).ok_or_else(|| ExtractError::malformed("event missing"))?;
    let kind = match event.to_ascii_lowercase().as_str() {
        "ticket_created" | "created" => EventKind::Created,
        "ticket_updated" | "updated" => EventKind::Updated,
        "comment_added" | "ticket_commented" | "commented" => EventKind::Commented,
        _ => return Err(ExtractError::Unsupported(short(event))),
    };
    let raw_id = id_at(payload, &["ticket_id"]).ok_or_else(|| ExtractError::malformed("ticket_id missing"))?;
    if is_placeholder(&raw_id) {
        return Err(ExtractError::malformed("ticket_id is an unexpanded placeholder; check the trigger's JSON body"));
    }
    let ticket_id = ticket_id(raw_id, "ticket_id")?;

    let actor_id = id_at(payload, &["actor_id"]).filter(|id| !is_placeholder(id));
    let actor_email = expanded(str_at(payload, &["actor_email"])).map(str::to_owned);
    // The trigger body carries no comment text: the acting user decides (and the trigger's "Current user |
    // Is not | <the integration agent>" condition keeps our notes from firing it at all).
    let self_authored =
        [&actor_id, &actor_email].into_iter().any(|who| is_self_authored(who.as_deref(), &[], req.settings));

    Ok(TicketEvent {
        ticket_id,
        kind,
        actor: actor_id.or(actor_email),
        subject: expanded(str_at(payload, &["subject"])).map(str::to_owned),
        // `{{ticket.priority}}` renders the display name (`High`); matching is case-insensitive.
        priority: normalize(expanded(str_at(payload, &["priority"])), req.settings, PRIORITIES),
        occurred_at: time_at(payload, &["timestamp"]),
        // A trigger body has no event id of its own; ingest hashes the signed body (its `timestamp` keeps
        // two identical-looking updates apart).
        idempotency_key: idempotency_key(None),
        self_authored,
    })
}

/// `None` for a value Zendesk left as its placeholder: the field means nothing.
fn expanded(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !is_placeholder(value))
}

fn is_placeholder(value: &str) -> bool {
    value.contains("{{") && value.contains("}}")
}
