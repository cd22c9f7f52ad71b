//! Jira admin webhooks: `X-Hub-Signature: sha256=<hex>` over the raw body.

use super::*;

#[test]
fn valid_signature() {
    let body = fixture("jira/issue_created.json");
    let settings = TenantSettings::default();
    let headers = hub_headers(&format!("sha256={}", hmac_sha256_hex(SECRET.as_bytes(), &body)));
    assert!(
        Jira.verify(&webhook(&headers, &body, &settings), &VerifyKeys::with_secret(crate::helpers::secret(SECRET)))
            .is_ok()
    );
}

#[test]
fn wrong_secret_changed_body_missing_header_wrong_method() {
    let body = fixture("jira/issue_created.json");
    let settings = TenantSettings::default();
    let keys = VerifyKeys::with_secret(crate::helpers::secret(SECRET));
    let wrong = hub_headers(&format!("sha256={}", hmac_sha256_hex(b"other", &body)));
    assert!(Jira.verify(&webhook(&wrong, &body, &settings), &keys).is_err());

    let good = hub_headers(&format!("sha256={}", hmac_sha256_hex(SECRET.as_bytes(), &body)));
    let mut tampered = body.clone();
    tampered[20] ^= 0x01;
    assert!(Jira.verify(&webhook(&good, &tampered, &settings), &keys).is_err());

    let missing = headers(&[]);
    assert_eq!(
        Jira.verify(&webhook(&missing, &body, &settings), &keys).expect_err("missing").reason(),
        "missing X-Hub-Signature"
    );

    let sha1 = hub_headers(&format!("sha1={}", hmac_sha256_hex(SECRET.as_bytes(), &body)));
    assert!(Jira.verify(&webhook(&sha1, &body, &settings), &keys).is_err());
}

#[test]
fn an_optional_freshness_window_refuses_old_signed_bodies() {
    let keys = VerifyKeys::with_secret(crate::helpers::secret(SECRET));
    let signed_at = |age_secs: i64| {
        let mut payload = fixture_json("jira/issue_created.json");
        payload["timestamp"] = serde_json::json!(now().timestamp_millis() - age_secs * 1000);
        let body = serde_json::to_vec(&payload).expect("json");
        let headers = hub_headers(&format!("sha256={}", hmac_sha256_hex(SECRET.as_bytes(), &body)));
        (body, headers)
    };
    let (old_body, old_headers) = signed_at(2 * 3600);
    // Without the window, a validly signed body is accepted whatever its age (dedup is the only guard).
    let open = TenantSettings::default();
    assert!(Jira.verify(&webhook(&old_headers, &old_body, &open), &keys).is_ok());

    let windowed: TenantSettings =
        TenantSettings::from_json(serde_json::json!({"jira": {"max_event_age_secs": 3600}})).expect("settings");
    let refused = Jira.verify(&webhook(&old_headers, &old_body, &windowed), &keys).expect_err("two hours old");
    assert_eq!(refused.reason(), "stale event timestamp");
    let (fresh_body, fresh_headers) = signed_at(60);
    assert!(Jira.verify(&webhook(&fresh_headers, &fresh_body, &windowed), &keys).is_ok());
    let (future_body, future_headers) = signed_at(-2 * 3600);
    assert!(Jira.verify(&webhook(&future_headers, &future_body, &windowed), &keys).is_err());
}
