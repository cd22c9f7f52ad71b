//! Freshservice API v2 on wiremock: method, path, Basic `api_key:X`, content type and body of each call;
//! error classes (401, 404, 429 with and without a usable `Retry-After`, 5xx, malformed answers); and
//! `find_note` paging through the conversations.

use std::time::Duration;

use enhancer_plugins::freshservice::{Freshservice, PAGE_SIZE, RATE_LIMIT_FALLBACK};
use enhancer_plugins::{TicketingTool, ToolError};
use enhancer_shared::domain::Priority;
use enhancer_shared::error::{Disposition, Retryable};
use enhancer_shared::tenant::TenantSettings;
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::{API_KEY, api_authorization, mount_api};
use crate::helpers::{MARKER, api, fast_http, fixture, fixture_json, note, ticket};

#[tokio::test]
async fn get_ticket_reads_the_v2_ticket() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/242"))
        .and(header("authorization", api_authorization().as_str()))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("freshservice/ticket.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    let ticket = Freshservice.get_ticket(&api, &ticket("242")).await.expect("ticket");
    assert_eq!(ticket.subject, "Support Needed...");
    assert_eq!(ticket.description, "Details about the issue...");
    assert_eq!(ticket.status.as_deref(), Some("Open"));
    assert_eq!(ticket.priority, Priority::Low);
    assert_eq!(ticket.created_at.map(|t| t.to_rfc3339()).as_deref(), Some("2026-05-01T10:00:00+00:00"));
    assert_eq!(ticket.url, Some(format!("{}/helpdesk/tickets/242", server.uri())));
    assert_eq!(ticket.resolution, None);
}

#[tokio::test]
async fn a_base_url_ending_in_api_v2_is_not_extended_twice() {
    let server = MockServer::start().await;
    mount_api(&server).await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &format!("{}/api/v2/", server.uri()), &[("api_key", API_KEY)], &settings);
    let ticket = Freshservice.get_ticket(&api, &ticket("242")).await.expect("ticket");
    assert_eq!(ticket.url, Some(format!("{}/helpdesk/tickets/242", server.uri())));
}

#[tokio::test]
async fn html_description_and_custom_status_and_the_tenant_priority_map() {
    let server = MockServer::start().await;
    let mut record = fixture_json("freshservice/ticket.json");
    record["ticket"]["description_text"] = Value::Null;
    record["ticket"]["description"] = json!("<div>VPN <b>drops</b><br>every 10 minutes &amp; more</div>");
    record["ticket"]["status"] = json!(8);
    record["ticket"]["priority"] = json!(3);
    Mock::given(path("/api/v2/tickets/242"))
        .respond_with(ResponseTemplate::new(200).set_body_json(record))
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::from_json(json!({"priority_map": {"3": "critical"}})).expect("settings");
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    let ticket = Freshservice.get_ticket(&api, &ticket("242")).await.expect("ticket");
    assert_eq!(ticket.description, "VPN drops\nevery 10 minutes & more");
    assert_eq!(ticket.status.as_deref(), Some("8"));
    assert_eq!(ticket.priority, Priority::Critical);
}

#[tokio::test]
async fn malformed_answers_are_permanent() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2/tickets/1"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>"))
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/tickets/2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"tickets": []})))
        .mount(&server)
        .await;
    // Another ticket than the one asked for.
    Mock::given(path("/api/v2/tickets/3"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("freshservice/ticket.json")))
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    for id in ["1", "2", "3"] {
        let err = Freshservice.get_ticket(&api, &ticket(id)).await.expect_err("malformed");
        assert!(matches!(err, ToolError::Malformed(_)), "{id}: {err:?}");
        assert_eq!(err.disposition(), Disposition::Permanent);
    }
}

#[tokio::test]
async fn http_errors_keep_their_class() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v2/tickets/401"))
        .respond_with(ResponseTemplate::new(401).set_body_json(fixture_json("freshservice/error_401.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/tickets/404")).respond_with(ResponseTemplate::new(404)).expect(1).mount(&server).await;
    // Retried in-process (a GET), then handed to the worker.
    Mock::given(path("/api/v2/tickets/502")).respond_with(ResponseTemplate::new(502)).expect(3).mount(&server).await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    for (id, status) in [("401", 401), ("404", 404)] {
        let err = Freshservice.get_ticket(&api, &ticket(id)).await.expect_err("refused");
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.disposition(), Disposition::Permanent);
        assert!(!err.to_string().contains(API_KEY), "{err}");
    }
    let err = Freshservice.get_ticket(&api, &ticket("502")).await.expect_err("502");
    assert_eq!(err.disposition(), Disposition::Transient { retry_after: None });
}

#[tokio::test]
async fn rate_limits_carry_the_wait() {
    let server = MockServer::start().await;
    // Longer than the test client waits in-process, so it is handed on after one attempt.
    Mock::given(path("/api/v2/tickets/1"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .expect(1)
        .mount(&server)
        .await;
    for (id, value) in [("2", Some("in a minute")), ("3", None)] {
        let mut answer = ResponseTemplate::new(429);
        if let Some(value) = value {
            answer = answer.insert_header("retry-after", value);
        }
        Mock::given(method("POST"))
            .and(path(format!("/api/v2/tickets/{id}/notes")))
            .respond_with(answer)
            .expect(1)
            .mount(&server)
            .await;
    }
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    let err = Freshservice.get_ticket(&api, &ticket("1")).await.expect_err("429");
    assert_eq!(err.disposition(), Disposition::Transient { retry_after: Some(Duration::from_secs(7)) });
    for id in ["2", "3"] {
        let err = Freshservice.post_note(&api, &ticket(id), &note()).await.expect_err("429");
        assert_eq!(err.status(), Some(429));
        assert_eq!(err.disposition(), Disposition::Transient { retry_after: Some(RATE_LIMIT_FALLBACK) }, "{id}");
    }
    assert_eq!(RATE_LIMIT_FALLBACK, Duration::from_secs(60));
}

#[tokio::test]
async fn post_note_is_a_private_html_note() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/tickets/242/notes"))
        .and(header("authorization", api_authorization().as_str()))
        .and(header("content-type", "application/json"))
        .and(|req: &Request| {
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else { return false };
            let html = body["body"].as_str().unwrap_or_default();
            body.as_object().is_some_and(|fields| fields.len() == 2)
                && body["private"] == true
                && html.contains("<strong>AI triage</strong>")
                && html.contains("<li>check the VPN logs</li>")
                && html.ends_with(&format!("<p><small>{MARKER}</small></p>"))
        })
        .respond_with(ResponseTemplate::new(201).set_body_json(fixture_json("freshservice/note_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    let note_ref = Freshservice.post_note(&api, &ticket("242"), &note()).await.expect("posted");
    assert_eq!(note_ref.0, "21004158707");
}

#[tokio::test]
async fn post_note_markdown_cannot_inject_html() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(|req: &Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let html = body["body"].as_str().unwrap_or_default();
            !html.contains("<script") && html.contains("&lt;script&gt;")
        })
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"conversation": {"id": 5}})))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    let hostile = enhancer_shared::domain::Note {
        body_markdown: "<script>alert(1)</script>".into(),
        marker: MARKER.into(),
        allowed_links: Vec::new(),
    };
    assert_eq!(Freshservice.post_note(&api, &ticket("242"), &hostile).await.expect("posted").0, "5");
}

#[tokio::test]
async fn post_note_is_not_retried_on_5xx_and_needs_an_id_back() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v2/tickets/1/notes"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v2/tickets/2/notes"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"conversation": {}})))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    let err = Freshservice.post_note(&api, &ticket("1"), &note()).await.expect_err("503");
    assert!(err.disposition().is_transient());
    let err = Freshservice.post_note(&api, &ticket("2"), &note()).await.expect_err("no id");
    assert!(matches!(err, ToolError::Malformed(_)), "{err:?}");
}

#[tokio::test]
async fn find_note_follows_the_next_link() {
    let server = MockServer::start().await;
    let next = format!("<{}/api/v2/tickets/242/conversations?page=2&per_page=100>; rel=\"next\"", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/242/conversations"))
        .and(query_param("page", "1"))
        .and(query_param("per_page", "100"))
        .and(header("authorization", api_authorization().as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture_json("freshservice/conversations_page1.json"))
                .insert_header("link", next.as_str()),
        )
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/v2/tickets/242/conversations"))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("freshservice/conversations_page2.json")))
        .expect(2)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    let found = Freshservice.find_note(&api, &ticket("242"), MARKER).await.expect("listed");
    assert_eq!(found.map(|n| n.0).as_deref(), Some("21004158707"));
    let missing = Freshservice.find_note(&api, &ticket("242"), "ticket-enhancer:other").await.expect("listed");
    assert!(missing.is_none(), "page 2 has no next link: the walk ends");
}

#[tokio::test]
async fn find_note_reads_on_after_a_full_page_without_a_link() {
    let server = MockServer::start().await;
    let full: Vec<Value> = (0..PAGE_SIZE)
        .map(|n| json!({"id": n, "body": "<p>reply</p>", "body_text": "reply", "private": false}))
        .collect();
    Mock::given(path("/api/v2/tickets/242/conversations"))
        .and(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"conversations": full})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v2/tickets/242/conversations"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("freshservice/conversations_page2.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    let found = Freshservice.find_note(&api, &ticket("242"), MARKER).await.expect("listed");
    assert_eq!(found.map(|n| n.0).as_deref(), Some("21004158707"));
}

#[tokio::test]
async fn find_note_on_a_ticket_without_our_note_and_a_malformed_list() {
    let server = MockServer::start().await;
    mount_api(&server).await;
    Mock::given(path("/api/v2/tickets/9/conversations"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"notes": []})))
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    assert!(Freshservice.find_note(&api, &ticket("242"), MARKER).await.expect("listed").is_none());
    let err = Freshservice.find_note(&api, &ticket("9"), MARKER).await.expect_err("malformed");
    assert!(matches!(err, ToolError::Malformed(_)), "{err:?}");
}

#[tokio::test]
async fn the_mounted_api_serves_a_whole_job() {
    let server = MockServer::start().await;
    mount_api(&server).await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("api_key", API_KEY)], &settings);
    assert_eq!(Freshservice.get_ticket(&api, &ticket("242")).await.expect("ticket").subject, "Support Needed...");
    assert!(Freshservice.find_note(&api, &ticket("242"), MARKER).await.expect("listed").is_none());
    assert_eq!(Freshservice.post_note(&api, &ticket("242"), &note()).await.expect("posted").0, "21004158707");
    assert!(fixture("freshservice/note_created.json").windows(MARKER.len()).any(|w| w == MARKER.as_bytes()));
}

#[tokio::test]
async fn missing_credentials_are_permanent() {
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, "https://acme.freshservice.com", &[], &settings);
    let err = Freshservice.get_ticket(&api, &ticket("1")).await.expect_err("no credentials");
    assert!(matches!(err, ToolError::Credentials(_)));
    assert_eq!(err.disposition(), Disposition::Permanent);
}
