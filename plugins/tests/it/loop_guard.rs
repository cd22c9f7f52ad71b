//! The loop guard across every tool: a requester's subject or description that mentions `ticket-enhancer:`
//! (even a whole marker) does not silence enhancement; a comment/note event carrying our full marker does.

use enhancer_plugins::TicketingTool;
use enhancer_plugins::freshservice::Freshservice;
use enhancer_plugins::generic::Generic;
use enhancer_plugins::jira::Jira;
use enhancer_plugins::servicedesk_plus::ServiceDeskPlus;
use enhancer_plugins::servicenow::ServiceNow;
use enhancer_plugins::zendesk::Zendesk;
use enhancer_shared::tenant::TenantSettings;
use serde_json::{Value, json};

use crate::helpers::{MARKER, headers, webhook};

const SYS_ID: &str = "9c573169c611228700193229fff72400";

/// What a requester may type: the bare prefix, a prefix with junk, and our full marker.
fn hostile_subjects() -> Vec<String> {
    vec!["Broken: ticket-enhancer: please".into(), "ticket-enhancer:0190 again".into(), format!("VPN {MARKER}")]
}

/// A created/updated event per tool whose subject (and description, where the payload has one) is `text`.
fn ticket_events(text: &str) -> Vec<(&'static dyn TicketingTool, Value)> {
    vec![
        (
            &Jira,
            json!({"webhookEvent": "jira:issue_created", "issue": {"key": "PI-1",
            "fields": {"summary": text, "description": text}}}),
        ),
        (
            &Zendesk,
            json!({"type": "zen:event-type:ticket.created", "id": "e-1",
            "detail": {"id": "5158", "subject": text, "description": text, "actor_id": "1"}}),
        ),
        (&Freshservice, json!({"event": "ticket_created", "ticket_id": "242", "subject": text})),
        (&ServiceDeskPlus, json!({"event": "request_created", "request_id": "201", "subject": text})),
        (
            &ServiceNow,
            json!({"event": "incident.updated", "table": "incident", "sys_id": SYS_ID,
            "short_description": text, "updated_by": "alice"}),
        ),
        (&Generic, json!({"type": "ticket.updated", "data": {"ticket_id": "4711", "subject": text}})),
    ]
}

/// A comment/note event per tool whose note text is `text`, by someone who is not the integration account.
fn comment_events(text: &str) -> Vec<(&'static dyn TicketingTool, Value)> {
    vec![
        (
            &Jira,
            json!({"webhookEvent": "comment_created", "issue": {"key": "PI-1"},
            "comment": {"author": {"accountId": "557058:x"}, "body": text}}),
        ),
        // Jira Cloud: the comment body as an ADF document.
        (
            &Jira,
            json!({"webhookEvent": "comment_created", "issue": {"key": "PI-1"},
            "comment": {"author": {"accountId": "557058:x"}, "body": {"type": "doc", "version": 1,
                "content": [{"type": "paragraph", "content": [{"type": "text", "text": text}]}]}}}),
        ),
        (
            &Zendesk,
            json!({"type": "zen:event-type:ticket.comment_added", "id": "e-2",
            "detail": {"id": "5158", "actor_id": "1"}, "event": {"comment": {"body": text, "author": {"id": "1"}}}}),
        ),
        (&Freshservice, json!({"event": "note_added", "ticket_id": "242", "note": text})),
        (&ServiceDeskPlus, json!({"event": "note_added", "request_id": "201", "note": text})),
        (
            &ServiceNow,
            json!({"event": "incident.commented", "table": "incident", "sys_id": SYS_ID,
            "updated_by": "alice", "work_note_marker": text}),
        ),
        (&Generic, json!({"type": "ticket.commented", "data": {"ticket_id": "4711", "comment": text}})),
    ]
}

fn self_authored(tool: &dyn TicketingTool, body: &Value) -> bool {
    let body = serde_json::to_vec(body).expect("JSON");
    let (headers, settings) = (headers(&[]), TenantSettings::default());
    let event = tool.extract(&webhook(&headers, &body, &settings)).unwrap_or_else(|err| panic!("{err:?}"));
    event.self_authored
}

#[test]
fn a_subject_mentioning_the_marker_is_still_enhanced() {
    for subject in hostile_subjects() {
        for (tool, body) in ticket_events(&subject) {
            assert!(!self_authored(tool, &body), "{:?}: subject {subject:?} silenced enhancement", tool.kind());
        }
    }
}

#[test]
fn a_comment_with_only_the_prefix_is_not_ours() {
    for (tool, body) in comment_events("we use ticket-enhancer: it is great, see ticket-enhancer:0190") {
        assert!(!self_authored(tool, &body), "{:?}: the prefix alone counted as our marker", tool.kind());
    }
}

#[test]
fn a_comment_carrying_our_full_marker_is_self_authored() {
    for (tool, body) in comment_events(&format!("AI triage\n\n{MARKER}")) {
        assert!(self_authored(tool, &body), "{:?}: our own note was not recognised", tool.kind());
    }
}
