//! Zendesk webhook payload -> [`TicketEvent`], for both ways a Zendesk webhook can be connected: an event
//! subscription (Zendesk's fixed `zen:event-type:*` JSON, see `event_subscription.rs`) or a trigger with the
//! JSON body we publish in `docs/PLUGINS.md` (see `trigger.rs`). A webhook is one or the other, never both;
//! the payload says which.
//!
//! Idempotency key: only signed material decides what is a redelivery, and Zendesk signs the body but not
//! `X-Zendesk-Webhook-Invocation-Id`. So the event's own `id` (in the signed body) is the key; trigger
//! bodies carry no id, and ingest then hashes the (signed) body. The invocation id header is never used: a
//! replayed body with a fresh invocation id would otherwise count as a new event.

use enhancer_shared::domain::{TicketEvent, TicketId};
use serde_json::Value;

use super::{event_subscription, trigger};
use crate::error::{ExtractError, describe_json_error};
use crate::payload::str_at;
use crate::request::WebhookRequest;

/// Zendesk's delivery id, the same on its retries of one invocation. Not covered by the signature, so
/// deliberately not read (see the module comment).
pub const INVOCATION_ID_HEADER: &str = "x-zendesk-webhook-invocation-id";

pub(super) fn extract(req: &WebhookRequest<'_>) -> Result<TicketEvent, ExtractError> {
    let payload: Value =
        serde_json::from_slice(req.body).map_err(|err| ExtractError::Malformed(describe_json_error(&err)))?;
    if !payload.is_object() {
        return Err(ExtractError::malformed("expected a JSON object"));
    }
    match str_at(&payload, &["type"]) {
        Some(event_type) if event_type.starts_with(event_subscription::TYPE_PREFIX) => {
            event_subscription::extract(req, &payload, event_type)
        }
        _ if payload.get("event").is_some() => trigger::extract(req, &payload),
        _ => Err(ExtractError::malformed("neither a zen:event-type event nor the trigger body (\"event\" missing)")),
    }
}

/// `id` from the signed body when there is one; otherwise none, and ingest hashes the signed body.
pub(super) fn idempotency_key(signed_id: Option<&str>) -> Option<String> {
    signed_id.map(str::to_owned)
}

/// A ticket id (Zendesk's are numbers, sent as strings by event subscriptions).
pub(super) fn ticket_id(raw: String, field: &str) -> Result<TicketId, ExtractError> {
    TicketId::parse(raw).map_err(|_| ExtractError::Malformed(format!("{field} is not a valid ticket id")))
}

/// Event names are echoed in errors; keep them short and printable.
pub(super) fn short(text: &str) -> String {
    text.chars().take(64).filter(|c| !c.is_control()).collect()
}
