//! ServiceNow's adapter: the published Business Rule's signature mode (`X-SN-Timestamp`, and `X-SN-Signature`
//! over timestamp + "." + body, within ±5 minutes; the token mode has no body signature, and
//! `servicenow/verification.rs` covers it), its payloads (the `br_*.json` outputs), and the Table API with
//! Basic auth: the incident record, the work note as a `PATCH` of the record's `work_notes`, and the journal
//! (`sys_journal_field`) as the note list.
//!
//! The journal is the kit's note list twice over: `post_note` reads it right after its PATCH (the Table API
//! answers 200 even when it skipped a field the account may not write) and `find_note` pages through it.
//! Both reach the `find_note` route, which the kit serves from the notes the PATCHes wrote, so the journal
//! lists what was PATCHed and no extra route is needed. The note's id is its journal entry's `sys_id` in
//! both answers (the PATCH answers only the record's `sys_id`, which the plugin must not return); the fake
//! uses the kit's note ids as journal sys_ids, which the plugin treats as opaque.

use chrono::{DateTime, Utc};
use enhancer_plugins::VerifyKeys;
use enhancer_plugins::servicenow::TOLERANCE;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use super::adapter::{Api, PostedNote, Route, Sample, Samples, Secret, StoredNote, ToolAdapter};
use super::request_checks::{content_type_is, ensure, header_is, json_body, query_param};
use crate::helpers::{fixture_json, headers, secret, settings_with_account};
use crate::servicenow::{BASIC, BASIC_HEADER, SECRET, SYS_ID, business_rule_output, sign};

const WRONG_SECRET: &str = "sn-webhook-secret-2";
/// The integration user's `user_name`, which the Business Rule sends as `updated_by` (and [`BASIC`]'s user).
const INTEGRATION_USER: &str = "enhancer.bot";
const RECORD_PATH: &str = "/api/now/table/incident/9c573169c611228700193229fff72400";
const JOURNAL_PATH: &str = "/api/now/table/sys_journal_field";

#[derive(Debug, Clone, Copy)]
pub struct ServiceNowAdapter;

conformance!(ServiceNowAdapter);

impl ToolAdapter for ServiceNowAdapter {
    fn kind(&self) -> ToolKind {
        ToolKind::ServiceNow
    }

    /// Signature mode: no `secret_header` (naming one would select the token mode).
    fn keys(&self) -> VerifyKeys<'static> {
        VerifyKeys::with_secret(secret(SECRET))
    }

    fn settings(&self) -> TenantSettings {
        settings_with_account(INTEGRATION_USER)
    }

    fn sign(&self, body: &[u8], which: Secret, sent_at: DateTime<Utc>) -> HeaderMap {
        let key = match which {
            Secret::Tenant => SECRET,
            Secret::Wrong => WRONG_SECRET,
        };
        let signed = sign(key, sent_at.timestamp(), body);
        let pairs: Vec<(&str, &str)> = signed.iter().map(|(name, value)| (name.as_str(), value.as_str())).collect();
        headers(&pairs)
    }

    fn stale(&self, received: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let window = chrono::Duration::from_std(TOLERANCE).expect("a window of minutes");
        Some(received - window - chrono::Duration::seconds(1))
    }

    fn samples(&self) -> Samples {
        let body = |scenario: &str| business_rule_output(scenario).1;
        // The Business Rule sends `<table>.updated` for an update that added no comment.
        let updated = with_event(&body("created"), "incident.updated", "1");
        // A custom rule on delete: well-formed, but no event the plugin handles.
        let deleted = with_event(&body("created"), "incident.deleted", "3");
        Samples {
            created: Sample { body: body("created"), ticket: SYS_ID },
            updated: Sample { body: updated, ticket: SYS_ID },
            commented: Sample { body: body("commented"), ticket: SYS_ID },
            // Our own work note: updated by the integration user, and carrying its marker.
            self_authored: Sample { body: body("updated_by_integration"), ticket: SYS_ID },
            unsupported: deleted,
        }
    }

    fn api(&self) -> Api {
        Api {
            credentials: BASIC,
            ticket: SYS_ID,
            subject: "Can't read email",
            get_ticket: Route { method: "GET", path: RECORD_PATH, expect: reads_record },
            post_note: Route { method: "PATCH", path: RECORD_PATH, expect: patches_work_notes },
            find_note: Route { method: "GET", path: JOURNAL_PATH, expect: lists_journal },
            ticket_answer: || ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/incident.json")),
            read_note,
            // The plugin asks only for the record's sys_id (`sysparm_fields=sys_id`).
            note_created: |_| ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/patched.json")),
            note_list: |notes| {
                let entries: Vec<Value> = notes.iter().map(journal_entry).collect();
                ResponseTemplate::new(200).set_body_json(json!({ "result": entries }))
            },
            extra: &[],
        }
    }
}

/// A Business Rule body with another event and `sys_mod_count`.
fn with_event(body: &[u8], event: &str, mod_count: &str) -> Vec<u8> {
    let mut payload: Value = serde_json::from_slice(body).expect("the Business Rule's body is JSON");
    payload["event"] = json!(event);
    payload["sys_mod_count"] = json!(mod_count);
    serde_json::to_vec(&payload).expect("JSON")
}

/// Basic auth as the integration user; JSON answers.
fn authorized(req: &Request) -> Result<(), String> {
    header_is(req, "authorization", BASIC_HEADER)?;
    header_is(req, "accept", "application/json")
}

/// Raw values: display values (`1 - Critical`) would not map to priorities and states.
fn reads_record(req: &Request) -> Result<(), String> {
    authorized(req)?;
    ensure(query_param(req, "sysparm_display_value")? == "false", "sysparm_display_value is not false")
}

/// A JSON update of `work_notes` alone: no `comments` (the caller would see the note), no other field.
fn patches_work_notes(req: &Request) -> Result<(), String> {
    authorized(req)?;
    content_type_is(req, "application/json")?;
    let body = json_body(req)?;
    let fields = body.as_object().ok_or("the body is not a JSON object")?;
    ensure(!fields.contains_key("comments"), "the update writes comments, which the caller sees")?;
    ensure(fields.keys().all(|key| key == "work_notes"), "the update changes fields besides work_notes")?;
    read_note(req).map(drop)
}

/// The record's work notes, paged explicitly (an unpaged query answers up to the instance's row limit).
fn lists_journal(req: &Request) -> Result<(), String> {
    authorized(req)?;
    let query = query_param(req, "sysparm_query")?;
    let conditions: Vec<&str> = query.split('^').collect();
    for needed in ["name=incident", &format!("element_id={SYS_ID}"), "element=work_notes"] {
        ensure(conditions.contains(&needed), &format!("sysparm_query lacks the condition {needed}"))?;
    }
    let limit = query_param(req, "sysparm_limit")?.parse::<u32>().map_err(|_| "sysparm_limit is not a number")?;
    ensure(limit >= 1, "sysparm_limit is 0")?;
    query_param(req, "sysparm_offset")?.parse::<u32>().map_err(|_| "sysparm_offset is not a number")?;
    Ok(())
}

/// The journal keeps the field's text as written: a `work_notes` entry is internal, a `comments` entry is
/// not. An update writing both would show the caller the note, so it counts as public.
fn read_note(req: &Request) -> Result<PostedNote, String> {
    let body = json_body(req)?;
    if let Some(comment) = body["comments"].as_str() {
        return Ok(PostedNote { internal: false, content: json!(comment) });
    }
    let text = body["work_notes"].as_str().ok_or("the update has no work_notes text")?;
    Ok(PostedNote { internal: true, content: json!(text) })
}

/// A `sys_journal_field` entry of the record with the fields the plugin asks for. Every posted note is
/// listed whatever the query, as an instance that dropped conditions it could not apply would; that the
/// plugin skips a `comments` entry quoting the marker is `servicenow/api_calls.rs`'s to test, since the kit
/// only posts through the plugin.
fn journal_entry(note: &StoredNote) -> Value {
    json!({
        "sys_id": note.id,
        "element": if note.internal { "work_notes" } else { "comments" },
        "element_id": SYS_ID,
        "value": note.content,
    })
}
