//! Freshservice's adapter: the default secret header (`X-Enhancer-Secret`) plus the tenant-named HMAC header
//! (hex HMAC-SHA256 of the body, computed by a proxy in front; no timestamp). Freshservice itself signs
//! nothing, and the secret header or Basic proof alone cannot detect a changed body, so the kit runs the mode
//! that can; `freshservice/verification.rs` covers the header and Basic proofs on their own. The API is v2
//! with Basic `api_key:X`, private HTML notes and the ticket's conversations as the note list.

use chrono::{DateTime, Utc};
use enhancer_plugins::VerifyKeys;
use enhancer_plugins::signature::hmac_sha256_hex;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use super::adapter::{Api, PostedNote, Route, Sample, Samples, Secret, StoredNote, ToolAdapter};
use super::request_checks::{content_type_is, ensure, header_is, json_body, query_param};
use crate::freshservice::{API_KEY, SECRET, api_authorization, keys};
use crate::helpers::{fixture, fixture_json, headers, settings_with_account};

const SECRET_HEADER: &str = "X-Enhancer-Secret";
const HMAC_HEADER: &str = "X-Enhancer-Signature";
const TICKET_PATH: &str = "/api/v2/tickets/242";
const NOTES_PATH: &str = "/api/v2/tickets/242/notes";
const CONVERSATIONS_PATH: &str = "/api/v2/tickets/242/conversations";

#[derive(Debug, Clone, Copy)]
pub struct FreshserviceAdapter;

conformance!(FreshserviceAdapter);

impl ToolAdapter for FreshserviceAdapter {
    fn kind(&self) -> ToolKind {
        ToolKind::Freshservice
    }

    fn keys(&self) -> VerifyKeys<'static> {
        VerifyKeys { hmac_header: Some(HMAC_HEADER), ..keys(None) }
    }

    fn settings(&self) -> TenantSettings {
        settings_with_account("enhancer-bot@example.com")
    }

    fn sign(&self, body: &[u8], which: Secret, _sent_at: DateTime<Utc>) -> HeaderMap {
        let key = match which {
            Secret::Tenant => SECRET,
            Secret::Wrong => "fs-webhook-secret-2",
        };
        headers(&[(SECRET_HEADER, key), (HMAC_HEADER, &hmac_sha256_hex(key.as_bytes(), body))])
    }

    fn stale(&self, _received: DateTime<Utc>) -> Option<DateTime<Utc>> {
        None
    }

    fn samples(&self) -> Samples {
        let mut deleted = fixture_json("freshservice/ticket_created.json");
        deleted["event"] = json!("ticket_deleted");
        Samples {
            created: Sample { body: fixture("freshservice/ticket_created.json"), ticket: "242" },
            updated: Sample { body: fixture("freshservice/ticket_updated.json"), ticket: "242" },
            commented: Sample { body: fixture("freshservice/note_added.json"), ticket: "242" },
            // By the integration agent named in `settings`.
            self_authored: Sample { body: fixture("freshservice/note_added_by_us.json"), ticket: "242" },
            unsupported: serde_json::to_vec(&deleted).expect("JSON"),
        }
    }

    fn api(&self) -> Api {
        Api {
            credentials: &[("api_key", API_KEY)],
            ticket: "242",
            subject: "Support Needed...",
            get_ticket: Route { method: "GET", path: TICKET_PATH, expect: authorized },
            post_note: Route { method: "POST", path: NOTES_PATH, expect: posts_note },
            find_note: Route { method: "GET", path: CONVERSATIONS_PATH, expect: lists_conversations },
            ticket_answer: || ResponseTemplate::new(200).set_body_json(fixture_json("freshservice/ticket.json")),
            read_note,
            note_created: |note| ResponseTemplate::new(201).set_body_json(json!({"conversation": conversation(note)})),
            note_list: |notes| {
                let conversations: Vec<Value> = notes.iter().map(conversation).collect();
                let count = conversations.len();
                ResponseTemplate::new(200)
                    .set_body_json(json!({"conversations": conversations, "meta": {"count": count}}))
            },
            extra: &[],
        }
    }
}

/// Basic auth with the API key as user name and `X` as password, and JSON asked for.
fn authorized(req: &Request) -> Result<(), String> {
    header_is(req, "authorization", &api_authorization())?;
    header_is(req, "accept", "application/json")
}

fn posts_note(req: &Request) -> Result<(), String> {
    authorized(req)?;
    content_type_is(req, "application/json")?;
    read_note(req).map(drop)
}

/// Paged explicitly: Freshservice's default page is 30 conversations, its maximum 100.
fn lists_conversations(req: &Request) -> Result<(), String> {
    authorized(req)?;
    let page = query_param(req, "page")?.parse::<u32>().map_err(|_| "page is not a number")?;
    ensure(page >= 1, "page starts at 1")?;
    let per_page = query_param(req, "per_page")?.parse::<u32>().map_err(|_| "per_page is not a number")?;
    ensure((1..=100).contains(&per_page), "per_page is outside Freshservice's 1..=100")
}

/// Freshservice keeps the HTML `body`; the note is private only with `private` the JSON `true`.
fn read_note(req: &Request) -> Result<PostedNote, String> {
    let body = json_body(req)?;
    let html = body["body"].as_str().ok_or("the note has no HTML body")?;
    Ok(PostedNote { internal: body["private"] == true, content: json!(html) })
}

/// A conversation as Freshservice lists it: a numeric id, the HTML `body` and its `body_text`.
fn conversation(note: &StoredNote) -> Value {
    let html = note.content.as_str().unwrap_or_default();
    let id = note.id.parse::<u64>().map_or_else(|_| json!(note.id), |id| json!(id));
    json!({
        "id": id,
        "body": html,
        "body_text": text_of(html),
        "private": note.internal,
        "incoming": false,
        "ticket_id": 242,
    })
}

/// The HTML without its tags, roughly as Freshservice derives `body_text`.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
