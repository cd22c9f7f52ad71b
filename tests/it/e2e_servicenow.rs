//! ServiceNow end to end: the published Business Rule's request, signed now, through the real ingest,
//! RabbitMQ and a worker, to exactly one work note on the fake tool's Table API; a redelivery and our own note
//! coming back post nothing more; bad input is refused with nothing queued.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::worker::wait_for_status;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::worker_e2e::{Pipeline, pipeline};

const SECRET: &str = "sn-webhook-secret-1";
const SYS_ID: &str = "9c573169c611228700193229fff72400";
const TOKEN_HEADER: &str = "X-Enhancer-Token";
const WITHIN: Duration = Duration::from_secs(30);

/// The body the Business Rule produced under Node for `scenario` (its signature was for another time).
fn business_rule_body(scenario: &str) -> Vec<u8> {
    let path = format!("{}/../plugins/tests/fixtures/servicenow/br_{scenario}.json", env!("CARGO_MANIFEST_DIR"));
    let output: Value = serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("json");
    output["body"].as_str().expect("body").as_bytes().to_vec()
}

/// Request headers as (name, value) pairs.
type Headers = Vec<(&'static str, String)>;

/// `X-SN-Timestamp` and `X-SN-Signature` for `body` at `timestamp`, as the Business Rule computes them.
fn signature_headers(secret: &str, timestamp: i64, body: &[u8]) -> Headers {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    vec![("X-SN-Timestamp", timestamp.to_string()), ("X-SN-Signature", STANDARD.encode(mac.finalize().into_bytes()))]
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

async fn post(p: &Pipeline, tenant: &str, body: &[u8], headers: &[(&str, String)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(p.ingest_url(&format!("/webhooks/{tenant}")))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.expect("request")
}

async fn post_signed(p: &Pipeline, body: &[u8]) -> reqwest::Response {
    post(p, "sn", body, &signature_headers(SECRET, now(), body)).await
}

/// The shared pipeline plus two ServiceNow tenants on the fake tool: `sn` (signatures, Basic auth) and
/// `sn-token` (token mode).
async fn servicenow_pipeline() -> Pipeline {
    let p = pipeline(&[]).await;
    let secrets = json!({"webhook_secret": SECRET, "credentials": {"username": "enhancer.bot", "password": "pw"}});
    let settings = TenantSettings::from_json(json!({"integration_account_id": "enhancer.bot"})).expect("settings");
    p.stack.add_tenant(&p.db.pool, "sn", ToolKind::ServiceNow, &secrets.to_string(), settings).await.expect("sn");
    let token_mode = TenantSettings::from_json(json!({"secret_header": TOKEN_HEADER})).expect("settings");
    p.stack
        .add_tenant(&p.db.pool, "sn-token", ToolKind::ServiceNow, &secrets.to_string(), token_mode)
        .await
        .expect("sn-token");
    p
}

async fn status_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_signed_business_rule_webhook_becomes_exactly_one_work_note() {
    let p = servicenow_pipeline().await;
    let worker = p.start_worker().await;
    let body = business_rule_body("created");
    assert_eq!(post_signed(&p, &body).await.status(), 202);
    let row = wait_for_status(&p.db.pool, "sn", SYS_ID, "completed", WITHIN).await;

    let notes = p.tool.notes_for(SYS_ID);
    assert_eq!(notes.len(), 1);
    let marker = format!("ticket-enhancer:{}", row.job_id);
    let stored = notes[0].body.as_object().expect("the PATCH body");
    assert_eq!(stored.keys().collect::<Vec<_>>(), ["work_notes"], "internal work notes only, never comments");
    let text = stored["work_notes"].as_str().expect("text");
    assert!(text.ends_with(&format!("\n\n{marker}")), "{text}");
    assert!(!text.contains("<p>"), "plain text is the default format: {text}");
    assert_eq!(row.note_ref, Some(format!("{:032x}", notes[0].id)), "the journal entry is the note's reference");

    // ServiceNow sends the same change again (same sys_id and sys_mod_count), freshly signed.
    let (status, answer) = status_of(post_signed(&p, &body).await).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("duplicate")));
    // Our own work note fires the rule again, as the integration user and with the marker.
    let (status, answer) = status_of(post_signed(&p, &business_rule_body("updated_by_integration")).await).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("ignored")));

    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(p.tool.notes_for(SYS_ID).len(), 1, "no second note");
    assert_eq!(p.ingest.jobs_ready().await, 0);
    worker.stop().await;
}

#[tokio::test]
async fn bad_servicenow_webhooks_are_refused_and_nothing_is_queued() {
    let p = servicenow_pipeline().await;
    for body in [&b"not json"[..], br#"{"event": "incident.created", "table": "incident"}"#] {
        let (status, answer) = status_of(post_signed(&p, body).await).await;
        assert_eq!((status, answer["error"].as_str()), (400, Some("malformed_payload")), "{answer}");
    }
    let deleted = json!({"event": "incident.deleted", "table": "incident", "sys_id": SYS_ID}).to_string();
    let (status, answer) = status_of(post_signed(&p, deleted.as_bytes()).await).await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("ignored")));

    let body = business_rule_body("created");
    let mut changed = body.clone();
    changed[20] ^= 0x01;
    let signed = signature_headers(SECRET, now(), &body);
    let cases: Vec<(&str, &[u8], Headers)> = vec![
        ("sn", &body, signature_headers("another-secret", now(), &body)),
        ("sn", &changed, signed.clone()),
        ("sn", &body, vec![signed[1].clone()]),
        ("sn", &body, vec![signed[0].clone()]),
        ("sn", &body, signature_headers(SECRET, now() - 3600, &body)),
        ("sn", &body, vec![(TOKEN_HEADER, SECRET.to_owned())]),
        ("sn-token", &body, vec![(TOKEN_HEADER, "not-the-secret".to_owned())]),
        ("sn-token", &body, signed.clone()),
    ];
    for (n, (tenant, payload, headers)) in cases.into_iter().enumerate() {
        let response = post(&p, tenant, payload, &headers).await;
        assert_eq!(response.status(), 401, "case {n}");
        assert_eq!(response.text().await.expect("body"), r#"{"error":"unauthorized"}"#, "case {n}");
    }
    assert_eq!(p.ingest.jobs_ready().await, 0, "nothing was queued");
}

#[tokio::test]
async fn a_token_mode_tenant_accepts_its_token() {
    let p = servicenow_pipeline().await;
    let body = business_rule_body("created");
    let response = post(&p, "sn-token", &body, &[(TOKEN_HEADER, SECRET.to_owned())]).await;
    assert_eq!(response.status(), 202);
    let (job, _) = p.ingest.take_job().await.expect("the job");
    assert_eq!(job.tool, ToolKind::ServiceNow);
    assert_eq!(job.event.ticket_id.as_str(), SYS_ID);
    assert_eq!(job.idempotency_key, format!("{SYS_ID}:0"));
    assert!(p.ingest.take_job().await.is_none());
}
