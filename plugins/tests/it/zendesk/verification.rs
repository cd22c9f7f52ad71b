//! Zendesk signatures: timestamp + body under the secret's UTF-8 bytes, the timestamp window, and the
//! legacy documentation's body + timestamp vector as the documented negative case.

use chrono::{DateTime, Utc};

use super::*;

fn verify_at(headers: &HeaderMap, body: &[u8], settings: &TenantSettings, now: DateTime<Utc>) -> Result<(), String> {
    let req = webhook(headers, body, settings).at(now);
    Zendesk.verify(&req, &keys()).map_err(|err| err.reason().to_owned())
}

fn verify(headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
    verify_at(headers, body, &TenantSettings::default(), crate::helpers::now())
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)
}

#[test]
fn a_valid_signature_passes() {
    let body = fixture("zendesk/ticket_created.json");
    assert_eq!(verify(&signed_headers(SECRET, SENT_AT, &body, Some("8350205582")), &body), Ok(()));
    // GET/DELETE webhooks have no body: the timestamp alone is signed.
    assert_eq!(verify(&signed_headers(SECRET, SENT_AT, b"", None), b""), Ok(()));
}

#[test]
fn wrong_secret_and_changed_body_fail() {
    let body = fixture("zendesk/ticket_created.json");
    let wrong = signed_headers("another-signing-secret", SENT_AT, &body, None);
    assert_eq!(verify(&wrong, &body), Err("signature mismatch".into()));
    let good = signed_headers(SECRET, SENT_AT, &body, None);
    let mut tampered = body.clone();
    tampered[20] ^= 0x01;
    assert_eq!(verify(&good, &tampered), Err("signature mismatch".into()));
    // The secret is used as text: signing with its base64-decoded bytes does not verify.
    let decoded = STANDARD.decode(SECRET).expect("base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&decoded).expect("key");
    mac.update(SENT_AT.as_bytes());
    mac.update(&body);
    let decoded_key = headers(&[
        (SIGNATURE_HEADER, STANDARD.encode(mac.finalize().into_bytes()).as_str()),
        (TIMESTAMP_HEADER, SENT_AT),
    ]);
    assert_eq!(verify(&decoded_key, &body), Err("signature mismatch".into()));
}

#[test]
fn missing_headers_fail() {
    let body = fixture("zendesk/ticket_created.json");
    let signature = sign(SECRET, SENT_AT, &body);
    let no_timestamp = headers(&[(SIGNATURE_HEADER, signature.as_str())]);
    assert_eq!(verify(&no_timestamp, &body), Err("missing timestamp header".into()));
    let no_signature = headers(&[(TIMESTAMP_HEADER, SENT_AT)]);
    assert_eq!(verify(&no_signature, &body), Err("missing signature header".into()));
    assert!(verify(&headers(&[]), &body).is_err());
    let not_base64 = headers(&[(SIGNATURE_HEADER, "not base64!"), (TIMESTAMP_HEADER, SENT_AT)]);
    assert_eq!(verify(&not_base64, &body), Err("signature is not base64".into()));
}

#[test]
fn the_timestamp_window_is_five_minutes_either_way() {
    let body = fixture("zendesk/ticket_created.json");
    for (sent, ok) in [
        ("2026-11-25T11:55:00Z", true),
        ("2026-11-25T12:05:00Z", true),
        ("2026-11-25T11:54:59Z", false),
        ("2026-11-25T12:05:01Z", false),
        ("2026-11-24T12:00:00Z", false),
    ] {
        let result = verify(&signed_headers(SECRET, sent, &body, None), &body);
        assert_eq!(result.is_ok(), ok, "{sent}: {result:?}");
        if !ok {
            assert_eq!(result, Err("stale timestamp".into()), "{sent}");
        }
    }
}

#[test]
fn the_window_is_configurable_per_tenant() {
    let body = fixture("zendesk/ticket_created.json");
    let settings = TenantSettings::from_json(json!({"zendesk": {"timestamp_tolerance_secs": 60}})).expect("valid");
    let two_minutes_old = signed_headers(SECRET, "2026-11-25T11:58:00Z", &body, None);
    let now = crate::helpers::now();
    assert_eq!(verify_at(&two_minutes_old, &body, &settings, now), Err("stale timestamp".into()));
    assert_eq!(verify_at(&two_minutes_old, &body, &TenantSettings::default(), now), Ok(()));
}

#[test]
fn timestamps_that_are_not_iso_8601_fail() {
    let body = fixture("zendesk/ticket_created.json");
    for sent in ["1795608000", "2026-11-25 11:59:30", "yesterday"] {
        let result = verify(&signed_headers(SECRET, sent, &body, None), &body);
        assert_eq!(result, Err("timestamp is not ISO-8601".into()), "{sent}");
    }
}

/// The legacy documentation's vector signs body + timestamp. It is refused; the same inputs signed in the
/// current order (timestamp + body) pass.
#[test]
fn the_legacy_body_then_timestamp_vector_is_refused() {
    const LEGACY_SECRET: &str = "HRkRd4BeOAoUkfZr-mhauJT64rvBASlJRoIyPsd3zeA=";
    const LEGACY_BODY: &[u8] = br#"{"say": "hello"}"#;
    const LEGACY_TIMESTAMP: &str = "2021-07-25T10:00:00Z";
    const LEGACY_SIGNATURE: &str = "tRDSF7URY8BLCDlaBcQ7FHu051Zk+aAB0NKMP53teMw=";
    // The vector really is body + timestamp under the raw secret string.
    let mut mac = Hmac::<Sha256>::new_from_slice(LEGACY_SECRET.as_bytes()).expect("key");
    mac.update(LEGACY_BODY);
    mac.update(LEGACY_TIMESTAMP.as_bytes());
    assert_eq!(STANDARD.encode(mac.finalize().into_bytes()), LEGACY_SIGNATURE);

    let settings = TenantSettings::default();
    let keys = VerifyKeys::with_secret(crate::helpers::secret(LEGACY_SECRET));
    let received = at(LEGACY_TIMESTAMP);
    let legacy = headers(&[(SIGNATURE_HEADER, LEGACY_SIGNATURE), (TIMESTAMP_HEADER, LEGACY_TIMESTAMP)]);
    let err = Zendesk.verify(&webhook(&legacy, LEGACY_BODY, &settings).at(received), &keys).expect_err("legacy order");
    assert_eq!(err.reason(), "signature mismatch");
    assert_eq!(err.to_string(), "webhook verification failed", "the answer says nothing about the reason");

    let current = signed_headers(LEGACY_SECRET, LEGACY_TIMESTAMP, LEGACY_BODY, None);
    assert!(Zendesk.verify(&webhook(&current, LEGACY_BODY, &settings).at(received), &keys).is_ok());
}

#[test]
fn no_secret_configured_fails_closed() {
    let body = fixture("zendesk/ticket_created.json");
    let settings = TenantSettings::default();
    let signed = signed_headers("", SENT_AT, &body, None);
    let err = Zendesk.verify(&webhook(&signed, &body, &settings), &VerifyKeys::default()).expect_err("no secret");
    assert_eq!(err.reason(), "no webhook secret configured");
}

#[test]
fn a_signed_sample_verifies_and_extracts() {
    let body = sample_created("4711", "evt-4711");
    let signed = signed_headers(SECRET, SENT_AT, &body, Some("8350205582"));
    assert_eq!(verify(&signed, &body), Ok(()));
    let settings = TenantSettings::default();
    let event = Zendesk.extract(&webhook(&signed, &body, &settings)).expect("extract");
    assert_eq!((event.ticket_id.as_str(), event.idempotency_key.as_deref()), ("4711", Some("evt-4711")));
}
