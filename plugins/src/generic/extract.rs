//! Generic webhook payload -> [`TicketEvent`]. The delivery id (`webhook-id`) is the idempotency key.

use enhancer_shared::domain::{EventKind, TicketEvent, TicketId};

use super::wire::{PRIORITIES, WebhookPayload, id_text};
use crate::error::{ExtractError, describe_json_error};
use crate::loop_guard::is_self_authored;
use crate::payload::parse_time;
use crate::priority::normalize;
use crate::request::WebhookRequest;

pub(super) fn extract(req: &WebhookRequest<'_>) -> Result<TicketEvent, ExtractError> {
    let payload: WebhookPayload =
        serde_json::from_slice(req.body).map_err(|err| ExtractError::Malformed(describe_json_error(&err)))?;
    let kind = match payload.event_type.as_str() {
        "ticket.created" => EventKind::Created,
        "ticket.updated" => EventKind::Updated,
        "ticket.commented" | "comment.created" => EventKind::Commented,
        _ => return Err(ExtractError::Unsupported(short(&payload.event_type))),
    };
    let raw_id = id_text(&payload.data.ticket_id).ok_or_else(|| ExtractError::malformed("data.ticket_id missing"))?;
    let ticket_id = TicketId::parse(raw_id).map_err(|_| ExtractError::malformed("data.ticket_id is not a valid id"))?;
    let actor = payload.data.actor.filter(|actor| !actor.trim().is_empty());
    Ok(TicketEvent {
        // The account, or our marker in the comment's text (`data.comment`; never the subject).
        self_authored: is_self_authored(
            actor.as_deref(),
            &[payload.data.comment.as_deref().unwrap_or("")],
            req.settings,
        ),
        ticket_id,
        kind,
        actor,
        subject: payload.data.subject,
        priority: normalize(payload.data.priority.as_deref(), req.settings, PRIORITIES),
        occurred_at: payload.timestamp.as_deref().and_then(parse_time),
        idempotency_key: req.header("webhook-id").filter(|id| !id.is_empty()).map(str::to_owned),
    })
}

/// Event names are echoed in errors; keep them short and printable.
fn short(text: &str) -> String {
    text.chars().take(64).filter(|c| !c.is_control()).collect()
}
