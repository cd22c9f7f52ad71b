//! Jira Service Management's adapter: admin webhooks signed with `X-Hub-Signature: sha256=<hex>` (no
//! timestamp; the Connect JWT mode has its own tests in `jira/connect_jwt.rs`), and REST v3 with basic auth,
//! comments in ADF marked internal by the `sd.public.comment` property.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
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
use crate::helpers::{fixture, fixture_json, headers, secret, settings_with_account};

const SECRET: &str = "jira-admin-webhook-secret";
const BOT: &str = "712020:bot-account-0001";
const ISSUE_PATH: &str = "/rest/api/3/issue/ITSM-42";
const COMMENTS_PATH: &str = "/rest/api/3/issue/ITSM-42/comment";

#[derive(Debug, Clone, Copy)]
pub struct JiraAdapter;

conformance!(JiraAdapter);

impl ToolAdapter for JiraAdapter {
    fn kind(&self) -> ToolKind {
        ToolKind::Jira
    }

    fn keys(&self) -> VerifyKeys<'static> {
        VerifyKeys::with_secret(secret(SECRET))
    }

    fn settings(&self) -> TenantSettings {
        settings_with_account(BOT)
    }

    fn sign(&self, body: &[u8], which: Secret, _sent_at: DateTime<Utc>) -> HeaderMap {
        let key: &[u8] = match which {
            Secret::Tenant => SECRET.as_bytes(),
            Secret::Wrong => b"another-webhook-secret",
        };
        headers(&[("X-Hub-Signature", &format!("sha256={}", hmac_sha256_hex(key, body)))])
    }

    fn stale(&self, _received: DateTime<Utc>) -> Option<DateTime<Utc>> {
        None
    }

    fn samples(&self) -> Samples {
        // The bot's comment fixture, written by a customer instead.
        let mut by_customer = fixture_json("jira/comment_created.json");
        by_customer["comment"]["author"] = json!({"accountId": "qm:1234", "displayName": "Bob Customer"});
        Samples {
            created: Sample { body: fixture("jira/issue_created.json"), ticket: "PI-1" },
            updated: Sample { body: fixture("jira/issue_updated.json"), ticket: "PI-1" },
            commented: Sample { body: serde_json::to_vec(&by_customer).expect("JSON"), ticket: "PI-1" },
            self_authored: Sample { body: fixture("jira/comment_created.json"), ticket: "PI-1" },
            unsupported: serde_json::to_vec(&json!({
                "timestamp": 1_686_916_266_116_u64,
                "webhookEvent": "jira:issue_deleted",
                "issue": {"id": "10000", "key": "PI-1"},
            }))
            .expect("JSON"),
        }
    }

    fn api(&self) -> Api {
        Api {
            credentials: &[("email", "bot@acme.com"), ("api_token", "api-token-1")],
            ticket: "ITSM-42",
            subject: "Printer on floor 3 offline",
            get_ticket: Route { method: "GET", path: ISSUE_PATH, expect: reads_issue },
            post_note: Route { method: "POST", path: COMMENTS_PATH, expect: posts_comment },
            find_note: Route { method: "GET", path: COMMENTS_PATH, expect: lists_comments },
            ticket_answer: || ResponseTemplate::new(200).set_body_json(fixture_json("jira/issue.json")),
            read_note,
            note_created: |note| ResponseTemplate::new(201).set_body_json(comment(note)),
            note_list: |notes| {
                let comments: Vec<Value> = notes.iter().map(comment).collect();
                let page = json!({"startAt": 0, "maxResults": 100, "total": comments.len(), "comments": comments});
                ResponseTemplate::new(200).set_body_json(page)
            },
            extra: &[],
        }
    }
}

fn authorized(req: &Request) -> Result<(), String> {
    header_is(req, "authorization", &format!("Basic {}", STANDARD.encode("bot@acme.com:api-token-1")))?;
    header_is(req, "accept", "application/json")
}

fn reads_issue(req: &Request) -> Result<(), String> {
    authorized(req)?;
    // Only the fields the plugin uses: issues with many custom fields are large.
    ensure(query_param(req, "fields")?.contains("summary"), "fields does not ask for the summary")
}

fn posts_comment(req: &Request) -> Result<(), String> {
    authorized(req)?;
    content_type_is(req, "application/json")?;
    let body = json_body(req)?;
    ensure(body["body"]["type"] == "doc" && body["body"]["version"] == 1, "body is not an ADF document")
}

fn lists_comments(req: &Request) -> Result<(), String> {
    authorized(req)?;
    // Newest first: a retried post finds its note on the first page.
    ensure(query_param(req, "orderBy")? == "-created", "comments are not listed newest first")
}

/// Jira keeps the ADF body; the comment is internal only with `sd.public.comment` `{"internal": true}` (a
/// JSON boolean, JSDCLOUD-9766).
fn read_note(req: &Request) -> Result<PostedNote, String> {
    let body = json_body(req)?;
    let properties = body["properties"].as_array().cloned().unwrap_or_default();
    let internal = properties.iter().any(|p| p["key"] == "sd.public.comment" && p["value"]["internal"] == true);
    Ok(PostedNote { internal, content: body["body"].clone() })
}

fn comment(note: &StoredNote) -> Value {
    json!({"id": note.id, "body": note.content, "jsdPublic": !note.internal})
}
