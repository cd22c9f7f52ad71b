//! Zendesk error classes: 401/404/422 permanent, 429 with `Retry-After` and 5xx transient, a note update
//! never repeated in-process, malformed answers and missing credentials permanent.

use std::time::Duration;

use super::*;

async fn api_error(status: u16, retry_after: Option<&str>) -> (ToolError, MockServer) {
    let server = MockServer::start().await;
    let mut template = ResponseTemplate::new(status).set_body_json(json!({"error": "RecordNotFound"}));
    if let Some(value) = retry_after {
        template = template.insert_header("Retry-After", value);
    }
    Mock::given(method("GET")).and(path("/api/v2/tickets/1")).respond_with(template).mount(&server).await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    (Zendesk.get_ticket(&api, &ticket("1")).await.expect_err("an error"), server)
}

#[tokio::test]
async fn auth_and_missing_tickets_are_permanent() {
    for status in [401, 403, 404] {
        let (err, server) = api_error(status, None).await;
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.disposition(), Disposition::Permanent, "{status}");
        assert_eq!(server.received_requests().await.map(|r| r.len()), Some(1), "{status} is not retried");
    }
}

#[tokio::test]
async fn rate_limits_carry_retry_after_and_server_errors_are_transient() {
    let (err, _server) = api_error(429, Some("30")).await;
    assert_eq!(err.disposition(), Disposition::Transient { retry_after: Some(Duration::from_secs(30)) });
    let (err, server) = api_error(503, None).await;
    assert!(err.disposition().is_transient());
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(3), "a GET is retried in-process");
}

#[tokio::test]
async fn a_failed_note_update_is_sent_once_and_keeps_its_class() {
    for (status, transient) in [(503, true), (429, true), (422, false), (401, false)] {
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .and(path("/api/v2/tickets/35436"))
            .respond_with(ResponseTemplate::new(status).insert_header("Retry-After", "1"))
            .expect(1)
            .mount(&server)
            .await;
        let http = fast_http();
        let settings = TenantSettings::default();
        let api = api(&http, &server.uri(), CREDENTIALS, &settings);
        let err = Zendesk.post_note(&api, &ticket("35436"), &note()).await.expect_err("failed");
        assert_eq!(err.disposition().is_transient(), transient, "{status}");
    }
}

#[tokio::test]
async fn malformed_answers_are_permanent() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2/tickets/1"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>"))
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/tickets/2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ticket": {"id": 3, "subject": "other"}})))
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/tickets/3/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"count": 0})))
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    for id in ["1", "2"] {
        let err = Zendesk.get_ticket(&api, &ticket(id)).await.expect_err("malformed");
        assert!(matches!(err, ToolError::Malformed(_)), "{id}: {err:?}");
        assert_eq!(err.disposition(), Disposition::Permanent);
    }
    let err = Zendesk.find_note(&api, &ticket("3"), MARKER).await.expect_err("no comments");
    assert!(matches!(err, ToolError::Malformed(_)), "{err:?}");
}

#[tokio::test]
async fn missing_credentials_are_permanent() {
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, "https://acme.zendesk.com", &[("email", "bot@acme.com")], &settings);
    let err = Zendesk.get_ticket(&api, &ticket("1")).await.expect_err("no token");
    assert!(matches!(err, ToolError::Credentials(_)));
    assert_eq!(err.disposition(), Disposition::Permanent);
}
