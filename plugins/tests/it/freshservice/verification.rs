//! Freshservice verification: the secret header (default or named), Basic credentials, both at once, and
//! the optional HMAC header. The body is not signed by Freshservice, so there is no timestamp to go stale.

use enhancer_plugins::freshservice::{BASIC_USER, DEFAULT_SECRET_HEADER, Freshservice};
use enhancer_plugins::signature::hmac_sha256_hex;
use enhancer_plugins::{TicketingTool, VerifyError, VerifyKeys};
use enhancer_shared::tenant::TenantSettings;
use reqwest::header::HeaderMap;

use super::{SECRET, basic, basic_headers, keys, secret_headers};
use crate::helpers::{fixture, headers, webhook};

fn verify_with(headers: &HeaderMap, keys: &VerifyKeys<'_>) -> Result<(), VerifyError> {
    let body = fixture("freshservice/ticket_created.json");
    let settings = TenantSettings::default();
    Freshservice.verify(&webhook(headers, &body, &settings), keys)
}

fn verify(headers: &HeaderMap) -> Result<(), VerifyError> {
    verify_with(headers, &keys(None))
}

#[test]
fn the_documented_names() {
    assert_eq!(DEFAULT_SECRET_HEADER, "X-Enhancer-Secret");
    assert_eq!(BASIC_USER, "ticket-enhancer");
}

#[test]
fn default_secret_header() {
    assert!(verify(&secret_headers(SECRET)).is_ok());
    assert!(verify(&secret_headers("fs-webhook-secret-2")).is_err(), "wrong secret");
    assert!(verify(&secret_headers("fs-webhook-secret-")).is_err(), "a prefix of the secret");
    assert!(verify(&secret_headers("")).is_err(), "empty");
}

#[test]
fn nothing_presented_is_refused() {
    let err = verify(&headers(&[])).expect_err("missing");
    assert_eq!(err.reason(), "missing secret header and basic credentials");
    assert_eq!(err.to_string(), "webhook verification failed");
    // Another scheme is no proof.
    assert!(verify(&headers(&[("Authorization", "Bearer fs-webhook-secret-1")])).is_err());
}

#[test]
fn tenant_named_secret_header() {
    let named = keys(Some("X-Webhook-Token"));
    assert!(verify_with(&headers(&[("X-Webhook-Token", SECRET)]), &named).is_ok());
    assert!(verify_with(&secret_headers(SECRET), &named).is_err(), "the default header no longer counts");
}

#[test]
fn basic_credentials() {
    assert!(verify(&basic_headers(BASIC_USER, SECRET)).is_ok());
    assert!(verify(&basic_headers(BASIC_USER, "fs-webhook-secret-2")).is_err(), "wrong password");
    assert!(verify(&basic_headers("admin", SECRET)).is_err(), "wrong user name");
    assert!(verify(&basic_headers("", SECRET)).is_err(), "no user name");
    assert!(verify(&headers(&[("Authorization", "Basic %%%not-base64")])).is_err());
    let no_colon = format!("Basic {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, SECRET));
    assert!(verify(&headers(&[("Authorization", &no_colon)])).is_err());
    // The scheme name is case-insensitive (RFC 9110).
    let lower = basic(BASIC_USER, SECRET).replacen("Basic", "basic", 1);
    assert!(verify(&headers(&[("Authorization", &lower)])).is_ok());
}

#[test]
fn every_proof_presented_must_hold() {
    let good_basic = basic(BASIC_USER, SECRET);
    let bad_basic = basic(BASIC_USER, "guess");
    assert!(verify(&headers(&[("X-Enhancer-Secret", SECRET), ("Authorization", &good_basic)])).is_ok());
    assert!(verify(&headers(&[("X-Enhancer-Secret", SECRET), ("Authorization", &bad_basic)])).is_err());
    assert!(verify(&headers(&[("X-Enhancer-Secret", "guess"), ("Authorization", &good_basic)])).is_err());
}

#[test]
fn the_body_is_not_bound_unless_an_hmac_header_is_named() {
    let body = fixture("freshservice/ticket_created.json");
    let mut changed = body.clone();
    changed[20] ^= 0x01;
    let settings = TenantSettings::default();
    // The header proves the sender, not the body: a changed byte still passes (the ticket is re-fetched).
    assert!(Freshservice.verify(&webhook(&secret_headers(SECRET), &changed, &settings), &keys(None)).is_ok());

    let with_hmac = VerifyKeys { hmac_header: Some("X-Enhancer-Signature"), ..keys(None) };
    let signature = hmac_sha256_hex(SECRET.as_bytes(), &body);
    let signed = headers(&[("X-Enhancer-Secret", SECRET), ("X-Enhancer-Signature", &signature)]);
    assert!(Freshservice.verify(&webhook(&signed, &body, &settings), &with_hmac).is_ok());
    assert!(Freshservice.verify(&webhook(&signed, &changed, &settings), &with_hmac).is_err());
    assert!(Freshservice.verify(&webhook(&secret_headers(SECRET), &body, &settings), &with_hmac).is_err());
}

#[test]
fn no_secret_configured_fails_closed() {
    let body = fixture("freshservice/ticket_created.json");
    let settings = TenantSettings::default();
    let empty = headers(&[("X-Enhancer-Secret", "")]);
    let err = Freshservice.verify(&webhook(&empty, &body, &settings), &VerifyKeys::default()).expect_err("no secret");
    assert_eq!(err.reason(), "no webhook secret configured");
}
