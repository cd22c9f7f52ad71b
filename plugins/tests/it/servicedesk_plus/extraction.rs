//! SDP payload template -> `TicketEvent`, priority mapping and loop prevention.

use super::*;

#[test]
fn request_created_from_the_template() {
    let body = fixture("servicedesk_plus/request_created.json");
    let settings = TenantSettings::default();
    let event = ServiceDeskPlus.extract(&webhook(&headers(&[]), &body, &settings)).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "201");
    assert_eq!(event.kind, EventKind::Created);
    assert_eq!(event.priority, Priority::Medium);
    assert_eq!(event.subject.as_deref(), Some("Outlook keeps crashing on start"));
    assert_eq!(event.actor.as_deref(), Some("john@example.com"));
    assert_eq!(event.idempotency_key, None);
    assert!(!event.self_authored);
}

#[test]
fn tenant_priority_map_applies() {
    let body = fixture("servicedesk_plus/request_created.json");
    let settings = TenantSettings::from_json(serde_json::json!({"priority_map": {"normal": "low"}})).expect("ok");
    let event = ServiceDeskPlus.extract(&webhook(&headers(&[]), &body, &settings)).expect("extract");
    assert_eq!(event.priority, Priority::Low);
}

#[test]
fn our_note_is_self_authored() {
    let body = fixture("servicedesk_plus/note_added.json");
    let settings = settings_with_account("enhancer-bot@example.com");
    let event = ServiceDeskPlus.extract(&webhook(&headers(&[]), &body, &settings)).expect("extract");
    assert_eq!(event.kind, EventKind::Commented);
    assert_eq!(event.ticket_id.as_str(), "201");
    assert!(event.self_authored);
}

#[test]
fn unexpanded_template_variables_are_reported() {
    let body = fixture("servicedesk_plus/unexpanded.json");
    let settings = TenantSettings::default();
    let err = ServiceDeskPlus.extract(&webhook(&headers(&[]), &body, &settings)).expect_err("placeholder");
    assert!(matches!(&err, ExtractError::Malformed(reason) if reason.contains("template")), "{err:?}");
}

#[test]
fn unknown_events_are_unsupported() {
    let settings = TenantSettings::default();
    let body = br#"{"event": "request_deleted", "request_id": "1"}"#;
    let err = ServiceDeskPlus.extract(&webhook(&headers(&[]), body, &settings)).expect_err("unsupported");
    assert!(matches!(err, ExtractError::Unsupported(_)), "{err:?}");
}
