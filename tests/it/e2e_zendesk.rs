//! Zendesk end to end: a webhook signed the way Zendesk signs (timestamp + body) through the real ingest,
//! RabbitMQ and a worker to exactly one private comment on the fake tool's Zendesk API; its redelivery and
//! our own note coming back post nothing more; and bad input is refused with nothing enqueued.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::TestDb;
use enhancer_tests::fake_tool::{Recording, ZENDESK_BOT_ID};
use enhancer_tests::ingest::TestIngest;
use enhancer_tests::signing::{zendesk_headers, zendesk_timestamp};
use enhancer_tests::stack::LocalStack;
use enhancer_tests::worker::wait_for_status;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const SECRET: &str = "zd-signing-secret-0123456789";
const WITHIN: Duration = Duration::from_secs(30);

struct Zendesk {
    // Fields drop in order: the stack (ingest, its queues) before the database.
    stack: LocalStack,
    db: TestDb,
}

async fn start() -> Zendesk {
    let db = TestDb::migrated().await;
    let prefix = enhancer_tests::broker::unique_prefix();
    let env = [
        ("ENHANCER_QUEUE__PREFIX", prefix.as_str()),
        ("ENHANCER_WORKER__CONCURRENCY", "4"),
        ("ENHANCER_WORKER__ID", "zendesk-e2e"),
        ("ENHANCER_OUTBOUND__REQUEST_TIMEOUT_SECS", "5"),
        // The fake tool listens on loopback, which the outbound policy refuses by default.
        ("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS", "true"),
    ];
    let stack = LocalStack::start(db.config_with(&env), Recording::Full).await.expect("the local stack starts");
    let secrets = format!(
        r#"{{"webhook_secret": "{SECRET}", "credentials": {{"email": "bot@example.com", "api_token": "zd-token"}}}}"#
    );
    let settings =
        TenantSettings { integration_account_id: Some(ZENDESK_BOT_ID.to_string()), ..TenantSettings::default() };
    stack.add_tenant(&db.pool, "zd", ToolKind::Zendesk, &secrets, settings).await.expect("tenant");
    Zendesk { stack, db }
}

/// A `zen:event-type:ticket.created` event subscription payload.
fn created(ticket: &str, event_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "account_id": 22129848,
        "detail": {"actor_id": "8447388090494", "id": ticket, "priority": "HIGH", "requester_id": "8447388090494",
                   "status": "NEW", "subject": "VPN drops every 10 minutes", "type": "INCIDENT",
                   "created_at": "2026-11-25T11:58:00Z", "updated_at": "2026-11-25T11:58:00Z", "is_public": true},
        "event": {},
        "id": event_id,
        "subject": format!("zen:ticket:{ticket}"),
        "time": "2026-11-25T11:58:00.123456789Z",
        "type": "zen:event-type:ticket.created",
        "zendesk_event_version": "2022-11-06"
    }))
    .expect("json")
}

async fn post(ingest: &TestIngest, body: &[u8], headers: &[(String, String)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(ingest.url("/webhooks/zd"))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    request.send().await.expect("request")
}

fn signed(body: &[u8], invocation_id: &str) -> Headers {
    let mut headers = zendesk_headers(SECRET, &zendesk_timestamp(0), body);
    headers.push(("X-Zendesk-Webhook-Invocation-Id".into(), invocation_id.into()));
    headers
}

/// Request headers as name/value pairs.
type Headers = Vec<(String, String)>;

/// Signed in the legacy documentation's order, body + timestamp, which Zendesk no longer uses.
fn legacy_order(timestamp: &str, body: &[u8]) -> Headers {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("any key length");
    mac.update(body);
    mac.update(timestamp.as_bytes());
    vec![
        ("X-Zendesk-Webhook-Signature".to_owned(), STANDARD.encode(mac.finalize().into_bytes())),
        ("X-Zendesk-Webhook-Signature-Timestamp".to_owned(), timestamp.to_owned()),
    ]
}

#[tokio::test]
async fn a_signed_event_becomes_exactly_one_private_comment() {
    let zd = start().await;
    let worker = zd.stack.start_worker().await;
    let body = created("4711", "cbe4028c-7239-495d-b020-f22348516046");
    let response = post(&zd.stack.ingest, &body, &signed(&body, "8350205582")).await;
    assert_eq!(response.status(), 202);

    let row = wait_for_status(&zd.db.pool, "zd", "4711", "completed", WITHIN).await;
    let notes = zd.stack.tool.notes_for("4711");
    assert_eq!(notes.len(), 1);
    let comment = &notes[0].body["ticket"]["comment"];
    assert_eq!(comment["public"], false, "an internal note, never shown to the requester");
    let html = comment["html_body"].as_str().expect("html body");
    let marker = format!("ticket-enhancer:{}", row.job_id);
    assert!(html.contains(&format!("<p><small>{marker}</small></p>")), "{html}");
    assert!(html.contains("<h2>"), "rendered to HTML: {html}");
    assert_eq!(row.note_ref.as_deref(), Some(notes[0].id.to_string().as_str()));

    // Zendesk redelivers the event (a new invocation id, the same signed event id): a duplicate.
    let again = post(&zd.stack.ingest, &body, &signed(&body, "8350205999")).await;
    assert_eq!(again.status(), 200);
    let again: Value = again.json().await.expect("json");
    assert_eq!(again["status"], "duplicate");

    // Our note comes back as a comment_added event by the integration account: ignored.
    let ours = serde_json::to_vec(&json!({
        "detail": {"actor_id": ZENDESK_BOT_ID.to_string(), "id": "4711", "priority": "HIGH"},
        "event": {"comment": {"id": notes[0].id.to_string(), "html_body": html, "is_public": false,
                              "author": {"id": ZENDESK_BOT_ID.to_string(), "is_staff": true, "name": "Bot"}}},
        "id": "0b7d2a4e-5c6f-4a8b-9c0d-1e2f3a4b5c6d",
        "subject": "zen:ticket:4711",
        "time": "2026-11-25T12:00:05.000000000Z",
        "type": "zen:event-type:ticket.comment_added"
    }))
    .expect("json");
    let answer: Value = post(&zd.stack.ingest, &ours, &signed(&ours, "8350206000")).await.json().await.expect("json");
    assert_eq!(answer["status"], "ignored", "{answer}");
    assert_eq!(zd.stack.ingest.jobs_ready().await, 0, "nothing enqueued for the duplicate or our own note");

    worker.stop().await;
    assert_eq!(zd.stack.tool.notes_for("4711").len(), 1, "one note, whatever came back");
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_queued() {
    let zd = start().await;
    let ingest = &zd.stack.ingest;
    let body = created("4712", "6f0d6c7e-1a2b-4c3d-8e9f-0a1b2c3d4e5f");

    // Malformed, but signed: 400.
    let malformed = br#"{"type": "zen:event-type:ticket.created", "detail": {}}"#;
    let response = post(ingest, malformed, &signed(malformed, "1")).await;
    assert_eq!(response.status(), 400);
    // A valid event type we do not handle: 200 ignored, so Zendesk does not retry it.
    let tags = serde_json::to_vec(&json!({"type": "zen:event-type:ticket.tags_changed", "id": "e-2",
        "detail": {"id": "4712"}}))
    .expect("json");
    let response = post(ingest, &tags, &signed(&tags, "2")).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["status"], "ignored");

    // Every failed check gets the same 401.
    let now = zendesk_timestamp(0);
    let good = zendesk_headers(SECRET, &now, &body);
    let mut tampered = body.clone();
    tampered[12] ^= 0x01;
    let legacy = legacy_order(&now, &body);
    let cases: Vec<(&str, &[u8], Headers)> = vec![
        ("wrong secret", &body, zendesk_headers("another-secret", &now, &body)),
        ("changed body", &tampered, good.clone()),
        ("stale timestamp", &body, zendesk_headers(SECRET, &zendesk_timestamp(-3600), &body)),
        ("future timestamp", &body, zendesk_headers(SECRET, &zendesk_timestamp(3600), &body)),
        ("missing timestamp", &body, vec![good[0].clone()]),
        ("missing signature", &body, vec![good[1].clone()]),
        ("no headers", &body, Vec::new()),
        ("legacy order", &body, legacy),
    ];
    for (what, payload, headers) in cases {
        let response = post(ingest, payload, &headers).await;
        assert_eq!(response.status(), 401, "{what}");
        assert_eq!(response.text().await.expect("body"), r#"{"error":"unauthorized"}"#, "{what}");
    }
    assert_eq!(ingest.jobs_ready().await, 0, "nothing enqueued for any bad input");

    // The same request correctly signed is accepted: the refusals were about the signature alone.
    let response = post(ingest, &body, &signed(&body, "3")).await;
    assert_eq!(response.status(), 202);
    ingest.take_job().await.expect("the accepted job");
    assert_eq!(zd.stack.tool.note_count(), 0);
}

#[tokio::test]
async fn tenant_add_checks_zendesk_credentials() {
    let db = TestDb::migrated().await;
    let add = |id: &'static str| {
        ["tenant", "add", "--id", id, "--name", id, "--tool", "zendesk", "--base-url", "https://acme.zendesk.com"]
            .into_iter()
            .chain(["--secrets-file", "-"])
            .collect::<Vec<_>>()
    };
    let token =
        r#"{"webhook_secret": "zendesk-signing-secret", "credentials": {"email": "bot@acme.com", "api_token": "t"}}"#;
    let oauth = r#"{"webhook_secret": "zendesk-signing-secret", "credentials": {"oauth_token": "o"}}"#;
    for (id, secrets) in [("zd-token", token), ("zd-oauth", oauth)] {
        let run = enhancer_tests::run_cli(&db.config(), &add(id), secrets).await;
        assert!(run.ok().contains(&format!("tenant {id} added")), "{}", run.ok());
    }
    let typo = r#"{"webhook_secret": "zendesk-signing-secret", "credentials": {"email": "bot@acme.com", "token": "zd-secret-value"}}"#;
    let run = enhancer_tests::run_cli(&db.config(), &add("zd-typo"), typo).await;
    assert!(run.err().contains("unknown key \"token\"") && !run.err().contains("zd-secret-value"), "{}", run.err());
}
