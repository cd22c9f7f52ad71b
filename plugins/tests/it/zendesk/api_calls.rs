//! Zendesk REST v2 on wiremock: both auth methods, the ticket with its requester, the internal note as a
//! private comment through `PUT`, and `find_note` over cursor-paged comments.

use super::*;

fn basic() -> String {
    format!("Basic {}", STANDARD.encode("bot@acme.com/token:zd-api-token-1"))
}

#[tokio::test]
async fn get_ticket_with_an_api_token_reads_the_requester_from_the_users_endpoint() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/35436"))
        .and(header("authorization", basic().as_str()))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/ticket.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/users/20978392"))
        .and(header("authorization", basic().as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/user.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let ticket = Zendesk.get_ticket(&api, &ticket("35436")).await.expect("ticket");
    assert_eq!(ticket.id.as_str(), "35436");
    assert_eq!(ticket.subject, "Help, my printer is on fire!");
    assert_eq!(ticket.description, "The fire is very colorful.");
    assert_eq!(ticket.status.as_deref(), Some("open"));
    assert_eq!(ticket.priority, Priority::High);
    assert_eq!(ticket.requester.as_deref(), Some("alice@example.com"));
    assert_eq!(ticket.created_at.map(|t| t.to_rfc3339()), Some("2009-07-20T22:55:29+00:00".into()));
    assert_eq!(ticket.url, Some(format!("{}/agent/tickets/35436", server.uri())));
    assert_eq!(ticket.resolution, None);
}

#[tokio::test]
async fn get_ticket_with_oauth_under_a_base_url_ending_in_api_v2() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/35436"))
        .and(header("authorization", "Bearer zd-oauth-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/ticket.json")))
        .expect(1)
        .mount(&server)
        .await;
    // A requester we may not read: the ticket still comes back, without one.
    Mock::given(method("GET"))
        .and(path("/api/v2/users/20978392"))
        .and(header("authorization", "Bearer zd-oauth-1"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({"error": "Forbidden"})))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &format!("{}/api/v2/", server.uri()), &[("oauth_token", "zd-oauth-1")], &settings);
    let ticket = Zendesk.get_ticket(&api, &ticket("35436")).await.expect("ticket");
    assert_eq!(ticket.requester, None);
    assert_eq!(ticket.url, Some(format!("{}/agent/tickets/35436", server.uri())));
}

#[tokio::test]
async fn get_ticket_applies_the_tenant_priority_map() {
    let server = MockServer::start().await;
    mount_api(&server).await;
    let http = fast_http();
    let settings = TenantSettings::from_json(json!({"priority_map": {"high": "critical"}})).expect("valid");
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    assert_eq!(Zendesk.get_ticket(&api, &ticket("35436")).await.expect("ticket").priority, Priority::Critical);
}

#[tokio::test]
async fn post_note_is_a_private_html_comment_through_a_ticket_update() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/v2/tickets/35436"))
        .and(header("authorization", basic().as_str()))
        .and(header("content-type", "application/json"))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let comment = &body["ticket"]["comment"];
            let html = comment["html_body"].as_str().unwrap_or_default();
            comment["public"] == false
                && html.contains("<strong>AI triage</strong>")
                && html.trim_end().ends_with(&format!("<p><small>{MARKER}</small></p>"))
                && comment.get("body").is_none()
                && comment.get("author_id").is_none()
                && body["ticket"].as_object().is_some_and(|ticket| ticket.len() == 1)
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/update_response.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let note_ref = Zendesk.post_note(&api, &ticket("35436"), &note()).await.expect("posted");
    assert_eq!(note_ref.0, "2127301163", "the comment event of the update's audit");
}

#[tokio::test]
async fn post_note_without_an_audit_in_the_answer_finds_the_comment_by_its_marker() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/api/v2/tickets/35436"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ticket": {"id": 35436}})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/35436/comments"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/comments_page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let note_ref = Zendesk.post_note(&api, &ticket("35436"), &note()).await.expect("posted");
    assert_eq!(note_ref.0, "2127301163");
}

#[tokio::test]
async fn find_note_follows_the_cursor_pages() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/35436/comments"))
        .and(header("authorization", basic().as_str()))
        .and(query_param("page[size]", "100"))
        .and(|req: &Request| !req.url.query_pairs().any(|(key, _)| key == "page[after]"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/comments_page1.json")))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/35436/comments"))
        .and(query_param("page[size]", "100"))
        .and(query_param("page[after]", "xOb4bSXY2d"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("zendesk/comments_page2.json")))
        .expect(2)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let found = Zendesk.find_note(&api, &ticket("35436"), MARKER).await.expect("listed");
    assert_eq!(found.map(|n| n.0).as_deref(), Some("2127301163"));
    let missing = Zendesk.find_note(&api, &ticket("35436"), "ticket-enhancer:nope").await.expect("listed");
    assert!(missing.is_none());
}

#[tokio::test]
async fn the_mounted_api_serves_a_whole_job() {
    let server = MockServer::start().await;
    mount_api(&server).await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), CREDENTIALS, &settings);
    let id = ticket("35436");
    assert_eq!(Zendesk.get_ticket(&api, &id).await.expect("ticket").requester.as_deref(), Some("alice@example.com"));
    assert_eq!(Zendesk.find_note(&api, &id, MARKER).await.expect("listed"), None);
    assert_eq!(Zendesk.post_note(&api, &id, &note()).await.expect("posted").0, "2127301163");
}
