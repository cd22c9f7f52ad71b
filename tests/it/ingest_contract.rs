//! The HTTP contract of `enhancer-ingest` (docs/DESIGN.md section 4), row by row, asserting what reached the queue
//! after each request.

use std::time::Duration;

use enhancer_shared::domain::{EventKind, ToolKind};
use enhancer_shared::queue::JobHeaders;
use enhancer_shared::tenant::{RateLimit, TenantSettings};
use enhancer_tests::TestDb;
use enhancer_tests::ingest::{TestIngest, add_tenant};
use enhancer_tests::signing::{GENERIC_SECRET, generic_created, standard_webhook_headers};
use serde_json::{Value, json};

pub fn generic_secrets() -> String {
    format!(r#"{{"webhook_secret": "{GENERIC_SECRET}", "credentials": {{}}}}"#)
}

pub async fn setup(settings: TenantSettings, extra: &[(&str, &str)]) -> (TestDb, TestIngest) {
    let db = TestDb::migrated().await;
    add_tenant(&db, "acme", ToolKind::Generic, "http://127.0.0.1:9", &generic_secrets(), settings).await;
    let ingest = TestIngest::spawn(&db, extra).await;
    (db, ingest)
}

/// Posts `body` signed as message `id`, now.
pub async fn post_signed(ingest: &TestIngest, tenant: &str, id: &str, body: &[u8]) -> reqwest::Response {
    post_signed_at(ingest, tenant, id, body, chrono::Utc::now().timestamp()).await
}

async fn post_signed_at(ingest: &TestIngest, tenant: &str, id: &str, body: &[u8], timestamp: i64) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(ingest.url(&format!("/webhooks/{tenant}"))).body(body.to_vec());
    for (name, value) in standard_webhook_headers(GENERIC_SECRET, id, timestamp, body) {
        request = request.header(name, value);
    }
    request.header("content-type", "application/json").send().await.expect("request")
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("json body")
}

#[tokio::test]
async fn a_valid_new_webhook_is_queued_after_the_confirm() {
    let (_db, ingest) = setup(TenantSettings::default(), &[]).await;
    let body = generic_created("4711", "VPN drops every 10 minutes");
    let response = post_signed(&ingest, "acme", "msg_1", &body).await;
    assert_eq!(response.status(), 202);
    assert!(response.headers().contains_key("x-request-id"), "every answer carries a request id");
    let answer = json_of(response).await;
    assert_eq!(answer["status"], "queued");
    let job_id = answer["job_id"].as_str().expect("job id").to_owned();
    assert_eq!(uuid::Uuid::parse_str(&job_id).expect("uuid").get_version_num(), 7);

    let (job, headers) = ingest.take_job().await.expect("one job in the queue");
    assert_eq!(job.job_id.to_string(), job_id);
    assert_eq!(job.v, 1);
    assert_eq!(job.tenant_id.as_str(), "acme");
    assert_eq!(job.tool, ToolKind::Generic);
    assert_eq!(job.event.ticket_id.as_str(), "4711");
    assert_eq!(job.event.kind, EventKind::Created);
    assert_eq!(job.event.subject.as_deref(), Some("VPN drops every 10 minutes"));
    assert_eq!(job.idempotency_key, "msg_1", "the tool's delivery id is the idempotency key");
    assert_eq!(JobHeaders::from_field_table(&headers).attempt, 1);
    assert!(ingest.take_job().await.is_none(), "exactly one job");
}

#[tokio::test]
async fn the_same_event_again_is_a_duplicate_with_the_first_job_id() {
    let (_db, ingest) = setup(TenantSettings::default(), &[]).await;
    // It checks what ingest accepted; the jobs stay in the queue.
    ingest.broker.expect_leftovers();
    let body = generic_created("4711", "VPN");
    let first = json_of(post_signed(&ingest, "acme", "msg_dup", &body).await).await;
    let again = post_signed(&ingest, "acme", "msg_dup", &body).await;
    assert_eq!(again.status(), 200);
    let again = json_of(again).await;
    assert_eq!(again, json!({"job_id": first["job_id"], "status": "duplicate"}));
    assert_eq!(ingest.jobs_ready().await, 1, "nothing enqueued for the duplicate");

    // Without a delivery id the body identifies the event: a different delivery id is a new event.
    let other = post_signed(&ingest, "acme", "msg_other", &body).await;
    assert_eq!(other.status(), 202);
}

#[tokio::test]
async fn policy_ignores_our_own_notes_and_other_event_kinds() {
    let settings = TenantSettings { integration_account_id: Some("enhancer-bot".into()), ..TenantSettings::default() };
    let (_db, ingest) = setup(settings, &[]).await;
    let by_bot = serde_json::to_vec(&json!({
        "type": "ticket.created", "data": {"ticket_id": "1", "subject": "x", "actor": "enhancer-bot"}
    }))
    .expect("json");
    let response = post_signed(&ingest, "acme", "m1", &by_bot).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json_of(response).await["status"], "ignored");

    let commented = serde_json::to_vec(&json!({
        "type": "ticket.commented", "data": {"ticket_id": "1", "subject": "x", "actor": "alice"}
    }))
    .expect("json");
    let answer = json_of(post_signed(&ingest, "acme", "m2", &commented).await).await;
    assert_eq!(answer["status"], "ignored");
    assert!(answer["reason"].as_str().expect("reason").contains("comment"), "{answer}");
    assert_eq!(ingest.jobs_ready().await, 0);
}

#[tokio::test]
async fn bad_signatures_get_one_generic_401_and_nothing_is_queued() {
    let (_db, ingest) = setup(TenantSettings::default(), &[]).await;
    let body = generic_created("1", "x");
    let now = chrono::Utc::now().timestamp();
    let client = reqwest::Client::new();
    let url = ingest.url("/webhooks/acme");

    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let mut cases: Vec<reqwest::RequestBuilder> = Vec::new();
    let signed = standard_webhook_headers(GENERIC_SECRET, "m", now, &body);
    let wrong_secret = standard_webhook_headers("whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==", "m", now, &body);
    let stale = standard_webhook_headers(GENERIC_SECRET, "m", now - 3600, &body);
    for (headers, payload) in [(&signed, &tampered), (&wrong_secret, &body), (&stale, &body)] {
        let mut request = client.post(&url).body(payload.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        cases.push(request);
    }
    cases.push(client.post(&url).body(body.clone()));
    let mut bodies = Vec::new();
    for request in cases {
        let response = request.send().await.expect("request");
        assert_eq!(response.status(), 401);
        bodies.push(response.text().await.expect("body"));
    }
    assert!(bodies.iter().all(|b| b == &bodies[0]), "every refusal looks the same: {bodies:?}");
    assert_eq!(bodies[0], r#"{"error":"unauthorized"}"#);
    assert_eq!(ingest.jobs_ready().await, 0);

    let metrics = reqwest::get(ingest.admin_url("/metrics")).await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains(r#"enhancer_ingest_signature_failures_total{tenant="acme"} 4"#), "{metrics}");
}

#[tokio::test]
async fn unknown_and_disabled_tenants_are_404() {
    let (db, ingest) = setup(TenantSettings::default(), &[]).await;
    let body = generic_created("1", "x");
    assert_eq!(post_signed(&ingest, "nobody", "m", &body).await.status(), 404);
    assert_eq!(post_signed(&ingest, "Not A Tenant", "m", &body).await.status(), 404);

    // Disabling takes effect at once: the change notification drops the cached tenant.
    enhancer_tests::run_cli(&db.config(), &["tenant", "disable", "acme"], "").await.ok();
    let mut status = 0;
    for _ in 0..50 {
        status = post_signed(&ingest, "acme", "m", &body).await.status().as_u16();
        if status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 404);
    assert_eq!(ingest.jobs_ready().await, 0);
}

#[tokio::test]
async fn a_malformed_payload_after_a_valid_signature_is_400() {
    let (_db, ingest) = setup(TenantSettings::default(), &[]).await;
    for body in [
        &b"not json"[..],
        br#"{"type": "ticket.created"}"#,
        br#"{"type": "ticket.created", "data": {"ticket_id": "a/b"}}"#,
    ] {
        let response = post_signed(&ingest, "acme", "m", body).await;
        assert_eq!(response.status(), 400, "{}", String::from_utf8_lossy(body));
        let answer = json_of(response).await;
        assert_eq!(answer["error"], "malformed_payload");
        assert!(answer["reason"].as_str().is_some_and(|r| !r.is_empty()));
    }
    assert_eq!(ingest.jobs_ready().await, 0);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let (_db, ingest) = setup(TenantSettings::default(), &[("ENHANCER_INGEST__BODY_LIMIT_BYTES", "2048")]).await;
    // It checks what ingest accepted; the jobs stay in the queue.
    ingest.broker.expect_leftovers();
    let big =
        serde_json::to_vec(&json!({"type": "ticket.created", "data": {"ticket_id": "1", "subject": "x".repeat(4096)}}))
            .expect("json");
    let response = post_signed(&ingest, "acme", "m", &big).await;
    assert_eq!(response.status(), 413);
    assert_eq!(json_of(response).await["error"], "payload_too_large");
    assert_eq!(post_signed(&ingest, "acme", "m2", &generic_created("1", "small")).await.status(), 202);
}

#[tokio::test]
async fn a_tenant_over_its_rate_limit_gets_429_with_retry_after() {
    let settings = TenantSettings { rate_limit: RateLimit { per_second: 1, burst: 2 }, ..TenantSettings::default() };
    let (_db, ingest) = setup(settings, &[]).await;
    // It checks what ingest accepted; the jobs stay in the queue.
    ingest.broker.expect_leftovers();
    let mut statuses = Vec::new();
    let mut retry_after = None;
    let mut refused = None;
    for n in 0..4 {
        let response = post_signed(&ingest, "acme", &format!("m{n}"), &generic_created(&n.to_string(), "x")).await;
        if response.status() == 429 {
            retry_after = response.headers().get("retry-after").map(|v| v.to_str().expect("ascii").to_owned());
            refused = Some(n);
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(&statuses[..2], [202, 202], "the burst passes: {statuses:?}");
    assert!(statuses[2..].contains(&429), "{statuses:?}");
    let seconds: u64 = retry_after.expect("Retry-After on 429").parse().expect("seconds");
    assert!((1..=2).contains(&seconds), "{seconds}");
    let accepted = statuses.iter().filter(|s| **s == 202).count() as u32;
    assert_eq!(ingest.jobs_ready().await, accepted);

    // Rate limit and dedup run in one Redis script: a refused delivery must not have claimed its key, so the
    // tool's retry after Retry-After is accepted, not answered as a duplicate.
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    let n = refused.expect("a refused delivery");
    let retry = post_signed(&ingest, "acme", &format!("m{n}"), &generic_created(&n.to_string(), "x")).await;
    assert_eq!(retry.status(), 202);
    assert_eq!(json_of(retry).await["status"], "queued");
    assert_eq!(ingest.jobs_ready().await, accepted + 1);
}

#[tokio::test]
async fn health_metrics_and_openapi() {
    let (_db, ingest) = setup(TenantSettings::default(), &[]).await;
    // It checks what ingest accepted; the jobs stay in the queue.
    ingest.broker.expect_leftovers();
    assert_eq!(reqwest::get(ingest.admin_url("/healthz")).await.expect("healthz").status(), 200);
    let ready = reqwest::get(ingest.admin_url("/readyz")).await.expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(json_of(ready).await["broker"], true);

    post_signed(&ingest, "acme", "m", &generic_created("1", "x")).await;
    let metrics = reqwest::get(ingest.admin_url("/metrics")).await.expect("metrics").text().await.expect("text");
    assert!(
        metrics.contains(r#"enhancer_ingest_webhooks_total{outcome="queued",tenant="acme",tool="generic"} 1"#),
        "{metrics}"
    );
    assert!(metrics.contains("enhancer_ingest_publish_duration_seconds_bucket"), "{metrics}");
    assert!(metrics.contains("enhancer_ingest_webhook_duration_seconds_bucket"), "{metrics}");

    let openapi: Value =
        reqwest::get(ingest.admin_url("/openapi.json")).await.expect("openapi").json().await.expect("json");
    assert!(openapi["openapi"].as_str().expect("version").starts_with("3."));
    let webhook = &openapi["paths"]["/webhooks/{tenant_id}"]["post"]["responses"];
    for status in ["200", "202", "400", "401", "404", "413", "429", "503"] {
        assert!(webhook.get(status).is_some(), "the document lists {status}");
    }
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        assert!(openapi["paths"].get(path).is_some(), "the document lists {path}");
    }
}

/// The public port serves webhooks only: probes, metrics and the document answer 404 there and 200 on the
/// admin port, and the admin port takes no webhooks.
#[tokio::test]
async fn probes_and_metrics_are_on_the_admin_port_only() {
    let (_db, ingest) = setup(TenantSettings::default(), &[]).await;
    assert_ne!(ingest.address, ingest.admin_address);
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        let public = reqwest::get(ingest.url(path)).await.expect("public answers");
        assert_eq!(public.status(), 404, "{path} on the public port");
        let admin = reqwest::get(ingest.admin_url(path)).await.expect("admin answers");
        assert_eq!(admin.status(), 200, "{path} on the admin port");
    }
    let webhook = reqwest::Client::new().post(ingest.admin_url("/webhooks/acme")).body("{}").send().await;
    assert_eq!(webhook.expect("admin answers").status(), 404, "no webhooks on the admin port");

    // `enhancer-ingest probe` (compose's healthcheck) is ready on the admin port, not on the public one.
    let (admin, public) = (ingest.admin_address, ingest.address);
    let probed = tokio::task::spawn_blocking(move || {
        (enhancer_ingest::probe::readyz(admin).is_ok(), enhancer_ingest::probe::readyz(public).is_ok())
    });
    assert_eq!(probed.await.expect("probe"), (true, false));
}
