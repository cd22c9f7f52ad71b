//! The Table API on wiremock with Basic auth: fetch by sys_id and by number, the work-note PATCH and its
//! journal check, `find_note` through `sys_journal_field` with paging, and the error classes.

use std::time::Duration;

use super::*;

fn settings() -> TenantSettings {
    TenantSettings::default()
}

#[tokio::test]
async fn get_ticket_by_sys_id() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/now/table/incident/{SYS_ID}")))
        .and(header("authorization", BASIC_HEADER))
        .and(header("accept", "application/json"))
        .and(query_param("sysparm_display_value", "false"))
        .and(|req: &Request| {
            query(req, "sysparm_fields").is_some_and(|fields| {
                fields.split(',').any(|f| f == "caller_id.email") && fields.split(',').any(|f| f == "close_notes")
            })
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/incident.json")))
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let ticket = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect("ticket");
    assert_eq!(ticket.id.as_str(), SYS_ID);
    assert_eq!(ticket.subject, "Can't read email");
    assert_eq!(ticket.description, "User can't access email on mail.company.com.");
    assert_eq!(ticket.priority, Priority::Critical);
    assert_eq!(ticket.status.as_deref(), Some("In Progress"));
    assert_eq!(ticket.requester.as_deref(), Some("fred.luddy@example.com"));
    assert_eq!(ticket.created_at.map(|t| t.to_rfc3339()).as_deref(), Some("2014-12-09T23:09:51+00:00"));
    assert_eq!(ticket.updated_at.map(|t| t.to_rfc3339()).as_deref(), Some("2021-02-26T00:53:54+00:00"));
    assert_eq!(ticket.url, Some(format!("{}/incident.do?sys_id={SYS_ID}", server.uri())));
    assert_eq!(ticket.resolution, None, "empty close notes are no resolution");
}

#[tokio::test]
async fn a_resolved_incident_brings_its_close_notes() {
    let server = MockServer::start().await;
    mount_api(&server, "servicenow/incident_resolved.json").await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let ticket = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect("ticket");
    assert_eq!(ticket.resolution.as_deref(), Some("Mailbox was over quota; archived old items."));
    assert_eq!(ticket.status.as_deref(), Some("Resolved"));
    assert_eq!(ticket.requester, None, "an empty caller is no requester");
}

#[tokio::test]
async fn get_ticket_by_number_queries_the_table() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/incident"))
        .and(header("authorization", BASIC_HEADER))
        .and(query_param("sysparm_query", format!("number={NUMBER}")))
        .and(query_param("sysparm_limit", "1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/incident_by_number.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/incident"))
        .and(query_param("sysparm_query", "number=INC0099999"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/empty_result.json")))
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let found = ServiceNow.get_ticket(&api, &ticket(NUMBER)).await.expect("ticket");
    assert_eq!(found.id.as_str(), NUMBER);
    assert_eq!(found.url, Some(format!("{}/incident.do?sys_id={SYS_ID}", server.uri())));
    let err = ServiceNow.get_ticket(&api, &ticket("INC0099999")).await.expect_err("no such number");
    assert_eq!((err.status(), err.disposition()), (Some(404), Disposition::Permanent));
    // A number that would add query conditions is never sent.
    let err = ServiceNow.get_ticket(&api, &ticket("INC1^ORactive=true")).await.expect_err("refused");
    assert!(matches!(err, ToolError::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn the_tenants_table_is_used() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/now/table/u_it_request/{SYS_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/incident.json")))
        .expect(1)
        .mount(&server)
        .await;
    let http = fast_http();
    let settings = TenantSettings::from_json(json!({"servicenow": {"table": "u_it_request"}})).expect("settings");
    let api = api(&http, &server.uri(), BASIC, &settings);
    let ticket = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect("ticket");
    assert_eq!(ticket.status.as_deref(), Some("2"), "only incident states have known labels");
    assert_eq!(ticket.url, Some(format!("{}/u_it_request.do?sys_id={SYS_ID}", server.uri())));
}

/// The PATCH body, when it is JSON with only `work_notes`.
fn work_notes_of(req: &Request) -> Option<String> {
    let body: Value = serde_json::from_slice(&req.body).ok()?;
    let object = body.as_object()?;
    (object.len() == 1).then(|| object.get("work_notes")?.as_str().map(str::to_owned)).flatten()
}

#[tokio::test]
async fn post_note_patches_work_notes_and_returns_the_journal_entry() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/api/now/table/incident/{SYS_ID}")))
        .and(header("authorization", BASIC_HEADER))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .and(|req: &Request| {
            work_notes_of(req)
                .is_some_and(|text| text.ends_with(&format!("\n\n{MARKER}")) && text.contains("AI triage"))
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/patched.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/sys_journal_field"))
        .and(header("authorization", BASIC_HEADER))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/journal_work_note.json")))
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let note_ref = ServiceNow.post_note(&api, &ticket(SYS_ID), &note()).await.expect("posted");
    assert_eq!(note_ref.0, "a1b2c3d4e5f60718293a4b5c6d7e8f90");
    let requests = server.received_requests().await.expect("recorded");
    assert!(requests.iter().all(|req| !String::from_utf8_lossy(&req.body).contains("\"comments\"")));
}

#[tokio::test]
async fn post_note_in_html_wraps_the_note_in_code_tags() {
    let server = MockServer::start().await;
    mount_api(&server, "servicenow/incident.json").await;
    let http = fast_http();
    let settings = TenantSettings::from_json(json!({"servicenow": {"note_format": "html"}})).expect("settings");
    let api = api(&http, &server.uri(), BASIC, &settings);
    ServiceNow.post_note(&api, &ticket(SYS_ID), &note()).await.expect("posted");
    let requests = server.received_requests().await.expect("recorded");
    let text = requests.iter().find_map(work_notes_of).expect("the PATCH");
    assert!(text.starts_with("[code]<p><strong>AI triage</strong></p>"), "{text}");
    assert!(text.ends_with(&format!("<p><small>{MARKER}</small></p>[/code]")), "{text}");
}

#[tokio::test]
async fn post_note_by_number_resolves_the_sys_id_first() {
    let server = MockServer::start().await;
    mount_api(&server, "servicenow/incident.json").await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/incident"))
        .and(query_param("sysparm_query", format!("number={NUMBER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/incident_by_number.json")))
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    assert!(ServiceNow.post_note(&api, &ticket(NUMBER), &note()).await.is_ok());
    let requests = server.received_requests().await.expect("recorded");
    let patch = requests.iter().find(|req| req.method.as_str() == "PATCH").expect("a PATCH");
    assert_eq!(patch.url.path(), format!("/api/now/table/incident/{SYS_ID}"));
}

#[tokio::test]
async fn a_work_note_the_instance_dropped_is_a_permanent_error() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/patched.json")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/sys_journal_field"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/empty_result.json")))
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let err = ServiceNow.post_note(&api, &ticket(SYS_ID), &note()).await.expect_err("dropped");
    assert!(matches!(&err, ToolError::Rejected { code, .. } if code == "work_notes_not_written"), "{err:?}");
    assert_eq!(err.disposition(), Disposition::Permanent);
}

#[tokio::test]
async fn post_note_is_not_retried_on_5xx() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(503)).expect(1).mount(&server).await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let err = ServiceNow.post_note(&api, &ticket(SYS_ID), &note()).await.expect_err("503");
    assert!(err.disposition().is_transient());
}

/// `n` journal entries of the record that are not our note.
fn other_entries(n: usize) -> Value {
    let entries: Vec<Value> = (0..n)
        .map(|i| {
            json!({"sys_id": format!("{i:032x}"), "element": "work_notes", "element_id": SYS_ID,
                        "value": format!("a technician's note {i}")})
        })
        .collect();
    json!({ "result": entries })
}

#[tokio::test]
async fn find_note_pages_through_the_journal() {
    let server = MockServer::start().await;
    let expected_query =
        format!("name=incident^element_id={SYS_ID}^element=work_notes^valueLIKE{MARKER}^ORDERBYDESCsys_created_on");
    Mock::given(method("GET"))
        .and(path("/api/now/table/sys_journal_field"))
        .and(header("authorization", BASIC_HEADER))
        .and(query_param("sysparm_query", expected_query.as_str()))
        .and(query_param("sysparm_limit", "100"))
        .and(query_param("sysparm_offset", "0"))
        .respond_with(ResponseTemplate::new(200).set_body_json(other_entries(100)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/sys_journal_field"))
        .and(query_param("sysparm_offset", "100"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/journal_work_note.json")))
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let found = ServiceNow.find_note(&api, &ticket(SYS_ID), MARKER).await.expect("listed");
    assert_eq!(found.map(|n| n.0).as_deref(), Some("a1b2c3d4e5f60718293a4b5c6d7e8f90"));
}

#[tokio::test]
async fn find_note_stops_at_a_short_page_and_ignores_comments() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/now/table/sys_journal_field"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("servicenow/journal_comment_only.json")))
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let found = ServiceNow.find_note(&api, &ticket(SYS_ID), MARKER).await.expect("listed");
    assert_eq!(found, None, "a customer-visible comment quoting the marker is not our note");
}

#[tokio::test]
async fn http_errors_keep_their_class() {
    let server = MockServer::start().await;
    let not_found = fixture_json("servicenow/error_not_found.json");
    let record = |status: u16| format!("/api/now/table/incident/{status:0>32}");
    Mock::given(path(record(401))).respond_with(ResponseTemplate::new(401)).expect(1).mount(&server).await;
    Mock::given(path(record(403))).respond_with(ResponseTemplate::new(403)).expect(1).mount(&server).await;
    Mock::given(path(record(404)))
        .respond_with(ResponseTemplate::new(404).set_body_json(not_found))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path(record(500))).respond_with(ResponseTemplate::new(500)).expect(3).mount(&server).await;
    Mock::given(path(record(429)))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let get = |status: u16| {
        let api = api.clone();
        async move { ServiceNow.get_ticket(&api, &ticket(&format!("{status:0>32}"))).await.expect_err("error") }
    };
    for status in [401, 403, 404] {
        let err = get(status).await;
        assert_eq!((err.status(), err.disposition()), (Some(status), Disposition::Permanent));
    }
    let err = get(404).await.to_string();
    assert!(err.contains("No Record found"), "{err}");
    assert!(get(500).await.disposition().is_transient());
    let limited = get(429).await;
    assert_eq!(limited.disposition(), Disposition::Transient { retry_after: Some(Duration::from_secs(7)) });
}

#[tokio::test]
async fn a_429_without_retry_after_waits_for_the_rate_limit_reset() {
    let server = MockServer::start().await;
    let reset = chrono::Utc::now().timestamp() + 120;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ratelimit-limit", "100")
                .insert_header("x-ratelimit-reset", reset.to_string().as_str())
                .insert_header("x-ratelimit-rule", "d625dccec0a8016700a222a0f7900d06"),
        )
        // 120 s is more than the client waits in-process: one attempt, the hint travels on the error.
        .expect(1)
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let err = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect_err("429");
    let wait = err.retry_after().expect("a hint from X-RateLimit-Reset");
    assert!((Duration::from_secs(115)..=Duration::from_secs(120)).contains(&wait), "{wait:?}");
    assert!(err.disposition().is_transient());
}

#[tokio::test]
async fn malformed_answers_are_permanent() {
    let server = MockServer::start().await;
    Mock::given(path(format!("/api/now/table/incident/{SYS_ID}")))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
        .mount(&server)
        .await;
    Mock::given(path("/api/now/table/sys_journal_field"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"records": []})))
        .mount(&server)
        .await;
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, &server.uri(), BASIC, &settings);
    let err = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect_err("html");
    assert!(matches!(err, ToolError::Malformed(_)), "{err:?}");
    let err = ServiceNow.find_note(&api, &ticket(SYS_ID), MARKER).await.expect_err("no result");
    assert!(matches!(err, ToolError::Malformed(_)), "{err:?}");
    assert_eq!(err.disposition(), Disposition::Permanent);
}

#[tokio::test]
async fn missing_credentials_are_permanent() {
    let (http, settings) = (fast_http(), settings());
    let api = api(&http, "https://dev12345.service-now.com", &[("username", "only")], &settings);
    let err = ServiceNow.get_ticket(&api, &ticket(SYS_ID)).await.expect_err("no password");
    assert!(matches!(err, ToolError::Credentials(_)), "{err:?}");
    assert_eq!(err.disposition(), Disposition::Permanent);
}
