//! ServiceNow: the published Business Rule's signed output (generated under Node with stubbed ServiceNow
//! APIs), the token mode, the payload, and the Table API with Basic and OAuth auth, on wiremock.
//!
//! The helpers below are public so that other suites (a conformance kit) can sign requests, build payloads
//! and mount the API the way these tests do.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_plugins::servicenow::ServiceNow;
use enhancer_plugins::{ExtractError, TicketingTool, ToolError, VerifyKeys};
use enhancer_shared::domain::{EventKind, Priority};
use enhancer_shared::error::{Disposition, Retryable};
use enhancer_shared::tenant::TenantSettings;
use hmac::{Hmac, KeyInit, Mac};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{MARKER, api, fast_http, fixture, fixture_json, headers, note, now, ticket, webhook};

mod api_calls;
mod business_rule;
mod extraction;
mod oauth;
mod verification;

/// The webhook secret of the fixtures (the Business Rule outputs were generated with it).
pub const SECRET: &str = "sn-webhook-secret-1";
/// The OOB demo record INC0000001.
pub const SYS_ID: &str = "9c573169c611228700193229fff72400";
pub const NUMBER: &str = "INC0000001";
/// Basic auth credentials of the API tests.
pub const BASIC: &[(&str, &str)] = &[("username", "enhancer.bot"), ("password", "pw-1")];
/// `Authorization` for [`BASIC`].
pub const BASIC_HEADER: &str = "Basic ZW5oYW5jZXIuYm90OnB3LTE=";

/// `X-SN-Timestamp` and `X-SN-Signature` for `body` sent at `timestamp`, computed here with hmac/sha2/base64
/// directly (not with the plugin's code).
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> Vec<(String, String)> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    vec![
        ("X-SN-Timestamp".into(), timestamp.to_string()),
        ("X-SN-Signature".into(), STANDARD.encode(mac.finalize().into_bytes())),
    ]
}

/// A payload in the shape the published Business Rule sends.
pub fn payload(event: &str, updated_by: &str, mod_count: u32) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "event": event, "table": "incident", "sys_id": SYS_ID, "number": NUMBER, "instance": "dev12345",
        "short_description": "Can't read email", "priority": "2", "updated_by": updated_by,
        "updated_on": "2026-11-25 11:59:58", "sys_mod_count": mod_count.to_string()
    }))
    .expect("json")
}

/// The request one Business Rule scenario produced under Node (`br_<scenario>.json`): headers and body.
pub fn business_rule_output(scenario: &str) -> (HeaderMap, Vec<u8>) {
    let output = fixture_json(&format!("servicenow/br_{scenario}.json"));
    let pairs: Vec<(String, String)> = output["headers"]
        .as_object()
        .expect("headers")
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().expect("header value").to_owned()))
        .collect();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    (headers(&pairs), output["body"].as_str().expect("body").as_bytes().to_vec())
}

/// Mounts `GET /api/now/table/incident/{SYS_ID}` answering `fixture`, the PATCH of the work note and the
/// journal lookup that finds it: the API as one successful job sees it.
pub async fn mount_api(server: &MockServer, fixture_name: &str) {
    Mock::given(method("GET"))
        .and(path(format!("/api/now/table/incident/{SYS_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json(fixture_name)))
        .mount(server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("/api/now/table/incident/{SYS_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/patched.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/sys_journal_field"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/journal_work_note.json")))
        .mount(server)
        .await;
}

/// Keys of a signature-mode tenant.
fn signed_keys() -> VerifyKeys<'static> {
    VerifyKeys::with_secret(crate::helpers::secret(SECRET))
}

/// Keys of a token-mode tenant reading `header`.
fn token_keys(header: &'static str) -> VerifyKeys<'static> {
    VerifyKeys { secret_header: Some(header), ..signed_keys() }
}

/// A query parameter's value in a recorded request.
fn query(req: &Request, name: &str) -> Option<String> {
    req.url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}
