//! Freshservice end to end: a webhook as the Workflow Automator sends it (the published template, the
//! secret in a custom header or as Basic credentials) through the real ingest, RabbitMQ and a worker to
//! exactly one private note on the fake tool's Freshservice API; redeliveries and a crash after the post
//! add none; and bad input refused by ingest with nothing queued.

use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::TestDb;
use enhancer_tests::fake_tool::{FRESHSERVICE_PREFIX, Recording};
use enhancer_tests::ingest::TestIngest;
use enhancer_tests::stack::LocalStack;
use enhancer_tests::worker::{TestWorker, eventually, history_for, wait_for_status};
use serde_json::{Value, json};

const TENANT: &str = "fresh";
const SECRET: &str = "fs-e2e-webhook-secret";
const WITHIN: Duration = Duration::from_secs(30);

fn secrets() -> String {
    format!(r#"{{"webhook_secret": "{SECRET}", "credentials": {{"api_key": "fs-e2e-api-key"}}}}"#)
}

fn settings() -> TenantSettings {
    TenantSettings { integration_account_id: Some("enhancer-bot@example.com".into()), ..TenantSettings::default() }
}

/// The published template, rendered by Freshservice for a new ticket.
fn created(ticket_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "event": "ticket_created",
        "ticket_id": ticket_id,
        "display_id": format!("INC-{ticket_id}"),
        "subject": "VPN drops every 10 minutes",
        "priority": "3",
    }))
    .expect("json")
}

/// The database, the stack and a worker configuration for one Freshservice tenant on the fake tool. Fields
/// drop in order: the stack (ingest, its queues) before the database.
struct Setup {
    stack: LocalStack,
    worker_config: enhancer_shared::config::Config,
    db: TestDb,
}

async fn setup() -> Setup {
    let db = TestDb::migrated().await;
    let prefix = enhancer_tests::broker::unique_prefix();
    let env = [
        ("ENHANCER_QUEUE__PREFIX", prefix.as_str()),
        ("ENHANCER_WORKER__ID", "test-worker"),
        ("ENHANCER_OUTBOUND__REQUEST_TIMEOUT_SECS", "5"),
        // The fake tool listens on loopback, which the outbound policy refuses by default.
        ("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS", "true"),
    ];
    let config = db.config_with(&env);
    let stack = LocalStack::start(config.clone(), Recording::Full).await.expect("the local stack starts");
    stack
        .add_tenant_at(&db.pool, TENANT, ToolKind::Freshservice, FRESHSERVICE_PREFIX, &secrets(), settings())
        .await
        .expect("tenant");
    Setup { stack, worker_config: config, db }
}

async fn post(ingest: &TestIngest, body: &[u8], headers: &[(&str, String)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(ingest.url(&format!("/webhooks/{TENANT}")))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.expect("request")
}

fn secret_header(value: &str) -> Vec<(&'static str, String)> {
    vec![("X-Enhancer-Secret", value.to_owned())]
}

fn basic(user: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![("Authorization", format!("Basic {}", STANDARD.encode(format!("{user}:{password}"))))]
}

/// The one note on `ticket`, checked to be a private Freshservice note carrying the job's marker.
async fn the_private_note(s: &Setup, ticket: &str) {
    let row = wait_for_status(&s.db.pool, TENANT, ticket, "completed", WITHIN).await;
    let notes = s.stack.tool.notes_for(ticket);
    assert_eq!(notes.len(), 1, "exactly one note on {ticket}");
    let note = &notes[0].body;
    assert_eq!(note["private"], true, "the note is private, never visible to the requester");
    let marker = format!("ticket-enhancer:{}", row.job_id);
    let html = note["body"].as_str().expect("an HTML body");
    assert!(html.ends_with(&format!("<p><small>{marker}</small></p>")), "{html}");
    assert!(html.contains("<h2>Summary</h2>"), "{html}");
    assert_eq!(row.note_ref.as_deref(), Some(notes[0].id.to_string().as_str()));
}

#[tokio::test]
async fn one_webhook_becomes_one_private_note_and_its_redelivery_none() {
    let s = setup().await;
    let worker = TestWorker::spawn(&s.worker_config).await;

    let body = created("242");
    let accepted = post(&s.stack.ingest, &body, &secret_header(SECRET)).await;
    assert_eq!(accepted.status(), 202);
    let job_id = accepted.json::<Value>().await.expect("json")["job_id"].clone();
    the_private_note(&s, "242").await;

    // Freshservice sends no delivery id: the same body again is the same event.
    let again = post(&s.stack.ingest, &body, &secret_header(SECRET)).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.expect("json"), json!({"job_id": job_id, "status": "duplicate"}));

    // The Basic proof works as well, for another ticket.
    let accepted = post(&s.stack.ingest, &created("243"), &basic("ticket-enhancer", SECRET)).await;
    assert_eq!(accepted.status(), 202);
    the_private_note(&s, "243").await;
    assert_eq!(s.stack.tool.notes_for("242").len(), 1, "the redelivery posted nothing");
    worker.stop().await;
}

#[tokio::test]
async fn a_worker_killed_after_posting_finds_its_note_in_the_conversations() {
    let s = setup().await;
    let first = TestWorker::spawn(&s.worker_config).await;
    first.worker.ctx.faults.crash_after_post.store(true, Ordering::SeqCst);
    assert_eq!(post(&s.stack.ingest, &created("300"), &secret_header(SECRET)).await.status(), 202);
    let tool = s.stack.tool.clone();
    eventually(WITHIN, "the note was posted", || tool.notes_for("300").len() == 1).await;
    first.stop().await;
    assert_eq!(history_for(&s.db.pool, TENANT, "300").await.expect("row").status, "running");

    let second = TestWorker::spawn(&s.worker_config).await;
    the_private_note(&s, "300").await;
    second.stop().await;
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_queued() {
    let s = setup().await;
    let ingest = &s.stack.ingest;
    let body = created("242");

    // Malformed after a valid proof: 400.
    let unexpanded = br#"{"event": "ticket_created", "ticket_id": "{{ticket.id_numeric}}"}"#;
    for payload in [&b"not json"[..], unexpanded, br#"{"event": "ticket_created", "ticket_id": "abc"}"#] {
        let response = post(ingest, payload, &secret_header(SECRET)).await;
        assert_eq!(response.status(), 400, "{}", String::from_utf8_lossy(payload));
        assert_eq!(response.json::<Value>().await.expect("json")["error"], "malformed_payload");
    }

    // An event we do not handle, and our own note coming back: 200 ignored.
    let deleted = br#"{"event": "ticket_deleted", "ticket_id": "242"}"#;
    let ours = br#"{"event": "ticket_created", "ticket_id": "242", "actor": "enhancer-bot@example.com"}"#;
    for payload in [&deleted[..], ours] {
        let response = post(ingest, payload, &secret_header(SECRET)).await;
        assert_eq!(response.status(), 200, "{}", String::from_utf8_lossy(payload));
        assert_eq!(response.json::<Value>().await.expect("json")["status"], "ignored");
    }

    // No proof, a wrong secret, wrong Basic credentials, or a right header with wrong Basic: one generic 401.
    let mut refusals = Vec::new();
    for headers in [
        vec![],
        secret_header("not-the-secret"),
        basic("ticket-enhancer", "not-the-secret"),
        basic("someone-else", SECRET),
        [secret_header(SECRET), basic("ticket-enhancer", "not-the-secret")].concat(),
    ] {
        let response = post(ingest, &body, &headers).await;
        assert_eq!(response.status(), 401, "{headers:?}");
        refusals.push(response.text().await.expect("body"));
    }
    assert!(refusals.iter().all(|b| b == r#"{"error":"unauthorized"}"#), "{refusals:?}");

    assert_eq!(ingest.jobs_ready().await, 0, "nothing was queued");
    assert!(s.stack.tool.notes().is_empty());
}
