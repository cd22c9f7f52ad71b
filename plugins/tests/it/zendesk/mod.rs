//! Zendesk: the timestamp + body signature (and the legacy body + timestamp vector refused), both connection
//! methods (event subscriptions and our trigger body), and REST v2 (basic `{email}/token` or OAuth, the
//! requester from the users endpoint, the note as a private comment through `PUT`, cursor-paged comments).
//!
//! The helpers below are public so that other test suites (a conformance kit) can sign and mount the same
//! way: [`sign`] computes the signature independently of the plugin, [`signed_headers`] builds a request's
//! headers, [`sample_created`] is an event subscription payload, [`mount_api`] serves one ticket.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_plugins::zendesk::{INVOCATION_ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, Zendesk};
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

use crate::helpers::{
    MARKER, api, fast_http, fixture, fixture_json, headers, note, settings_with_account, ticket, webhook,
};

/// The webhook's signing secret, used as UTF-8 bytes (it looks like base64 but is never decoded).
pub const SECRET: &str = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==";
/// 30 s before [`crate::helpers::now`]: inside the default window.
pub const SENT_AT: &str = "2026-11-25T11:59:30Z";
/// The integration account's Zendesk user id (the author of our internal notes in the fixtures).
pub const BOT_ID: &str = "8447388090999";
/// Credentials for basic auth with an API token.
pub const CREDENTIALS: &[(&str, &str)] = &[("email", "bot@acme.com"), ("api_token", "zd-api-token-1")];

/// base64(HMAC-SHA256(secret as UTF-8, timestamp + body)), computed here with hmac/sha2 directly.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(timestamp.as_bytes());
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The headers Zendesk sends with a signed delivery.
pub fn signed_headers(secret: &str, timestamp: &str, body: &[u8], invocation_id: Option<&str>) -> HeaderMap {
    let signature = sign(secret, timestamp, body);
    let mut pairs = vec![(SIGNATURE_HEADER, signature.as_str()), (TIMESTAMP_HEADER, timestamp)];
    pairs.extend(invocation_id.map(|id| (INVOCATION_ID_HEADER, id)));
    headers(&pairs)
}

/// A `zen:event-type:ticket.created` payload for `ticket_id`, with event id `event_id`.
pub fn sample_created(ticket_id: &str, event_id: &str) -> Vec<u8> {
    let mut payload = fixture_json("zendesk/ticket_created.json");
    payload["detail"]["id"] = json!(ticket_id);
    payload["subject"] = json!(format!("zen:ticket:{ticket_id}"));
    payload["id"] = json!(event_id);
    serde_json::to_vec(&payload).expect("json")
}

/// Serves ticket 35436 (`zendesk/ticket.json`), its requester, a note update and an empty comment list.
pub async fn mount_api(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/35436"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/ticket.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users/20978392"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/user.json")))
        .mount(server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/v2/tickets/35436"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/update_response.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/35436/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"comments": [], "meta": {"has_more": false}})))
        .mount(server)
        .await;
}

fn keys() -> VerifyKeys<'static> {
    VerifyKeys::with_secret(crate::helpers::secret(SECRET))
}

mod api_calls;
mod errors;
mod extraction;
mod verification;
