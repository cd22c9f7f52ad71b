//! Shared test helpers: fixtures, a fast-retrying client, header maps, a request builder, notes.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use enhancer_plugins::{HttpClient, HttpConfig, ToolApi, WebhookRequest};
use enhancer_shared::domain::{Note, TicketId};
use enhancer_shared::tenant::{Credentials, TenantSecrets, TenantSettings};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use secrecy::SecretString;

/// The marker every fixture that shows "our" note carries.
pub const MARKER: &str = "ticket-enhancer:0193a3b4-0000-7000-8000-000000000001";

pub fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|err| panic!("fixture {full}: {err}"))
}

pub fn fixture_json(path: &str) -> serde_json::Value {
    serde_json::from_slice(&fixture(path)).expect("fixture is JSON")
}

/// A client that retries fast, so retry tests take milliseconds. Mock tools listen on loopback, which the
/// outbound policy refuses unless private networks are allowed.
pub fn fast_http() -> HttpClient {
    HttpClient::new(HttpConfig {
        allow_private_networks: true,
        request_timeout: Duration::from_millis(500),
        base_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        max_retry_after: Duration::from_secs(1),
        ..HttpConfig::default()
    })
    .expect("client")
}

pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    map
}

/// 2026-11-25T12:00:00Z, the receive time of every webhook test.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).single().expect("date")
}

pub static POST: Method = Method::POST;

/// A webhook POST to `/webhooks/acme` received at [`now`].
pub fn webhook<'a>(headers: &'a HeaderMap, body: &'a [u8], settings: &'a TenantSettings) -> WebhookRequest<'a> {
    WebhookRequest::new(&POST, "/webhooks/acme", None, headers, body, settings).at(now())
}

pub fn api<'a>(
    http: &'a HttpClient,
    base: &str,
    credentials: &[(&str, &str)],
    settings: &'a TenantSettings,
) -> ToolApi<'a> {
    // The API borrows what a tenant cache would own; a test leaks its few bytes instead.
    let base: &'static url::Url = Box::leak(Box::new(url::Url::parse(base).expect("base url")));
    let secrets =
        TenantSecrets::new(SecretString::from("unused"), Credentials::from_pairs(credentials.iter().copied()));
    ToolApi::new(http, base, Box::leak(Box::new(secrets)), settings)
}

/// A webhook secret that lives as long as the test (verify keys borrow theirs from a tenant cache).
pub fn secret(value: &str) -> &'static SecretString {
    Box::leak(Box::new(SecretString::from(value.to_owned())))
}

pub fn ticket(id: &str) -> TicketId {
    TicketId::parse(id).expect("ticket id")
}

pub fn note() -> Note {
    Note {
        body_markdown: "**AI triage**\n\n- check the VPN logs".into(),
        marker: MARKER.into(),
        allowed_links: Vec::new(),
    }
}

/// A settings value whose integration account is `account`.
pub fn settings_with_account(account: &str) -> TenantSettings {
    TenantSettings { integration_account_id: Some(account.into()), ..TenantSettings::default() }
}
