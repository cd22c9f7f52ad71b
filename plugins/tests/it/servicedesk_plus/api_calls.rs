//! SDP v3 API on wiremock: auth variants, `input_data` notes, errors under HTTP 200.

use super::*;

#[tokio::test]
async fn get_ticket_on_prem_with_authtoken() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/requests/201"))
        .and(header("accept", ACCEPT_V3))
        .and(header("authtoken", "TECHKEY-1"))
        .and(|req: &Request| !req.headers.contains_key("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicedesk_plus/request.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("authtoken", "TECHKEY-1")], &settings);
    let ticket = ServiceDeskPlus.get_ticket(&api, &ticket("201")).await.expect("ticket");
    assert_eq!(ticket.subject, "Test request");
    assert_eq!(ticket.description, "Outlook keeps crashing on start\nSince the update & reboot.");
    assert_eq!(ticket.status.as_deref(), Some("Open"));
    assert_eq!(ticket.priority, Priority::Medium);
    assert_eq!(ticket.requester.as_deref(), Some("john@example.com"));
    assert_eq!(ticket.created_at.map(|t| t.timestamp_millis()), Some(1_659_514_299_775));
    assert_eq!(ticket.resolution, None, "an open request has no resolution");
}

#[tokio::test]
async fn get_ticket_reads_the_resolution_content_as_text() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/requests/201"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicedesk_plus/request_resolved.json")))
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("authtoken", "TECHKEY-1")], &settings);
    let ticket = ServiceDeskPlus.get_ticket(&api, &ticket("201")).await.expect("ticket");
    assert_eq!(
        ticket.resolution.as_deref(),
        Some("Repaired the Office installation from Apps & features.\nOutlook starts again.")
    );
    assert_eq!(ticket.status.as_deref(), Some("Resolved"));
}

#[tokio::test]
async fn get_ticket_cloud_with_zoho_oauth_under_a_portal_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/app/itdesk/api/v3/requests/201"))
        .and(header("accept", ACCEPT_V3))
        .and(header("authorization", "Zoho-oauthtoken 1000.abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicedesk_plus/request.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &format!("{}/app/itdesk", server.uri()), &[("oauth_token", "1000.abc")], &settings);
    assert!(ServiceDeskPlus.get_ticket(&api, &ticket("201")).await.is_ok());
}

#[tokio::test]
async fn error_inside_http_200_is_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/requests/999"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicedesk_plus/error_in_200.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("authtoken", "k")], &settings);
    let err = ServiceDeskPlus.get_ticket(&api, &ticket("999")).await.expect_err("rejected");
    assert!(matches!(&err, ToolError::Rejected { code, message } if code == "4007" && message == "Invalid request id"));
    assert_eq!(err.disposition(), Disposition::Permanent);
}

#[tokio::test]
async fn http_errors_keep_their_class() {
    let server = MockServer::start().await;
    Mock::given(path("/api/v3/requests/401"))
        .respond_with(ResponseTemplate::new(401).set_body_json(fixture_json("servicedesk_plus/error_in_200.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/v3/requests/500")).respond_with(ResponseTemplate::new(500)).expect(3).mount(&server).await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("authtoken", "k")], &settings);
    let err = ServiceDeskPlus.get_ticket(&api, &ticket("401")).await.expect_err("401");
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.disposition(), Disposition::Permanent);
    let err = ServiceDeskPlus.get_ticket(&api, &ticket("500")).await.expect_err("500");
    assert!(err.disposition().is_transient());
}

#[tokio::test]
async fn missing_credentials_are_permanent() {
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, "https://sdp.example.com", &[], &settings);
    let err = ServiceDeskPlus.get_ticket(&api, &ticket("1")).await.expect_err("no credentials");
    assert!(matches!(err, ToolError::Credentials(_)));
    assert_eq!(err.disposition(), Disposition::Permanent);
}

#[tokio::test]
async fn post_note_as_private_form_encoded_input_data() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v3/requests/201/notes"))
        .and(header("accept", ACCEPT_V3))
        .and(header("authtoken", "k"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(|req: &Request| {
            input_data(req).is_some_and(|data| {
                let note = &data["request_note"];
                note["show_to_requester"] == false
                    && note["notify_technician"] == false
                    && note["description"].as_str().is_some_and(|html| html.contains(MARKER))
            })
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicedesk_plus/note_created.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("authtoken", "k")], &settings);
    let note_ref = ServiceDeskPlus.post_note(&api, &ticket("201"), &note()).await.expect("posted");
    assert_eq!(note_ref.0, "23");
}

#[tokio::test]
async fn post_note_falls_back_to_the_on_prem_note_wrapper_once() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v3/requests/201/notes"))
        .and(|req: &Request| input_data(req).is_some_and(|data| data.get("request_note").is_some()))
        .respond_with(ResponseTemplate::new(400).set_body_json(fixture_json("servicedesk_plus/error_in_200.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/v3/requests/201/notes"))
        .and(|req: &Request| input_data(req).is_some_and(|data| data["note"]["show_to_requester"] == false))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "response_status": {"status_code": 2000, "status": "success"},
            "note": {"id": "31"}
        })))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("authtoken", "k")], &settings);
    let note_ref = ServiceDeskPlus.post_note(&api, &ticket("201"), &note()).await.expect("posted");
    assert_eq!(note_ref.0, "31");
}

#[tokio::test]
async fn post_note_is_not_retried_on_5xx() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).expect(1).mount(&server).await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("authtoken", "k")], &settings);
    let err = ServiceDeskPlus.post_note(&api, &ticket("201"), &note()).await.expect_err("503");
    assert!(err.disposition().is_transient());
}

#[tokio::test]
async fn find_note_lists_the_request_notes() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/v3/requests/201/notes"))
        .and(header("accept", ACCEPT_V3))
        .and(|req: &Request| {
            req.url.query_pairs().any(|(key, value)| {
                key == "input_data"
                    && serde_json::from_str::<Value>(&value)
                        .is_ok_and(|v| v["list_info"]["row_count"] == 100 && v["list_info"]["start_index"] == 1)
            })
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicedesk_plus/notes_list.json")))
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::default();
    let api = api(&http, &server.uri(), &[("authtoken", "k")], &settings);
    let found = ServiceDeskPlus.find_note(&api, &ticket("201"), MARKER).await.expect("listed");
    assert_eq!(found.map(|n| n.0).as_deref(), Some("23"));
    let missing = ServiceDeskPlus.find_note(&api, &ticket("201"), "ticket-enhancer:nope").await.expect("listed");
    assert!(missing.is_none());
}
