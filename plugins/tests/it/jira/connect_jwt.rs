//! Jira Connect webhooks: HS256 JWT with `iss`, `exp` (plus leeway) and `qsh` checks.

use super::*;

#[test]
fn valid_token() {
    assert!(verify_jwt(&jwt(Algorithm::HS256, &claims(&webhook_qsh(), 180), SHARED_SECRET)).is_ok());
}

#[test]
fn token_in_the_query_and_a_query_in_the_qsh() {
    let query_qsh = query_string_hash("POST", "/webhooks/acme", Some("user_id=admin&lic=active"));
    let token = jwt(Algorithm::HS256, &claims(&query_qsh, 180), SHARED_SECRET);
    let query = format!("lic=active&jwt={token}&user_id=admin");
    let headers = headers(&[]);
    let body = fixture("jira/issue_created.json");
    let settings = TenantSettings::default();
    let req = WebhookRequest::new(&POST, "/webhooks/acme", Some(&query), &headers, &body, &settings).at(now());
    assert!(Jira.verify(&req, &connect_keys()).is_ok());
}

#[test]
fn alg_none_is_rejected() {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims(&webhook_qsh(), 180).to_string());
    assert!(verify_jwt(&format!("{header}.{payload}.")).is_err());
    // Also with a bogus signature part attached.
    assert!(verify_jwt(&format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(b"x"))).is_err());
}

#[test]
fn other_algorithms_are_rejected() {
    for alg in [Algorithm::HS384, Algorithm::HS512] {
        assert!(verify_jwt(&jwt(alg, &claims(&webhook_qsh(), 180), SHARED_SECRET)).is_err(), "{alg:?}");
    }
}

#[test]
fn expired_token_is_rejected_beyond_the_leeway() {
    assert!(verify_jwt(&jwt(Algorithm::HS256, &claims(&webhook_qsh(), -10), SHARED_SECRET)).is_ok());
    let err = verify_jwt(&jwt(Algorithm::HS256, &claims(&webhook_qsh(), -31), SHARED_SECRET)).expect_err("expired");
    assert_eq!(err.reason(), "JWT expired");
}

#[test]
fn wrong_or_missing_qsh_is_rejected() {
    let other = query_string_hash("POST", "/webhooks/other-tenant", None);
    assert!(verify_jwt(&jwt(Algorithm::HS256, &claims(&other, 180), SHARED_SECRET)).is_err());
    assert!(verify_jwt(&jwt(Algorithm::HS256, &claims("context-qsh", 180), SHARED_SECRET)).is_err());
    let mut no_qsh = claims("", 180);
    no_qsh.as_object_mut().expect("object").remove("qsh");
    assert!(verify_jwt(&jwt(Algorithm::HS256, &no_qsh, SHARED_SECRET)).is_err());
}

#[test]
fn wrong_secret_or_issuer_is_rejected() {
    assert!(verify_jwt(&jwt(Algorithm::HS256, &claims(&webhook_qsh(), 180), "not-the-secret")).is_err());
    let mut foreign = claims(&webhook_qsh(), 180);
    foreign["iss"] = json!("jira:someone-else");
    assert!(verify_jwt(&jwt(Algorithm::HS256, &foreign, SHARED_SECRET)).is_err());
}

#[test]
fn jwt_without_connect_keys_or_twice_is_rejected() {
    let token = jwt(Algorithm::HS256, &claims(&webhook_qsh(), 180), SHARED_SECRET);
    let headers = headers(&[("Authorization", &format!("JWT {token}"))]);
    let body = fixture("jira/issue_created.json");
    let settings = TenantSettings::default();
    assert!(
        Jira.verify(&webhook(&headers, &body, &settings), &VerifyKeys::with_secret(crate::helpers::secret(SECRET)))
            .is_err()
    );
    let query = format!("jwt={token}");
    let req = WebhookRequest::new(&POST, "/webhooks/acme", Some(&query), &headers, &body, &settings).at(now());
    assert!(Jira.verify(&req, &connect_keys()).is_err());
}

#[test]
fn garbage_tokens_are_rejected() {
    for token in ["", "a.b", "a.b.c", "....", &STANDARD.encode("{}")] {
        assert!(verify_jwt(token).is_err(), "{token:?}");
    }
}
