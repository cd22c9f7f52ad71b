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
