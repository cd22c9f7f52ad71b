//! A "ticket created" webhook as each tool sends it (its payload shape and its signing), and a tenant's
//! secrets document for each tool, for the demo, the load generator and tests that run every tool. One
//! exhaustive `match` over [`ToolKind`] per question, so a new tool cannot be forgotten here.

use enhancer_shared::domain::ToolKind;
use serde_json::{Value, json};

use crate::signing;

/// The Jira admin-webhook payload shape, from the plugin's own fixture; key and timestamp change per request.
const JIRA_ISSUE_CREATED: &str = include_str!("../../plugins/tests/fixtures/jira/issue_created.json");

/// A webhook ready to send: headers (content type included) and the raw body.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The id of sample ticket `n` in `kind`'s own form: a key like `DEMO-101` where the tool has keys (and the
/// generic tool, which takes any id), a number where the tool numbers its tickets.
pub fn ticket_id(kind: ToolKind, n: u32) -> String {
    match kind {
        ToolKind::Jira | ToolKind::Generic => format!("DEMO-{n}"),
        ToolKind::ServicedeskPlus | ToolKind::Freshservice | ToolKind::Zendesk => n.to_string(),
        // A record's `sys_id`: 32 hex digits.
        ToolKind::ServiceNow => format!("{n:032x}"),
    }
}

/// The webhook secret tests and benchmarks use for `kind` when none is given.
pub fn default_secret(kind: ToolKind) -> &'static str {
    match kind {
        ToolKind::Generic => signing::GENERIC_SECRET,
        ToolKind::Jira => "loadgen-jira-webhook-secret",
        ToolKind::ServicedeskPlus => "loadgen-sdp-shared-secret",
        ToolKind::Freshservice => "loadgen-freshservice-shared-secret",
        ToolKind::Zendesk => "loadgen-zendesk-signing-secret",
        ToolKind::ServiceNow => "loadgen-servicenow-rule-secret",
    }
}

/// A tenant's `--secrets-file` document for `kind` with `webhook_secret` and placeholder credentials of the
/// shape the tool's plugin accepts (the fake tool does not check them).
pub fn secrets(kind: ToolKind, webhook_secret: &str) -> String {
    let credentials = match kind {
        ToolKind::Generic => json!({}),
        ToolKind::Jira => json!({"email": "enhancer-bot@example.com", "api_token": "placeholder-token"}),
        ToolKind::ServicedeskPlus => json!({"authtoken": "placeholder-authtoken"}),
        ToolKind::Freshservice => json!({"api_key": "placeholder-api-key"}),
        ToolKind::Zendesk => json!({"email": "enhancer-bot@example.com", "api_token": "placeholder-token"}),
        ToolKind::ServiceNow => json!({"username": "enhancer.bot", "password": "placeholder-password"}),
    };
    json!({"webhook_secret": webhook_secret, "credentials": credentials}).to_string()
}

/// A "ticket created" webhook for `ticket`, signed with `secret` as `kind` signs, with `delivery` as the
/// tool's delivery id where the tool sends one.
pub fn created(kind: ToolKind, secret: &str, ticket: &str, delivery: &str, subject: &str) -> Webhook {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    let body = match kind {
        ToolKind::Generic => {
            let body = signing::generic_created(ticket, subject);
            headers.extend(signing::standard_webhook_headers(secret, delivery, chrono::Utc::now().timestamp(), &body));
            body
        }
        ToolKind::Jira => {
            let mut payload: Value = serde_json::from_str(JIRA_ISSUE_CREATED).expect("the Jira fixture is JSON");
            payload["timestamp"] = Value::from(chrono::Utc::now().timestamp_millis());
            payload["issue"]["key"] = Value::from(ticket);
            payload["issue"]["id"] = Value::from(delivery);
            payload["issue"]["fields"]["summary"] = Value::from(subject);
            let body = serde_json::to_vec(&payload).expect("json");
            headers.push(("x-hub-signature".into(), signing::jira_hub_signature(secret, &body)));
            headers.push(("x-atlassian-webhook-identifier".into(), delivery.into()));
            body
        }
        ToolKind::ServicedeskPlus => {
            // The payload template of docs/PLUGINS.md; the shared secret in the default header.
            let body = serde_json::to_vec(&json!({
                "source": "sdp", "event": "request_created", "request_id": ticket, "subject": subject,
                "priority": "High", "requester_email": "alice@example.com"
            }))
            .expect("json");
            headers.push(("x-enhancer-secret".into(), secret.into()));
            body
        }
        ToolKind::Freshservice => {
            // The Workflow Automator template of docs/PLUGINS.md; the shared secret in the default header.
            let body = serde_json::to_vec(&json!({
                "event": "ticket_created", "ticket_id": ticket, "display_id": format!("INC-{ticket}"),
                "subject": subject, "priority": "3"
            }))
            .expect("json");
            headers.push(("x-enhancer-secret".into(), secret.into()));
            body
        }
        ToolKind::Zendesk => {
            // An event subscription's `zen:event-type:ticket.created`, signed over timestamp + body; the
            // event's `id` (in the signed body) is the delivery id.
            let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let body = serde_json::to_vec(&json!({
                "account_id": 22129848,
                "detail": {
                    "actor_id": "8447388090494", "created_at": now, "description": subject, "id": ticket,
                    "is_public": true, "priority": "HIGH", "requester_id": "8447388090494", "status": "OPEN",
                    "subject": subject, "type": "INCIDENT", "updated_at": now, "via": {"channel": "web_service"}
                },
                "event": {},
                "id": delivery,
                "subject": format!("zen:ticket:{ticket}"),
                "time": now,
                "type": "zen:event-type:ticket.created",
                "zendesk_event_version": "2022-11-06"
            }))
            .expect("json");
            headers.extend(signing::zendesk_headers(secret, &now, &body));
            body
        }
        ToolKind::ServiceNow => {
            // The published Business Rule's body for an inserted incident, signed as the rule signs it.
            let number: String = ticket.chars().rev().take(7).collect::<Vec<_>>().into_iter().rev().collect();
            let body = serde_json::to_vec(&json!({
                "event": "incident.created", "table": "incident", "sys_id": ticket,
                "number": format!("INC{number}"), "instance": "dev12345", "short_description": subject,
                "priority": "2", "updated_by": "alice", "updated_on": chrono::Utc::now().format("%Y-%m-%d %H:%M:%S").to_string(),
                "sys_mod_count": "0"
            }))
            .expect("json");
            headers.extend(signing::servicenow_headers(secret, chrono::Utc::now().timestamp(), &body));
            body
        }
    };
    Webhook { headers, body }
}
