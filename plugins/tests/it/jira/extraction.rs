//! Jira payloads -> `TicketEvent`: event kinds, actor, delivery id, loop prevention.

use super::*;

#[test]
fn issue_created() {
    let body = fixture("jira/issue_created.json");
    let settings = TenantSettings::default();
    let event = Jira.extract(&webhook(&hub_headers("x"), &body, &settings)).expect("extract");
    assert_eq!(event.ticket_id.as_str(), "PI-1");
    assert_eq!(event.kind, EventKind::Created);
    assert_eq!(event.priority, Priority::Medium);
    assert_eq!(event.subject.as_deref(), Some("Migrate Infra to Cloud"));
    assert_eq!(event.actor.as_deref(), Some("557058:69f39959-769f-4dac-8a7a-46eb55b03723"));
    // The identifier header is unsigned: no key from it (ingest hashes the signed body instead).
    assert_eq!(event.idempotency_key, None);
    assert_eq!(event.occurred_at.map(|t| t.timestamp_millis()), Some(1_686_916_266_116));
    assert!(!event.self_authored);
}

#[test]
fn issue_updated() {
    let body = fixture("jira/issue_updated.json");
    let settings = TenantSettings::default();
    let event = Jira.extract(&webhook(&headers(&[]), &body, &settings)).expect("extract");
    assert_eq!(event.kind, EventKind::Updated);
    assert_eq!(event.priority, Priority::Critical);
    assert_eq!(event.idempotency_key, None);
}

#[test]
fn our_comment_is_self_authored() {
    let body = fixture("jira/comment_created.json");
    let settings = settings_with_account("712020:bot-account-0001");
    let event = Jira.extract(&webhook(&headers(&[]), &body, &settings)).expect("extract");
    assert_eq!(event.kind, EventKind::Commented);
    assert_eq!(event.actor.as_deref(), Some("712020:bot-account-0001"));
    assert!(event.self_authored);
    // Someone else's comment is not.
    let event = Jira.extract(&webhook(&headers(&[]), &body, &settings_with_account("557058:x"))).expect("ok");
    assert!(!event.self_authored);
}

#[test]
fn unsupported_and_malformed() {
    let settings = TenantSettings::default();
    let deleted = br#"{"webhookEvent": "jira:issue_deleted", "issue": {"key": "PI-1"}}"#;
    let err = Jira.extract(&webhook(&headers(&[]), deleted, &settings)).expect_err("unsupported");
    assert!(matches!(err, ExtractError::Unsupported(_)), "{err:?}");
    let no_issue = br#"{"webhookEvent": "jira:issue_created"}"#;
    let err = Jira.extract(&webhook(&headers(&[]), no_issue, &settings)).expect_err("malformed");
    assert!(matches!(err, ExtractError::Malformed(_)), "{err:?}");
}

#[test]
fn a_replayed_body_with_new_identifiers_keeps_one_key() {
    // A captured, validly signed admin webhook sent again under three fresh identifiers: the identifiers are
    // unsigned, so they must not make three events.
    let body = fixture("jira/issue_created.json");
    let settings = TenantSettings::default();
    let keys: Vec<_> = ["wh-delivery-1", "replay-2", &"r".repeat(4000)]
        .into_iter()
        .map(|id| {
            let headers = headers(&[("x-hub-signature", "sha256=00"), ("x-atlassian-webhook-identifier", id)]);
            Jira.extract(&webhook(&headers, &body, &settings)).expect("extract").idempotency_key
        })
        .collect();
    assert!(keys.iter().all(|key| *key == keys[0]), "{keys:?}");
    assert_eq!(keys[0], None, "no key from unsigned material: ingest derives it from the signed body");
}
