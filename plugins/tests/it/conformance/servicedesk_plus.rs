//! ServiceDesk Plus's adapter: the HMAC header mode (hex HMAC-SHA256 of the body in a tenant-named header;
//! no timestamp). The plain shared-secret header mode cannot detect a changed body, so the kit runs the mode
//! that can; `servicedesk_plus/verification.rs` covers the others. The API is v3 with the on-prem
//! `authtoken`, form-encoded `input_data` and the `response_status` envelope.

use chrono::{DateTime, Utc};
use enhancer_plugins::VerifyKeys;
use enhancer_plugins::servicedesk_plus::ACCEPT_V3;
use enhancer_plugins::signature::hmac_sha256_hex;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use super::adapter::{Api, PostedNote, Route, Sample, Samples, Secret, StoredNote, ToolAdapter};
use super::request_checks::{content_type_is, ensure, form_field, header_absent, header_is, query_param};
use crate::helpers::{fixture, fixture_json, headers, secret, settings_with_account};

const SECRET: &str = "sdp-shared-secret-1";
const HMAC_HEADER: &str = "X-Enhancer-Signature";
const AUTHTOKEN: &str = "TECHKEY-1";
const NOTES_PATH: &str = "/api/v3/requests/201/notes";

#[derive(Debug, Clone, Copy)]
pub struct ServiceDeskPlusAdapter;

conformance!(ServiceDeskPlusAdapter);

impl ToolAdapter for ServiceDeskPlusAdapter {
    fn kind(&self) -> ToolKind {
        ToolKind::ServicedeskPlus
    }

    fn keys(&self) -> VerifyKeys<'static> {
        VerifyKeys { hmac_header: Some(HMAC_HEADER), ..VerifyKeys::with_secret(secret(SECRET)) }
    }

    fn settings(&self) -> TenantSettings {
        settings_with_account("enhancer-bot@example.com")
    }

    fn sign(&self, body: &[u8], which: Secret, _sent_at: DateTime<Utc>) -> HeaderMap {
        let key: &[u8] = match which {
            Secret::Tenant => SECRET.as_bytes(),
            Secret::Wrong => b"sdp-shared-secret-2",
        };
        headers(&[(HMAC_HEADER, &hmac_sha256_hex(key, body))])
    }

    fn stale(&self, _received: DateTime<Utc>) -> Option<DateTime<Utc>> {
        None
    }

    fn samples(&self) -> Samples {
        let edited = |path: &str, edit: &dyn Fn(&mut Value)| {
            let mut payload = fixture_json(path);
            edit(&mut payload);
            serde_json::to_vec(&payload).expect("JSON")
        };
        let request_event = |event: &'static str| {
            edited("servicedesk_plus/request_created.json", &|payload| payload["event"] = json!(event))
        };
        // The bot's note fixture, written by the requester and without our marker.
        let by_requester = edited("servicedesk_plus/note_added.json", &|payload| {
            payload["actor"] = json!("john@example.com");
            payload["note"] = json!("<p>Still crashing after the reboot.</p>");
        });
        Samples {
            created: Sample { body: fixture("servicedesk_plus/request_created.json"), ticket: "201" },
            updated: Sample { body: request_event("request_updated"), ticket: "201" },
            commented: Sample { body: by_requester, ticket: "201" },
            self_authored: Sample { body: fixture("servicedesk_plus/note_added.json"), ticket: "201" },
            unsupported: request_event("request_deleted"),
        }
    }

    fn api(&self) -> Api {
        Api {
            credentials: &[("authtoken", AUTHTOKEN)],
            ticket: "201",
            subject: "Test request",
            get_ticket: Route { method: "GET", path: "/api/v3/requests/201", expect: authorized },
            post_note: Route { method: "POST", path: NOTES_PATH, expect: posts_note },
            find_note: Route { method: "GET", path: NOTES_PATH, expect: lists_notes },
            ticket_answer: || ResponseTemplate::new(200).set_body_json(fixture_json("servicedesk_plus/request.json")),
            read_note,
            note_created: |note| {
                let mut answer = json!({"response_status": {"status_code": 2000, "status": "success"}});
                answer["request_note"] = listed(note);
                ResponseTemplate::new(200).set_body_json(answer)
            },
            note_list: |notes| {
                let listed: Vec<Value> = notes.iter().map(listed).collect();
                ResponseTemplate::new(200).set_body_json(json!({
                    "response_status": [{"status_code": 2000, "status": "success"}],
                    "list_info": {"has_more_rows": false, "row_count": listed.len(), "start_index": 1},
                    "notes": listed,
                }))
            },
            extra: &[],
        }
    }
}

/// The v3 media type and the on-prem technician key, never a Cloud OAuth header alongside.
fn authorized(req: &Request) -> Result<(), String> {
    header_is(req, "accept", ACCEPT_V3)?;
    header_is(req, "authtoken", AUTHTOKEN)?;
    header_absent(req, "authorization")
}

fn posts_note(req: &Request) -> Result<(), String> {
    authorized(req)?;
    content_type_is(req, "application/x-www-form-urlencoded")?;
    note_of(req).map(drop)
}

fn lists_notes(req: &Request) -> Result<(), String> {
    authorized(req)?;
    let list_info: Value = serde_json::from_str(&query_param(req, "input_data")?)
        .map_err(|err| format!("input_data is not JSON: {err}"))?;
    ensure(list_info["list_info"]["start_index"].is_u64(), "input_data has no list_info.start_index")
}

/// `input_data={"request_note": {...}}` (or the older on-prem `note` wrapper).
fn note_of(req: &Request) -> Result<Value, String> {
    let input: Value = serde_json::from_str(&form_field(req, "input_data")?)
        .map_err(|err| format!("input_data is not JSON: {err}"))?;
    ["request_note", "note"]
        .iter()
        .find_map(|key| input.get(*key).cloned())
        .ok_or_else(|| "input_data has neither request_note nor note".into())
}

/// SDP keeps the HTML description; the note is private only with `show_to_requester` the JSON `false`.
fn read_note(req: &Request) -> Result<PostedNote, String> {
    let note = note_of(req)?;
    let description = note["description"].as_str().ok_or("the note has no description")?;
    Ok(PostedNote { internal: note["show_to_requester"] == false, content: json!(description) })
}

fn listed(note: &StoredNote) -> Value {
    json!({"id": note.id, "description": note.content, "show_to_requester": !note.internal})
}
