//! Freshservice: the secret-header and Basic proofs of the webhook secret, the published payload template,
//! and API v2 on wiremock (Basic `api_key:X`, the private note, conversations paged, 429 without a usable
//! `Retry-After`). The helpers below are public so other suites (the conformance kit) can reuse them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_plugins::VerifyKeys;
use reqwest::header::HeaderMap;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::helpers::{fixture_json, headers};

/// The tenant's webhook secret in every test.
pub const SECRET: &str = "fs-webhook-secret-1";
/// The tenant's API key in every test.
pub const API_KEY: &str = "fs-api-key-0123456789";

/// Verification keys with [`SECRET`] and the tenant's `secret_header` setting.
pub fn keys(secret_header: Option<&'static str>) -> VerifyKeys<'static> {
    VerifyKeys { secret_header, ..VerifyKeys::with_secret(crate::helpers::secret(SECRET)) }
}

/// `Basic base64(user:password)`, computed here rather than by the plugin.
pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// The headers of a delivery that proves the secret with the default custom header.
pub fn secret_headers(secret: &str) -> HeaderMap {
    headers(&[("X-Enhancer-Secret", secret)])
}

/// The headers of a delivery that proves the secret with the action's Basic authentication.
pub fn basic_headers(user: &str, password: &str) -> HeaderMap {
    headers(&[("Authorization", &basic(user, password))])
}

/// The `Authorization` value every API call must carry for [`API_KEY`].
pub fn api_authorization() -> String {
    basic(API_KEY, "X")
}

/// The published template, rendered for a new ticket.
pub fn created_payload(ticket_id: &str, subject: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "event": "ticket_created",
        "ticket_id": ticket_id,
        "display_id": format!("INC-{ticket_id}"),
        "subject": subject,
        "priority": "3",
    }))
    .expect("json")
}

/// Ticket 242 on `server`, checked for the API key: `GET` the ticket, `POST` a note (201), and one page of
/// conversations without the marker.
pub async fn mount_api(server: &MockServer) {
    let auth = api_authorization();
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/242"))
        .and(header("authorization", auth.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("freshservice/ticket.json")))
        .mount(server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/tickets/242/notes"))
        .and(header("authorization", auth.as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture_json("freshservice/note_created.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/242/conversations"))
        .and(query_param("page", "1"))
        .and(header("authorization", auth.as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("freshservice/conversations_page1.json")))
        .mount(server)
        .await;
}

mod api_calls;
mod extraction;
mod verification;
