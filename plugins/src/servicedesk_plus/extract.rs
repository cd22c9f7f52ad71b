//! SDP webhook payload -> [`TicketEvent`]. The payload is the template from `docs/PLUGINS.md` that the admin
//! pastes into the webhook action; SDP substitutes its `$variables` before sending.

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
    let event = expanded(str_at(&payload, &["event"])).ok_or_else(|| ExtractError::malformed("event missing"))?;
    let kind = match event.to_ascii_lowercase().as_str() {
        "request_created" | "created" => EventKind::Created,
        "request_updated" | "updated" => EventKind::Updated,
        "note_added" | "request_commented" | "commented" => EventKind::Commented,
        _ => return Err(ExtractError::Unsupported(event.chars().take(64).collect())),
    };
    let raw_id = id_at(&payload, &["request_id"]).ok_or_else(|| ExtractError::malformed("request_id missing"))?;
    if is_placeholder(&raw_id) {
        return Err(ExtractError::malformed("request_id is an unexpanded template variable; check the SDP webhook"));
    }
    let ticket_id = TicketId::parse(raw_id).map_err(|_| ExtractError::malformed("request_id is not a valid id"))?;
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
        priority: normalize(expanded(str_at(&payload, &["priority"])), req.settings, PRIORITIES),
        occurred_at: time_at(&payload, &["timestamp"]),
        // SDP sends no delivery id unless the admin's template adds one; ingest then hashes the body.
        idempotency_key: expanded(str_at(&payload, &["delivery_id"])).map(str::to_owned),
    })
}

/// `None` for a value SDP left as its template variable (`$subject`, `${priority}`): the admin's SDP build
/// names that variable differently, and the value means nothing.
fn expanded(value: Option<&str>) -> Option<&str> {
    value.filter(|value| !is_placeholder(value))
}

fn is_placeholder(value: &str) -> bool {
    value.starts_with('$')
        && value.len() > 1
        && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '$' | '{' | '}' | '.' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_placeholders() {
        assert!(is_placeholder("$id"));
        assert!(is_placeholder("${requester.email_id}"));
        assert!(!is_placeholder("$"));
        assert!(!is_placeholder("4711"));
        assert!(!is_placeholder("$5 refund please"));
    }
}
