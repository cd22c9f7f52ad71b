//! Jira REST v3 on wiremock: basic auth, ADF flattening, internal comments, paging, errors.

use super::*;

fn basic() -> String {
    format!("Basic {}", STANDARD.encode("bot@acme.com:api-token-1"))
}

const CREDENTIALS: &[(&str, &str)] = &[("email", "bot@acme.com"), ("api_token", "api-token-1")];

#[tokio::test]
async fn get_ticket_flattens_adf() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/ITSM-42"))
        .and(query_param(
            "fields",
            "summary,description,priority,status,reporter,created,updated,resolution,resolutiondate",
        ))
        .and(header("authorization", basic().as_str()))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("jira/issue.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let ticket = Jira.get_ticket(&api, &ticket("ITSM-42")).await.expect("ticket");
    assert_eq!(ticket.subject, "Printer on floor 3 offline");
    assert_eq!(ticket.description, "The printer at 10.1.3.25 does not answer.\n- Power cycled");
    assert_eq!(ticket.priority, Priority::High);
    assert_eq!(ticket.status.as_deref(), Some("Waiting for support"));
    assert_eq!(ticket.requester.as_deref(), Some("Bob Customer"));
    assert_eq!(ticket.url, Some(format!("{}/browse/ITSM-42", server.uri())));
    assert_eq!(ticket.resolution, None, "an open issue has a null resolution");
}

#[tokio::test]
async fn get_ticket_reads_the_resolution_name_and_date() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/ITSM-42"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("jira/issue_resolved.json")))
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let ticket = Jira.get_ticket(&api, &ticket("ITSM-42")).await.expect("ticket");
    assert_eq!(ticket.resolution.as_deref(), Some("Done (2026-11-26)"));
    assert_eq!(ticket.status.as_deref(), Some("Resolved"));
}

#[tokio::test]
async fn post_note_is_an_internal_adf_comment_ending_with_the_marker() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/rest/api/3/issue/ITSM-42/comment"))
        .and(header("authorization", basic().as_str()))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(json!({
            "body": {"type": "doc", "version": 1},
            "properties": [{"key": "sd.public.comment", "value": {"internal": true}}]
        })))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let last = body["body"]["content"].as_array().and_then(|content| content.last()).cloned();
            last.is_some_and(|p| p["type"] == "paragraph" && p["content"][0]["text"] == MARKER)
        })
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "10101", "jsdPublic": false})))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let note_ref = Jira.post_note(&api, &ticket("ITSM-42"), &note()).await.expect("posted");
    assert_eq!(note_ref.0, "10101");
}

#[tokio::test]
async fn find_note_pages_through_comments() {
    let server = MockServer::start().await;
    for (start, page) in [("0", "jira/comments_page1.json"), ("1", "jira/comments_page2.json")] {
        Mock::given(method("GET"))
            .and(path("/rest/api/3/issue/ITSM-42/comment"))
            .and(query_param("startAt", start))
            .and(query_param("orderBy", "-created"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json(page)))
            .expect(1..)
            .mount(&server)
            .await;
    }
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let found = Jira.find_note(&api, &ticket("ITSM-42"), MARKER).await.expect("listed");
    assert_eq!(found.map(|n| n.0).as_deref(), Some("10099"));
    let missing = Jira.find_note(&api, &ticket("ITSM-42"), "ticket-enhancer:nope").await.expect("listed");
    assert!(missing.is_none());
}

#[tokio::test]
async fn rate_limit_and_auth_errors() {
    let server = MockServer::start().await;
    Mock::given(path("/rest/api/3/issue/RL-1"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "30"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/rest/api/3/issue/AU-1")).respond_with(ResponseTemplate::new(401)).expect(1).mount(&server).await;
    Mock::given(path("/rest/api/3/issue/GONE-1"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let err = Jira.get_ticket(&api, &ticket("RL-1")).await.expect_err("429");
    assert_eq!(err.disposition(), Disposition::Transient { retry_after: Some(std::time::Duration::from_secs(30)) });
    for id in ["AU-1", "GONE-1"] {
        let err = Jira.get_ticket(&api, &ticket(id)).await.expect_err("permanent");
        assert_eq!(err.disposition(), Disposition::Permanent, "{id}");
    }
}

#[tokio::test]
async fn connect_only_credentials_cannot_call_rest() {
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, "https://acme.atlassian.net", &[("client_key", "k"), ("shared_secret", "s")], &settings);
    let err = Jira.post_note(&api, &ticket("ITSM-1"), &note()).await.expect_err("no REST credentials");
    assert!(matches!(err, ToolError::Credentials(_)));
}
