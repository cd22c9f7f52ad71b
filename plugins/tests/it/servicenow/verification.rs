//! ServiceNow verification: the Business Rule's own output, signatures computed here, the time window, and
//! the token mode (with no fallback between the modes).

use super::*;

fn verify(req_headers: &HeaderMap, body: &[u8], keys: &VerifyKeys<'_>) -> Result<(), enhancer_plugins::VerifyError> {
    let settings = TenantSettings::default();
    ServiceNow.verify(&webhook(req_headers, body, &settings), keys)
}

fn signed(secret: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
    let pairs = sign(secret, timestamp, body);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    headers(&pairs)
}

#[test]
fn the_business_rules_signed_requests_verify() {
    for scenario in ["created", "updated_by_integration", "commented"] {
        let (req_headers, body) = business_rule_output(scenario);
        assert_eq!(req_headers.get("x-sn-timestamp").map(|v| v.to_str().ok()), Some(Some("1795608000")));
        assert!(verify(&req_headers, &body, &signed_keys()).is_ok(), "{scenario}");
        // And the signature is the one computed here, independently of both the script and the plugin.
        assert_eq!(signed(SECRET, now().timestamp(), &body).get("x-sn-signature"), req_headers.get("x-sn-signature"));
    }
}

#[test]
fn the_business_rules_token_request_verifies_in_token_mode_only() {
    let (req_headers, body) = business_rule_output("token");
    assert!(verify(&req_headers, &body, &token_keys("X-Enhancer-Token")).is_ok());
    let err = verify(&req_headers, &body, &signed_keys()).expect_err("a signature-mode tenant wants a signature");
    assert_eq!(err.reason(), "missing X-SN-Timestamp");
}

#[test]
fn wrong_secret_and_changed_body_are_refused() {
    let body = payload("incident.created", "alice", 0);
    let ts = now().timestamp();
    assert!(verify(&signed(SECRET, ts, &body), &body, &signed_keys()).is_ok());
    let err = verify(&signed("sn-webhook-secret-2", ts, &body), &body, &signed_keys()).expect_err("wrong secret");
    assert_eq!(err.reason(), "signature mismatch");
    assert_eq!(err.to_string(), "webhook verification failed", "Display says nothing about the cause");
    let mut changed = body.clone();
    changed[12] ^= 0x01;
    assert!(verify(&signed(SECRET, ts, &body), &changed, &signed_keys()).is_err());
}

#[test]
fn the_signature_covers_the_timestamp() {
    let body = payload("incident.created", "alice", 0);
    let ts = now().timestamp();
    let mut moved = signed(SECRET, ts, &body);
    moved.insert("x-sn-timestamp", (ts + 1).to_string().parse().expect("value"));
    assert_eq!(verify(&moved, &body, &signed_keys()).expect_err("moved").reason(), "signature mismatch");
}

#[test]
fn missing_headers_are_refused() {
    let body = payload("incident.created", "alice", 0);
    let full = sign(SECRET, now().timestamp(), &body);
    for (dropped, reason) in
        [("X-SN-Timestamp", "missing X-SN-Timestamp"), ("X-SN-Signature", "missing X-SN-Signature")]
    {
        let kept: Vec<(&str, &str)> =
            full.iter().filter(|(n, _)| n != dropped).map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let err = verify(&headers(&kept), &body, &signed_keys()).expect_err(dropped);
        assert_eq!(err.reason(), reason);
    }
}

#[test]
fn the_window_is_five_minutes_either_way() {
    let body = payload("incident.created", "alice", 0);
    let ts = now().timestamp();
    for inside in [ts - 300, ts - 299, ts + 300] {
        assert!(verify(&signed(SECRET, inside, &body), &body, &signed_keys()).is_ok(), "{}", inside - ts);
    }
    for outside in [ts - 301, ts + 301, ts - 86_400] {
        let err = verify(&signed(SECRET, outside, &body), &body, &signed_keys()).expect_err("stale");
        assert_eq!(err.reason(), "stale timestamp", "{}", outside - ts);
    }
}

#[test]
fn odd_timestamps_and_signature_encodings_are_refused() {
    let body = payload("incident.created", "alice", 0);
    let ts = now().timestamp();
    let good = sign(SECRET, ts, &body);
    let signature = good[1].1.as_str();
    for bad_ts in [format!("+{ts}"), format!("{ts}.0"), format!("{ts}000"), String::new(), "abc".into()] {
        let req_headers = headers(&[("X-SN-Timestamp", bad_ts.as_str()), ("X-SN-Signature", signature)]);
        assert!(verify(&req_headers, &body, &signed_keys()).is_err(), "{bad_ts:?}");
    }
    // The same MAC as hex is not what the script sends.
    let hex = hex::encode(STANDARD.decode(signature).expect("base64"));
    let ts_text = ts.to_string();
    for bad_sig in [hex.as_str(), "not base64!", ""] {
        let req_headers = headers(&[("X-SN-Timestamp", ts_text.as_str()), ("X-SN-Signature", bad_sig)]);
        assert!(verify(&req_headers, &body, &signed_keys()).is_err(), "{bad_sig:?}");
    }
}

#[test]
fn token_mode_compares_the_named_header() {
    let body = payload("incident.created", "alice", 0);
    let keys = token_keys("X-Enhancer-Token");
    assert!(verify(&headers(&[("X-Enhancer-Token", SECRET)]), &body, &keys).is_ok());
    for wrong in ["sn-webhook-secret-2", "sn-webhook-secret-", ""] {
        let err = verify(&headers(&[("X-Enhancer-Token", wrong)]), &body, &keys).expect_err(wrong);
        assert_eq!(err.reason(), "token mismatch");
    }
    let err = verify(&headers(&[]), &body, &keys).expect_err("missing");
    assert_eq!(err.reason(), "missing token header");
    // A valid signature does not stand in for the token: no fallback between modes.
    assert!(verify(&signed(SECRET, now().timestamp(), &body), &body, &keys).is_err());
}

#[test]
fn no_secret_configured_fails_closed() {
    let body = payload("incident.created", "alice", 0);
    let req_headers = signed("", now().timestamp(), &body);
    let err = verify(&req_headers, &body, &VerifyKeys::default()).expect_err("no secret");
    assert_eq!(err.reason(), "no webhook secret configured");
}

/// The check vector docs/PLUGINS.md gives admins (run `generateMac` in a background script and compare).
#[test]
fn the_documented_vector_verifies() {
    let req_headers = headers(&[
        ("X-SN-Timestamp", "1795608000"),
        ("X-SN-Signature", "O6WBwtzBzUXBzUwz+gnqH8yP2iKDfbNvRB6qgAxTxKs="),
    ]);
    assert!(verify(&req_headers, b"{}", &signed_keys()).is_ok());
    let guide = std::fs::read_to_string(format!("{}/../docs/PLUGINS.md", env!("CARGO_MANIFEST_DIR"))).expect("guide");
    assert!(guide.contains("O6WBwtzBzUXBzUwz+gnqH8yP2iKDfbNvRB6qgAxTxKs="), "the guide quotes the vector");
}
