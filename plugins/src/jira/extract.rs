//! Jira webhook payload (`jira:issue_created`, `jira:issue_updated`, `comment_created`, ...) ->
//! [`TicketEvent`].
//!
//! Idempotency key: none. Jira's delivery id (`X-Atlassian-Webhook-Identifier`) is not covered by the
//! admin webhook's HMAC (which signs only the body) nor by a Connect JWT, so a replayed body with a fresh
//! identifier would count as a new event. Without a key, ingest identifies a redelivery by the (signed) body,
//! which Jira resends unchanged on its retries and which carries the event's own `timestamp`.

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
    let event = str_at(&payload, &["webhookEvent"]).ok_or_else(|| ExtractError::malformed("webhookEvent missing"))?;
    let kind = match (event, str_at(&payload, &["issue_event_type_name"])) {
        ("jira:issue_created", _) => EventKind::Created,
        ("jira:issue_updated", Some("issue_commented")) | ("comment_created", _) => EventKind::Commented,
        ("jira:issue_updated" | "comment_updated", _) => EventKind::Updated,
        _ => return Err(ExtractError::Unsupported(event.chars().take(64).collect())),
    };
    let key = str_at(&payload, &["issue", "key"])
        .map(str::to_owned)
        .or_else(|| id_at(&payload, &["issue", "id"]))
        .ok_or_else(|| ExtractError::malformed("issue.key missing"))?;
    let ticket_id = TicketId::parse(key).map_err(|_| ExtractError::malformed("issue.key is not a valid id"))?;

    let user = account(&payload, &["user"]);
    let comment_author = account(&payload, &["comment", "author"]);
    let actor = if kind == EventKind::Commented { comment_author.or(user) } else { user.or(comment_author) };
    // Ours if the triggering user or the comment's author is the integration account, or the comment's body
    // (a string, or an ADF document on Cloud) carries our marker. Never the summary or description.
    let notes = texts_at(&payload, &[&["comment", "body"]]);
    let self_authored = [user, comment_author].into_iter().any(|who| is_self_authored(who, &notes, req.settings));

    Ok(TicketEvent {
        ticket_id,
        kind,
        actor: actor.map(str::to_owned),
        subject: str_at(&payload, &["issue", "fields", "summary"]).map(str::to_owned),
        priority: normalize(str_at(&payload, &["issue", "fields", "priority", "name"]), req.settings, PRIORITIES),
        occurred_at: time_at(&payload, &["timestamp"]),
        idempotency_key: None,
        self_authored,
    })
}

/// An account's id: Cloud `accountId`, else Server/DC `name`, else the e-mail address.
fn account<'v>(payload: &'v Value, path: &[&str]) -> Option<&'v str> {
    let node = crate::payload::at(payload, path)?;
    str_at(node, &["accountId"]).or_else(|| str_at(node, &["name"])).or_else(|| str_at(node, &["emailAddress"]))
}
