//! The generic tool's adapter: Standard Webhooks signatures (timestamped), the wire format of
//! `docs/PLUGINS.md` section 4, and its small JSON API with an optional bearer token.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use enhancer_plugins::VerifyKeys;
use enhancer_plugins::generic::TOLERANCE;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::{Request, ResponseTemplate};

use super::adapter::{Api, PostedNote, Route, Sample, Samples, Secret, StoredNote, ToolAdapter};
use super::request_checks::{content_type_is, ensure, header_is, json_body};
use crate::helpers::{fixture, fixture_json, headers, secret, settings_with_account};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const WRONG_SECRET: &str = "whsec_b2xkLXNlY3JldA==";
const TOKEN: &str = "cb-token";

#[derive(Debug, Clone, Copy)]
pub struct GenericAdapter;

conformance!(GenericAdapter);

impl ToolAdapter for GenericAdapter {
    fn kind(&self) -> ToolKind {
        ToolKind::Generic
    }

    fn keys(&self) -> VerifyKeys<'static> {
        VerifyKeys::with_secret(secret(SECRET))
    }

    fn settings(&self) -> TenantSettings {
        settings_with_account("enhancer-bot")
    }

    fn sign(&self, body: &[u8], which: Secret, sent_at: DateTime<Utc>) -> HeaderMap {
        let key = match which {
            Secret::Tenant => SECRET,
            Secret::Wrong => WRONG_SECRET,
        };
        let key = STANDARD.decode(key.trim_start_matches("whsec_")).expect("base64 secret");
        let timestamp = sent_at.timestamp().to_string();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
        mac.update(format!("msg_1.{timestamp}.").as_bytes());
        mac.update(body);
        let signature = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        headers(&[("webhook-id", "msg_1"), ("webhook-timestamp", &timestamp), ("webhook-signature", &signature)])
    }

    fn stale(&self, received: DateTime<Utc>) -> Option<DateTime<Utc>> {
        Some(received - TOLERANCE - chrono::Duration::seconds(1))
    }

    fn samples(&self) -> Samples {
        let event = |kind: &str, actor: &str| {
            let mut payload = fixture_json("generic/ticket_created.json");
            payload["type"] = json!(kind);
            payload["data"]["actor"] = json!(actor);
            serde_json::to_vec(&payload).expect("JSON")
        };
        Samples {
            created: Sample { body: fixture("generic/ticket_created.json"), ticket: "4711" },
            updated: Sample { body: event("ticket.updated", "alice@example.com"), ticket: "4711" },
            commented: Sample { body: event("ticket.commented", "bob@example.com"), ticket: "4711" },
            // By the integration account, and carrying our marker.
            self_authored: Sample { body: fixture("generic/ticket_commented.json"), ticket: "4711" },
            unsupported: event("ticket.deleted", "alice@example.com"),
        }
    }

    fn api(&self) -> Api {
        Api {
            credentials: &[("callback_token", TOKEN)],
            ticket: "4711",
            subject: "VPN drops every 10 minutes from 10.20.30.40",
            get_ticket: Route { method: "GET", path: "/tickets/4711", expect: reads_json },
            post_note: Route { method: "POST", path: "/notes", expect: posts_note },
            find_note: Route { method: "GET", path: "/tickets/4711/notes", expect: reads_json },
            ticket_answer: || ResponseTemplate::new(200).set_body_json(fixture_json("generic/ticket.json")),
            read_note,
            note_created: |note| ResponseTemplate::new(201).set_body_json(json!({"id": note.id})),
            note_list: |notes| {
                let notes: Vec<Value> = notes.iter().map(listed).collect();
                ResponseTemplate::new(200).set_body_json(json!({ "notes": notes }))
            },
            extra: &[],
        }
    }
}

fn reads_json(req: &Request) -> Result<(), String> {
    header_is(req, "authorization", &format!("Bearer {TOKEN}"))?;
    header_is(req, "accept", "application/json")
}

fn posts_note(req: &Request) -> Result<(), String> {
    reads_json(req)?;
    content_type_is(req, "application/json")?;
    let body = json_body(req)?;
    ensure(body["ticket_id"] == "4711", "ticket_id is not the ticket's")?;
    // Lets a receiver drop a duplicate post by itself.
    let marker = body["marker"].as_str().unwrap_or_default();
    header_is(req, "idempotency-key", marker)
}

/// The tool keeps the marker and the three body forms; `internal` must be the JSON boolean `true`.
fn read_note(req: &Request) -> Result<PostedNote, String> {
    let body = json_body(req)?;
    let kept = ["marker", "body_markdown", "body_html", "body_text"];
    let content: serde_json::Map<String, Value> =
        kept.iter().filter_map(|key| Some(((*key).to_owned(), body.get(*key)?.clone()))).collect();
    Ok(PostedNote { internal: body["internal"] == true, content: Value::Object(content) })
}

fn listed(note: &StoredNote) -> Value {
    let mut listed = note.content.clone();
    listed["id"] = json!(note.id);
    listed
}
