//! SDP verification: shared-secret header (default or named) and the optional HMAC header.

use super::*;

#[test]
fn default_secret_header() {
    let body = fixture("servicedesk_plus/request_created.json");
    let settings = TenantSettings::default();
    let good = headers(&[(DEFAULT_SECRET_HEADER, SECRET)]);
    assert!(ServiceDeskPlus.verify(&webhook(&good, &body, &settings), &keys(None, None)).is_ok());
    let wrong = headers(&[(DEFAULT_SECRET_HEADER, "sdp-shared-secret-2")]);
    assert!(ServiceDeskPlus.verify(&webhook(&wrong, &body, &settings), &keys(None, None)).is_err());
    let prefix = headers(&[(DEFAULT_SECRET_HEADER, "sdp-shared-secret")]);
    assert!(ServiceDeskPlus.verify(&webhook(&prefix, &body, &settings), &keys(None, None)).is_err());
    let missing = headers(&[]);
    let err = ServiceDeskPlus.verify(&webhook(&missing, &body, &settings), &keys(None, None)).expect_err("missing");
    assert_eq!(err.reason(), "missing secret header");
}

#[test]
fn tenant_named_secret_header() {
    let body = fixture("servicedesk_plus/request_created.json");
    let settings = TenantSettings::default();
    let good = headers(&[("X-Webhook-Token", SECRET)]);
    assert!(ServiceDeskPlus.verify(&webhook(&good, &body, &settings), &keys(Some("X-Webhook-Token"), None)).is_ok());
    let default_only = headers(&[(DEFAULT_SECRET_HEADER, SECRET)]);
    let keys = keys(Some("X-Webhook-Token"), None);
    assert!(ServiceDeskPlus.verify(&webhook(&default_only, &body, &settings), &keys).is_err());
}

#[test]
fn hmac_header() {
    let body = fixture("servicedesk_plus/request_created.json");
    let settings = TenantSettings::default();
    let signature = hmac_sha256_hex(SECRET.as_bytes(), &body);
    let keys = keys(None, Some("X-Enhancer-Signature"));
    for value in [signature.clone(), format!("sha256={signature}")] {
        let good = headers(&[("X-Enhancer-Signature", &value)]);
        assert!(ServiceDeskPlus.verify(&webhook(&good, &body, &settings), &keys).is_ok(), "{value}");
    }
    let good = headers(&[("X-Enhancer-Signature", &signature)]);
    let mut tampered = body.clone();
    tampered[10] ^= 0x20;
    assert!(ServiceDeskPlus.verify(&webhook(&good, &tampered, &settings), &keys).is_err());
    let wrong = hmac_sha256_hex(b"other-secret", &body);
    let wrong = headers(&[("X-Enhancer-Signature", &wrong)]);
    assert!(ServiceDeskPlus.verify(&webhook(&wrong, &body, &settings), &keys).is_err());
    assert!(ServiceDeskPlus.verify(&webhook(&headers(&[]), &body, &settings), &keys).is_err());
}

#[test]
fn both_headers_named_means_both_required() {
    let body = fixture("servicedesk_plus/request_created.json");
    let settings = TenantSettings::default();
    let signature = hmac_sha256_hex(SECRET.as_bytes(), &body);
    let keys = keys(Some("X-Webhook-Token"), Some("X-Enhancer-Signature"));
    let both = headers(&[("X-Webhook-Token", SECRET), ("X-Enhancer-Signature", &signature)]);
    assert!(ServiceDeskPlus.verify(&webhook(&both, &body, &settings), &keys).is_ok());
    let only_hmac = headers(&[("X-Enhancer-Signature", &signature)]);
    assert!(ServiceDeskPlus.verify(&webhook(&only_hmac, &body, &settings), &keys).is_err());
}

#[test]
fn no_secret_configured_fails_closed() {
    let body = fixture("servicedesk_plus/request_created.json");
    let settings = TenantSettings::default();
    let req_headers = headers(&[(DEFAULT_SECRET_HEADER, "")]);
    assert!(ServiceDeskPlus.verify(&webhook(&req_headers, &body, &settings), &VerifyKeys::default()).is_err());
}
