//! Event subscriptions (`zen:event-type:ticket.*`): Zendesk's fixed payload, always POSTed. Ids are strings,
//! enums upper-case (`"priority": "LOW"`), the ticket is `detail`, what happened is `event`, and the
//! top-level `id` identifies the event (our idempotency key).

use enhancer_shared::domain::{EventKind, TicketEvent};
use serde_json::Value;

use super::PRIORITIES;
use super::extract::{idempotency_key, short, ticket_id};
use crate::error::ExtractError;
use crate::loop_guard::{is_self_authored, texts_at};
use crate::payload::{id_at, str_at, time_at};
use crate::priority::normalize;
use crate::request::WebhookRequest;

/// Every event subscription type starts with this.
pub(super) const TYPE_PREFIX: &str = "zen:event-type:";

pub(super) fn extract(
    req: &WebhookRequest<'_>,
    payload: &Value,
    event_type: &str,
) -> Result<TicketEvent, ExtractError> {
    let kind = match event_type.strip_prefix(TYPE_PREFIX).unwrap_or(event_type) {
        "ticket.created" => EventKind::Created,
        // Also our own internal note (`is_public: false`); the loop guard below recognises it.
        "ticket.comment_added" => EventKind::Commented,
        "ticket.status_changed" | "ticket.custom_status_changed" | "ticket.priority_changed" => EventKind::Updated,
        _ => return Err(ExtractError::Unsupported(short(event_type))),
    };
    // `detail.id`; the top-level `subject` (`zen:ticket:<id>`) names the ticket as well.
    let raw_id = id_at(payload, &["detail", "id"])
        .or_else(|| str_at(payload, &["subject"]).and_then(|s| s.strip_prefix("zen:ticket:")).map(str::to_owned))
        .ok_or_else(|| ExtractError::malformed("detail.id missing"))?;
    let ticket_id = ticket_id(raw_id, "detail.id")?;

    let actor = id_at(payload, &["detail", "actor_id"]);
    let comment_author = id_at(payload, &["event", "comment", "author", "id"]);
    // Ours if whoever caused the event or wrote the comment is the integration account, or the comment's
    // body carries our marker (never the ticket's subject or description).
    let notes = texts_at(payload, &[&["event", "comment", "body"], &["event", "comment", "html_body"]]);
    let self_authored =
        [&actor, &comment_author].into_iter().any(|who| is_self_authored(who.as_deref(), &notes, req.settings));
    let actor = if kind == EventKind::Commented { comment_author.or(actor) } else { actor.or(comment_author) };

    Ok(TicketEvent {
        ticket_id,
        kind,
        actor,
        subject: str_at(payload, &["detail", "subject"]).map(str::to_owned),
        priority: normalize(str_at(payload, &["detail", "priority"]), req.settings, PRIORITIES),
        occurred_at: time_at(payload, &["time"]),
        idempotency_key: idempotency_key(str_at(payload, &["id"])),
        self_authored,
    })
}
