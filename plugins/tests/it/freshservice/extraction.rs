//! The published payload template -> `TicketEvent`: both id forms, every event kind, priorities (numbers
//! and names, the tenant's map first), loop prevention, and the refusals.

use enhancer_plugins::freshservice::Freshservice;
use enhancer_plugins::{ExtractError, TicketingTool};
use enhancer_shared::domain::{EventKind, Priority, TicketEvent};
use enhancer_shared::tenant::TenantSettings;

use super::created_payload;
use crate::helpers::{MARKER, fixture, headers, settings_with_account, webhook};

fn extract_with(body: &[u8], settings: &TenantSettings) -> Result<TicketEvent, ExtractError> {
    Freshservice.extract(&webhook(&headers(&[]), body, settings))
}

fn extract(body: &[u8]) -> Result<TicketEvent, ExtractError> {
    extract_with(body, &TenantSettings::default())
}

#[test]
fn ticket_created_from_the_template() {
    let event = extract(&fixture("freshservice/ticket_created.json")).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "242");
    assert_eq!(event.kind, EventKind::Created);
    assert_eq!(event.subject.as_deref(), Some("Support Needed..."));
    assert_eq!(event.priority, Priority::High);
    assert_eq!(event.actor, None);
    assert_eq!(event.idempotency_key, None, "Freshservice sends no delivery id; ingest hashes the body");
    assert!(!event.self_authored);
}

#[test]
fn a_numeric_ticket_id_and_a_priority_name() {
    let event = extract(&fixture("freshservice/ticket_created_numeric.json")).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "242");
    assert_eq!(event.priority, Priority::Critical);
}

#[test]
fn the_display_id_alone_loses_its_prefix() {
    let event = extract(&fixture("freshservice/display_id_only.json")).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "77");
    assert_eq!(event.priority, Priority::Low);
}

#[test]
fn updated_and_note_added() {
    let updated = extract(&fixture("freshservice/ticket_updated.json")).expect("extract");
    assert_eq!(updated.kind, EventKind::Updated);
    assert_eq!(updated.actor.as_deref(), Some("agent.smith@example.com"));
    assert_eq!(updated.priority, Priority::Medium);
    let commented = extract(&fixture("freshservice/note_added.json")).expect("extract");
    assert_eq!(commented.kind, EventKind::Commented);
    assert_eq!(commented.ticket_id.as_str(), "242");
    assert!(!commented.self_authored);
}

#[test]
fn every_priority_number() {
    for (raw, expected) in [
        ("4", Priority::Critical),
        ("3", Priority::High),
        ("2", Priority::Medium),
        ("1", Priority::Low),
        ("9", Priority::Medium),
    ] {
        let body = format!(r#"{{"event": "ticket_created", "ticket_id": 1, "priority": {raw}}}"#);
        assert_eq!(extract(body.as_bytes()).expect("extract").priority, expected, "{raw}");
    }
}

#[test]
fn the_tenant_priority_map_comes_first() {
    let settings = TenantSettings::from_json(serde_json::json!({"priority_map": {"3": "critical"}})).expect("valid");
    let event = extract_with(&fixture("freshservice/ticket_created.json"), &settings).expect("extract");
    assert_eq!(event.priority, Priority::Critical);
}

#[test]
fn our_own_note_is_self_authored() {
    let by_account = settings_with_account("Enhancer-Bot@example.com");
    let event = extract_with(&fixture("freshservice/note_added_by_us.json"), &by_account).expect("extract");
    assert!(event.self_authored, "the integration account's note");

    let body = format!(r#"{{"event": "note_added", "ticket_id": "242", "note": "AI triage {MARKER}"}}"#);
    assert!(extract(body.as_bytes()).expect("extract").self_authored, "the marker in the payload");
}

#[test]
fn unsupported_events_are_ignored_not_refused() {
    let err = extract(br#"{"event": "ticket_deleted", "ticket_id": "242"}"#).expect_err("unsupported");
    assert!(matches!(err, ExtractError::Unsupported(ref what) if what == "ticket_deleted"), "{err:?}");
}

#[test]
fn malformed_payloads() {
    let err = extract(&fixture("freshservice/unexpanded.json")).expect_err("placeholder");
    assert!(matches!(&err, ExtractError::Malformed(reason) if reason.contains("unexpanded")), "{err:?}");
    for body in [
        &b"not json"[..],
        b"[]",
        br#"{"ticket_id": "242"}"#,
        br#"{"event": "ticket_created"}"#,
        br#"{"event": "ticket_created", "ticket_id": "abc"}"#,
        br#"{"event": "ticket_created", "ticket_id": "1/2"}"#,
        br#"{"event": "ticket_created", "display_id": "INC-"}"#,
    ] {
        let err = extract(body).expect_err("malformed");
        assert!(matches!(err, ExtractError::Malformed(_)), "{}: {err:?}", String::from_utf8_lossy(body));
    }
}

#[test]
fn the_test_payload_helper_matches_the_template() {
    let event = extract(&created_payload("4711", "VPN drops")).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "4711");
    assert_eq!(event.subject.as_deref(), Some("VPN drops"));
}
