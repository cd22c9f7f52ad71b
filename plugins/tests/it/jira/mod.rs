//! Jira Service Management: admin-webhook HMAC and Connect JWT cases, payload extraction, and REST v3 with
//! an ADF comment marked internal.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use enhancer_plugins::jira::{Jira, query_string_hash};
use enhancer_plugins::signature::hmac_sha256_hex;
use enhancer_plugins::{ConnectKeys, ExtractError, TicketingTool, ToolError, VerifyKeys, WebhookRequest};
use enhancer_shared::domain::{EventKind, Priority};
use enhancer_shared::error::{Disposition, Retryable};
use enhancer_shared::tenant::TenantSettings;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{
    MARKER, POST, api, fast_http, fixture, fixture_json, headers, note, now, settings_with_account, ticket, webhook,
};

const SECRET: &str = "jira-admin-webhook-secret";
const CLIENT_KEY: &str = "jira:3a2c1b9e-7d4f-4e1a-9c2b-000000000001";
const SHARED_SECRET: &str = "connect-shared-secret-0123456789abcdef";

fn connect_keys() -> VerifyKeys<'static> {
    VerifyKeys {
        connect: Some(ConnectKeys { client_key: CLIENT_KEY, shared_secret: SHARED_SECRET }),
        ..VerifyKeys::default()
    }
}

fn hub_headers(signature: &str) -> HeaderMap {
    headers(&[("X-Hub-Signature", signature), ("X-Atlassian-Webhook-Identifier", "wh-delivery-1")])
}

fn jwt(alg: Algorithm, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, &EncodingKey::from_secret(secret.as_bytes())).expect("token")
}

fn claims(qsh: &str, exp_offset: i64) -> Value {
    json!({"iss": CLIENT_KEY, "iat": now().timestamp() - 10, "exp": now().timestamp() + exp_offset, "qsh": qsh})
}

fn webhook_qsh() -> String {
    query_string_hash("POST", "/webhooks/acme", None)
}

fn verify_jwt(token: &str) -> Result<(), enhancer_plugins::VerifyError> {
    let headers = headers(&[("Authorization", &format!("JWT {token}"))]);
    let body = fixture("jira/issue_created.json");
    let settings = TenantSettings::default();
    Jira.verify(&webhook(&headers, &body, &settings), &connect_keys())
}

mod admin_webhooks;
mod api_calls;
mod connect_jwt;
mod extraction;
