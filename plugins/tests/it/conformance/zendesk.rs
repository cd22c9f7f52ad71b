//! Zendesk Support's adapter: event subscription payloads signed with `X-Zendesk-Webhook-Signature` over
//! timestamp + body (the trigger body carries the same signature; `zendesk/extraction.rs` covers it), and
//! REST v2 with an API token as basic auth: the ticket, its requester from the users endpoint (an extra
//! route), the note as a private comment added through `PUT` on the ticket, and cursor-paged comments.
//!
//! The note's id: `post_note` reads it from the update's audit (its `Comment` event), `find_note` from the
//! comment list. In Zendesk's API the `Comment` event's `id` is the comment's id (the audit has its own id),
//! so the fake answers both with the kit's note id and gives the audit a different one.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use enhancer_plugins::VerifyKeys;
use enhancer_plugins::zendesk::DEFAULT_TOLERANCE;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use super::adapter::{Api, ExtraRoute, PostedNote, Route, Sample, Samples, Secret, StoredNote, ToolAdapter};
use super::request_checks::{content_type_is, ensure, header_is, json_body, query_param};
use crate::helpers::{fixture, fixture_json, secret, settings_with_account};
use crate::zendesk::{BOT_ID, CREDENTIALS, SECRET, signed_headers};

const WRONG_SECRET: &str = "b3RoZXJfd2ViaG9va19zaWduaW5nX3NlY3JldA==";
const TICKET_PATH: &str = "/api/v2/tickets/35436";
const COMMENTS_PATH: &str = "/api/v2/tickets/35436/comments";
/// The requester of `zendesk/ticket.json`.
const REQUESTER_PATH: &str = "/api/v2/users/20978392";
/// Zendesk's largest cursor page for comments.
const MAX_PAGE_SIZE: u32 = 100;
/// Audits are numbered apart from comments: an answer that named the audit would not match the note.
const AUDIT_ID_OFFSET: u64 = 5_000_000;

#[derive(Debug, Clone, Copy)]
pub struct ZendeskAdapter;

conformance!(ZendeskAdapter);

impl ToolAdapter for ZendeskAdapter {
    fn kind(&self) -> ToolKind {
        ToolKind::Zendesk
    }

    fn keys(&self) -> VerifyKeys<'static> {
        VerifyKeys::with_secret(secret(SECRET))
    }

    fn settings(&self) -> TenantSettings {
        settings_with_account(BOT_ID)
    }

    fn sign(&self, body: &[u8], which: Secret, sent_at: DateTime<Utc>) -> HeaderMap {
        let key = match which {
            Secret::Tenant => SECRET,
            Secret::Wrong => WRONG_SECRET,
        };
        // Zendesk's form, e.g. `2021-03-25T05:09:27Z`; no invocation id (verification does not read it).
        let timestamp = sent_at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        signed_headers(key, &timestamp, body, None)
    }

    fn stale(&self, received: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let window = chrono::Duration::from_std(DEFAULT_TOLERANCE).expect("a window of minutes");
        Some(received - window - chrono::Duration::seconds(1))
    }

    fn samples(&self) -> Samples {
        let mut tags_changed = fixture_json("zendesk/ticket_created.json");
        tags_changed["type"] = json!("zen:event-type:ticket.tags_changed");
        tags_changed["event"] = json!({"tags_added": ["vip"], "tags_removed": []});
        Samples {
            created: Sample { body: fixture("zendesk/ticket_created.json"), ticket: "5158" },
            updated: Sample { body: fixture("zendesk/status_changed.json"), ticket: "5158" },
            commented: Sample { body: fixture("zendesk/comment_added.json"), ticket: "5158" },
            // Our internal note: by the integration agent, and carrying our marker.
            self_authored: Sample { body: fixture("zendesk/internal_note_ours.json"), ticket: "5158" },
            unsupported: serde_json::to_vec(&tags_changed).expect("JSON"),
        }
    }

    fn api(&self) -> Api {
        Api {
            credentials: CREDENTIALS,
            ticket: "35436",
            subject: "Help, my printer is on fire!",
            get_ticket: Route { method: "GET", path: TICKET_PATH, expect: authorized },
            post_note: Route { method: "PUT", path: TICKET_PATH, expect: updates_ticket },
            find_note: Route { method: "GET", path: COMMENTS_PATH, expect: lists_comments },
            ticket_answer: || ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/ticket.json")),
            read_note,
            note_created: |note| ResponseTemplate::new(200).set_body_json(updated(note)),
            note_list: |notes| {
                // Zendesk lists the ticket's description as its first comment, then the others, oldest first.
                let description = fixture_json("zendesk/comments_page1.json")["comments"][0].clone();
                let comments: Vec<Value> = std::iter::once(description).chain(notes.iter().map(comment)).collect();
                let meta = json!({"has_more": false, "after_cursor": null, "before_cursor": null});
                let links = json!({"next": null, "prev": null});
                ResponseTemplate::new(200).set_body_json(json!({"comments": comments, "meta": meta, "links": links}))
            },
            // A ticket names its requester by id only.
            extra: &[ExtraRoute {
                route: Route { method: "GET", path: REQUESTER_PATH, expect: authorized },
                answer: || ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/user.json")),
            }],
        }
    }
}

/// An API token as basic auth, user name `{email}/token`; JSON answers.
fn authorized(req: &Request) -> Result<(), String> {
    let token = STANDARD.encode("bot@acme.com/token:zd-api-token-1");
    header_is(req, "authorization", &format!("Basic {token}"))?;
    header_is(req, "accept", "application/json")
}

/// A ticket update that adds one comment and changes nothing else on the ticket.
fn updates_ticket(req: &Request) -> Result<(), String> {
    authorized(req)?;
    content_type_is(req, "application/json")?;
    let body = json_body(req)?;
    let ticket = body["ticket"].as_object().ok_or("the body has no \"ticket\" object")?;
    ensure(ticket.keys().all(|key| key == "comment"), "the update changes ticket fields besides adding a comment")?;
    comment_text(&body).map(drop)
}

/// Cursor pagination (`page[size]`), whose pages Zendesk caps at 100 comments.
fn lists_comments(req: &Request) -> Result<(), String> {
    authorized(req)?;
    let size: u32 = query_param(req, "page[size]")?.parse().map_err(|_| "page[size] is not a number".to_owned())?;
    ensure((1..=MAX_PAGE_SIZE).contains(&size), "page[size] is outside 1..=100")
}

/// The comment's HTML (`html_body`, which wins over `body` when both are sent).
fn comment_text(body: &Value) -> Result<&str, String> {
    let comment = &body["ticket"]["comment"];
    comment["html_body"]
        .as_str()
        .or_else(|| comment["body"].as_str())
        .ok_or_else(|| "the update has no ticket.comment with html_body or body".into())
}

/// Zendesk keeps the HTML; a comment is public unless `public` is the JSON `false`.
fn read_note(req: &Request) -> Result<PostedNote, String> {
    let body = json_body(req)?;
    let text = comment_text(&body)?;
    Ok(PostedNote { internal: body["ticket"]["comment"]["public"] == false, content: json!(text) })
}

/// Zendesk's ids are numbers; the kit's are numeric strings.
fn number(id: &str) -> u64 {
    id.parse().expect("the kit's note ids are numeric")
}

/// The comment as `GET .../comments` lists it.
fn comment(note: &StoredNote) -> Value {
    json!({
        "id": number(&note.id),
        "type": "Comment",
        "author_id": number(BOT_ID),
        "html_body": note.content,
        "public": !note.internal,
    })
}

/// The answer to the update: the ticket and the audit the update made, whose `Comment` event carries the
/// new comment's id (and the audit its own).
fn updated(note: &StoredNote) -> Value {
    let mut answer = fixture_json("zendesk/update_response.json");
    let audit_id = AUDIT_ID_OFFSET + number(&note.id);
    answer["audit"]["id"] = json!(audit_id);
    let mut event = comment(note);
    event["audit_id"] = json!(audit_id);
    answer["audit"]["events"] = json!([event]);
    answer
}
