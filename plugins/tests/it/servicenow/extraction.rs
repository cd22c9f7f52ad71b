//! The Business Rule's payload -> `TicketEvent`: every event kind, the reference's minimal payload, numbers
//! instead of sys_ids, other tables, priorities, and our own work note coming back.

use super::*;

fn extract(body: &[u8], settings: &TenantSettings) -> Result<enhancer_shared::domain::TicketEvent, ExtractError> {
    ServiceNow.extract(&webhook(&headers(&[]), body, settings))
}

#[test]
fn created_from_the_business_rule() {
    let (_, body) = business_rule_output("created");
    let event = extract(&body, &TenantSettings::default()).expect("extract");
    assert_eq!(event.ticket_id.as_str(), SYS_ID);
    assert_eq!(event.kind, EventKind::Created);
    assert_eq!(event.subject.as_deref(), Some("Can't read email"));
    assert_eq!(event.priority, Priority::Critical);
    assert_eq!(event.actor.as_deref(), Some("alice"));
    assert_eq!(event.idempotency_key.as_deref(), Some(format!("{SYS_ID}:0").as_str()));
    assert_eq!(event.occurred_at.map(|at| at.to_rfc3339()).as_deref(), Some("2026-11-25T11:59:58+00:00"));
    assert!(!event.self_authored);
}

#[test]
fn the_reference_minimal_payload_is_enough() {
    let body = fixture("servicenow/reference_payload.json");
    let event = extract(&body, &TenantSettings::default()).expect("extract");
    assert_eq!((event.ticket_id.as_str(), event.kind), (SYS_ID, EventKind::Created));
    assert_eq!(event.priority, Priority::Medium);
    assert_eq!(event.idempotency_key, None, "ingest then deduplicates on the body");
    assert_eq!(event.actor, None);
}

#[test]
fn updated_and_commented() {
    let event = extract(&payload("incident.updated", "alice", 4), &TenantSettings::default()).expect("updated");
    assert_eq!(event.kind, EventKind::Updated);
    assert_eq!(event.priority, Priority::High);
    assert_eq!(event.idempotency_key.as_deref(), Some(format!("{SYS_ID}:4").as_str()));
    let (_, body) = business_rule_output("commented");
    let event = extract(&body, &TenantSettings::default()).expect("commented");
    assert_eq!(event.kind, EventKind::Commented);
    assert!(!event.self_authored);
}

#[test]
fn our_own_work_note_is_self_authored_by_account_or_by_marker() {
    let (_, body) = business_rule_output("updated_by_integration");
    let by_account = crate::helpers::settings_with_account("Enhancer.Bot");
    assert!(extract(&body, &by_account).expect("extract").self_authored);
    // Without the account setting, the marker the script found in the journal still gives it away.
    let event = extract(&body, &TenantSettings::default()).expect("extract");
    assert!(event.self_authored);
    assert_eq!(event.kind, EventKind::Commented);
    // Someone else's update of the same record is not ours.
    let other = extract(&payload("incident.updated", "alice", 5), &by_account).expect("extract");
    assert!(!other.self_authored);
}

#[test]
fn a_number_stands_in_for_a_missing_sys_id() {
    let body = br#"{"event": "incident.created", "table": "incident", "number": "INC0010001"}"#;
    let event = extract(body, &TenantSettings::default()).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "INC0010001");
}

#[test]
fn priorities_use_the_tenant_map_first() {
    let settings = TenantSettings::from_json(json!({"priority_map": {"2": "low"}})).expect("settings");
    let event = extract(&payload("incident.created", "alice", 0), &settings).expect("extract");
    assert_eq!(event.priority, Priority::Low);
    for (raw, expected) in
        [("1", Priority::Critical), ("3", Priority::Medium), ("4", Priority::Low), ("5", Priority::Low)]
    {
        let body =
            serde_json::to_vec(&json!({"event": "incident.created", "sys_id": SYS_ID, "priority": raw})).expect("json");
        assert_eq!(extract(&body, &TenantSettings::default()).expect("extract").priority, expected, "{raw}");
    }
}

#[test]
fn other_events_and_tables_are_unsupported() {
    let settings = TenantSettings::default();
    let deleted =
        br#"{"event": "incident.deleted", "table": "incident", "sys_id": "9c573169c611228700193229fff72400"}"#;
    assert!(matches!(extract(deleted, &settings), Err(ExtractError::Unsupported(_))));
    let task = br#"{"event": "sc_task.created", "table": "sc_task", "sys_id": "9c573169c611228700193229fff72400"}"#;
    assert!(matches!(extract(task, &settings), Err(ExtractError::Unsupported(reason)) if reason.contains("sc_task")));
    // A tenant whose tickets live in sc_task takes it.
    let tasks = TenantSettings::from_json(json!({"servicenow": {"table": "sc_task"}})).expect("settings");
    assert_eq!(extract(task, &tasks).expect("extract").kind, EventKind::Created);
    assert!(matches!(extract(&payload("incident.created", "a", 0), &tasks), Err(ExtractError::Unsupported(_))));
}

#[test]
fn malformed_payloads_are_reported() {
    let settings = TenantSettings::default();
    for body in [
        &b"not json"[..],
        b"[]",
        br#"{"table": "incident", "sys_id": "9c573169c611228700193229fff72400"}"#,
        br#"{"event": "incident.created", "table": "incident"}"#,
        br#"{"event": "incident.created", "sys_id": "a/b"}"#,
    ] {
        let err = extract(body, &settings).expect_err("malformed");
        assert!(matches!(err, ExtractError::Malformed(_)), "{}: {err:?}", String::from_utf8_lossy(body));
    }
}
