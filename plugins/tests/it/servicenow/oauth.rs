//! OAuth 2.0 against `/oauth_token.do`: form-encoded grants, the token cached across calls and renewed
//! before it expires, one renewal after a 401, and refusals that quote no secret. wiremock reuses servers
//! (and so base URLs) across tests, so each test has its own client id to keep the process-wide token
//! cache from mixing them.

use std::time::Duration;

use super::*;

fn password_grant(client_id: &'static str) -> [(&'static str, &'static str); 4] {
    [("client_id", client_id), ("client_secret", "csecret-1"), ("username", "enhancer.bot"), ("password", "pw-1")]
}

fn refresh_grant(client_id: &'static str) -> [(&'static str, &'static str); 3] {
    [("client_id", client_id), ("client_secret", "csecret-1"), ("refresh_token", "rtoken-1")]
}

/// The form fields of a recorded token request.
fn form(req: &Request) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(&req.body).into_owned().collect();
    pairs.sort();
    pairs
}

fn token(access_token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "access_token": access_token, "refresh_token": "sn-refresh", "scope": "useraccount",
        "token_type": "Bearer", "expires_in": expires_in
    }))
}

async fn mount_record(server: &MockServer, bearer: &str, expect: u64) {
    Mock::given(method("GET"))
        .and(path(format!("/api/now/table/incident/{SYS_ID}")))
        .and(header("authorization", format!("Bearer {bearer}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/incident.json")))
        .expect(expect)
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_password_grant_is_form_encoded_and_its_token_reused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(|req: &Request| {
            form(req)
                == [
                    ("client_id".to_owned(), "the_password_grant_is_form_encoded_and_its_token_reused".to_owned()),
                    ("client_secret".into(), "csecret-1".into()),
                    ("grant_type".into(), "password".into()),
                    ("password".into(), "pw-1".into()),
                    ("username".into(), "enhancer.bot".into()),
                ]
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/oauth_token.json")))
        .expect(1)
        .mount(&server)
        .await;
    mount_record(&server, "sn-access-token-1", 2).await;
    let (http, settings) = (fast_http(), TenantSettings::default());
    let api = api(
        &http,
        &server.uri(),
        &password_grant("the_password_grant_is_form_encoded_and_its_token_reused"),
        &settings,
    );
    for _ in 0..2 {
        assert!(ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.is_ok());
    }
}

#[tokio::test]
async fn the_refresh_token_grant() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .and(|req: &Request| {
            form(req)
                == [
                    ("client_id".to_owned(), "the_refresh_token_grant".to_owned()),
                    ("client_secret".into(), "csecret-1".into()),
                    ("grant_type".into(), "refresh_token".into()),
                    ("refresh_token".into(), "rtoken-1".into()),
                ]
        })
        .respond_with(token("from-refresh", 1800))
        .expect(1)
        .mount(&server)
        .await;
    mount_record(&server, "from-refresh", 1).await;
    let (http, settings) = (fast_http(), TenantSettings::default());
    let api = api(&http, &server.uri(), &refresh_grant("the_refresh_token_grant"), &settings);
    assert!(ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.is_ok());
}

#[tokio::test]
async fn a_token_close_to_expiry_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .respond_with(token("short-1", 1))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .respond_with(token("next-2", 1800))
        .expect(1)
        .mount(&server)
        .await;
    mount_record(&server, "short-1", 1).await;
    mount_record(&server, "next-2", 1).await;
    let (http, settings) = (fast_http(), TenantSettings::default());
    let api =
        api(&http, &server.uri(), &password_grant("a_token_close_to_expiry_is_renewed_before_it_expires"), &settings);
    assert!(ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.is_ok());
    // The first token still has a few hundred milliseconds, but is not used that close to its end.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.is_ok());
}

#[tokio::test]
async fn a_401_renews_the_token_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .respond_with(token("revoked-1", 1800))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .respond_with(token("fresh-2", 1800))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(header("authorization", "Bearer revoked-1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": {"message": "User Not Authenticated"}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(header("authorization", "Bearer fresh-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/patched.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/sys_journal_field"))
        .and(header("authorization", "Bearer fresh-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/journal_work_note.json")))
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), TenantSettings::default());
    let api = api(&http, &server.uri(), &password_grant("a_401_renews_the_token_once"), &settings);
    assert!(ServiceNow.post_note(&api, &ticket(SYS_ID), &note()).await.is_ok());
}

#[tokio::test]
async fn a_second_401_is_permanent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .respond_with(token("t", 1800))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(401)).expect(2).mount(&server).await;
    let (http, settings) = (fast_http(), TenantSettings::default());
    let api = api(&http, &server.uri(), &password_grant("a_second_401_is_permanent"), &settings);
    let err = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect_err("401");
    assert_eq!((err.status(), err.disposition()), (Some(401), Disposition::Permanent));
}

#[tokio::test]
async fn refused_and_odd_token_answers_quote_no_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error_description": "access_denied", "error": "server_error"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), TenantSettings::default());
    let api = api(&http, &server.uri(), &password_grant("refused_and_odd_token_answers_quote_no_secret"), &settings);
    let err = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect_err("refused");
    assert_eq!((err.status(), err.disposition()), (Some(401), Disposition::Permanent));
    let message = err.to_string();
    assert!(message.contains("access_denied"), "{message}");
    assert!(!message.contains("csecret-1") && !message.contains("pw-1"), "{message}");

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"acces_token": "leaked-token-value"})))
        .mount(&server)
        .await;
    let api = crate::helpers::api(
        &http,
        &server.uri(),
        &refresh_grant("refused_and_odd_token_answers_quote_no_secret"),
        &settings,
    );
    let err = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect_err("no access_token");
    assert!(matches!(err, ToolError::Malformed(_)), "{err:?}");
    assert!(!err.to_string().contains("leaked-token-value"), "{err}");

    // A token endpoint that is down is worth retrying; the POST itself is not repeated in-process.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth_token.do"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let api = crate::helpers::api(
        &http,
        &server.uri(),
        &refresh_grant("refused_and_odd_token_answers_quote_no_secret"),
        &settings,
    );
    assert!(ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect_err("503").disposition().is_transient());
}
