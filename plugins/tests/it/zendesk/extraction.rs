//! Zendesk payloads -> `TicketEvent`: every event subscription type we handle, our trigger body, priorities,
//! the idempotency key (signed event id first), and our own internal note recognised.

use super::*;

fn extract(
    body: &[u8],
    headers: &HeaderMap,
    settings: &TenantSettings,
) -> Result<enhancer_shared::TicketEvent, ExtractError> {
    Zendesk.extract(&webhook(headers, body, settings))
}

#[test]
fn ticket_created_event() {
    let body = fixture("zendesk/ticket_created.json");
    let event = extract(&body, &headers(&[]), &TenantSettings::default()).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "5158");
    assert_eq!(event.kind, EventKind::Created);
    assert_eq!(event.priority, Priority::Low, "upper-case LOW");
    assert_eq!(event.subject.as_deref(), Some("ticketinfo_2294a6e9ece2"));
    assert_eq!(event.actor.as_deref(), Some("8447388090494"));
    assert_eq!(event.occurred_at.map(|t| t.timestamp_millis()), Some(1_736_331_127_672));
    assert_eq!(event.idempotency_key.as_deref(), Some("cbe4028c-7239-495d-b020-f22348516046"));
    assert!(!event.self_authored);
}

#[test]
fn the_signed_event_id_wins_over_the_unsigned_invocation_header() {
    let body = fixture("zendesk/ticket_created.json");
    let with_header = headers(&[(INVOCATION_ID_HEADER, "8350205582")]);
    let event = extract(&body, &with_header, &TenantSettings::default()).expect("extract");
    assert_eq!(event.idempotency_key.as_deref(), Some("cbe4028c-7239-495d-b020-f22348516046"));
    // Without an event id in the body, the unsigned header is NOT used: ingest hashes the signed body, so a
    // replay with a fresh invocation id is still the same event.
    let mut payload = fixture_json("zendesk/ticket_created.json");
    payload.as_object_mut().expect("object").remove("id");
    let body = serde_json::to_vec(&payload).expect("json");
    let event = extract(&body, &with_header, &TenantSettings::default()).expect("extract");
    assert_eq!(event.idempotency_key, None);
    let event = extract(&body, &headers(&[]), &TenantSettings::default()).expect("extract");
    assert_eq!(event.idempotency_key, None, "ingest then hashes the body");
}

#[test]
fn a_comment_by_someone_else_is_a_commented_event() {
    let body = fixture("zendesk/comment_added.json");
    let settings = settings_with_account(BOT_ID);
    let event = extract(&body, &headers(&[]), &settings).expect("extract");
    assert_eq!(event.kind, EventKind::Commented);
    assert_eq!(event.ticket_id.as_str(), "5158");
    assert_eq!(event.actor.as_deref(), Some("8447388090494"));
    assert_eq!(event.priority, Priority::High);
    assert!(!event.self_authored);
}

#[test]
fn our_internal_note_is_self_authored() {
    let body = fixture("zendesk/internal_note_ours.json");
    // By the integration account...
    let event = extract(&body, &headers(&[]), &settings_with_account(BOT_ID)).expect("extract");
    assert_eq!(event.kind, EventKind::Commented);
    assert_eq!(event.actor.as_deref(), Some(BOT_ID));
    assert!(event.self_authored);
    // ... and by the marker alone, for a tenant that did not set its integration account.
    let event = extract(&body, &headers(&[]), &TenantSettings::default()).expect("extract");
    assert!(event.self_authored);
    // The account alone suffices too (a note without the marker, e.g. edited).
    let text = String::from_utf8(body).expect("utf-8").replace(MARKER, "removed");
    let event = extract(text.as_bytes(), &headers(&[]), &settings_with_account(BOT_ID)).expect("extract");
    assert!(event.self_authored);
    let event = extract(text.as_bytes(), &headers(&[]), &TenantSettings::default()).expect("extract");
    assert!(!event.self_authored);
}

#[test]
fn status_and_priority_changes_are_updates() {
    let settings = TenantSettings::default();
    let status = extract(&fixture("zendesk/status_changed.json"), &headers(&[]), &settings).expect("status");
    assert_eq!(status.kind, EventKind::Updated);
    assert_eq!(status.priority, Priority::Medium, "NORMAL");
    assert_eq!(status.actor.as_deref(), Some("8447388090777"));
    let priority = extract(&fixture("zendesk/priority_changed.json"), &headers(&[]), &settings).expect("priority");
    assert_eq!(priority.kind, EventKind::Updated);
    assert_eq!(priority.priority, Priority::Critical, "URGENT");
    assert_eq!(priority.idempotency_key.as_deref(), Some("7c1f3e5a-9b2d-4f6e-8a0c-3d5b7f9e1a2c"));
}

#[test]
fn the_tenant_priority_map_comes_first() {
    let body = fixture("zendesk/ticket_created.json");
    let settings = TenantSettings::from_json(json!({"priority_map": {"low": "high"}})).expect("valid");
    assert_eq!(extract(&body, &headers(&[]), &settings).expect("extract").priority, Priority::High);
    let mut payload = fixture_json("zendesk/ticket_created.json");
    payload["detail"]["priority"] = Value::Null;
    let body = serde_json::to_vec(&payload).expect("json");
    assert_eq!(extract(&body, &headers(&[]), &TenantSettings::default()).expect("x").priority, Priority::Medium);
}

#[test]
fn the_trigger_body_we_publish() {
    let body = fixture("zendesk/trigger_created.json");
    let with_header = headers(&[(INVOCATION_ID_HEADER, "8350205582")]);
    let event = extract(&body, &with_header, &TenantSettings::default()).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "35436");
    assert_eq!(event.kind, EventKind::Created);
    assert_eq!(event.priority, Priority::High, "display name High");
    assert_eq!(event.actor.as_deref(), Some("20978392"));
    assert_eq!(event.subject, None, "the subject is fetched over the API");
    assert_eq!(event.idempotency_key, None, "no event id in a trigger body, and the header is unsigned");
    assert!(!event.self_authored);
    // The integration account by id or by e-mail.
    for account in ["20978392", "Alice@Example.com"] {
        let event = extract(&body, &with_header, &settings_with_account(account)).expect("extract");
        assert!(event.self_authored, "{account}");
    }
    for (name, kind) in [("ticket_updated", EventKind::Updated), ("comment_added", EventKind::Commented)] {
        let body = serde_json::to_vec(&json!({"event": name, "ticket_id": 35436})).expect("json");
        assert_eq!(extract(&body, &with_header, &TenantSettings::default()).expect("extract").kind, kind);
    }
}

#[test]
fn unexpanded_placeholders_are_malformed() {
    let body = fixture("zendesk/trigger_unexpanded.json");
    let err = extract(&body, &headers(&[]), &TenantSettings::default()).expect_err("placeholder");
    assert!(matches!(&err, ExtractError::Malformed(reason) if reason.contains("placeholder")), "{err:?}");
}

#[test]
fn other_event_types_are_unsupported() {
    let settings = TenantSettings::default();
    for event_type in ["zen:event-type:ticket.tags_changed", "zen:event-type:user.created"] {
        let mut payload = fixture_json("zendesk/ticket_created.json");
        payload["type"] = json!(event_type);
        let body = serde_json::to_vec(&payload).expect("json");
        let err = extract(&body, &headers(&[]), &settings).expect_err("unsupported");
        assert_eq!(err, ExtractError::Unsupported(event_type.into()));
    }
    let deleted = br#"{"event": "ticket_deleted", "ticket_id": "1"}"#;
    assert!(matches!(extract(deleted, &headers(&[]), &settings), Err(ExtractError::Unsupported(_))));
}

#[test]
fn malformed_payloads() {
    let settings = TenantSettings::default();
    for body in [
        &b"not json"[..],
        b"[]",
        br#"{"type": "ticket.created"}"#,
        br#"{"type": "zen:event-type:ticket.created", "detail": {}}"#,
        br#"{"type": "zen:event-type:ticket.created", "detail": {"id": "a/b"}}"#,
        br#"{"event": "ticket_created"}"#,
    ] {
        let err = extract(body, &headers(&[]), &settings).expect_err("malformed");
        assert!(matches!(err, ExtractError::Malformed(_)), "{}: {err:?}", String::from_utf8_lossy(body));
    }
    // The top-level subject names the ticket when `detail.id` is missing.
    let body = br#"{"type": "zen:event-type:ticket.created", "subject": "zen:ticket:77", "detail": {}}"#;
    assert_eq!(extract(body, &headers(&[]), &settings).expect("extract").ticket_id.as_str(), "77");
}
