//! Every plugin's webhook fixtures through the real HTTP endpoint: signed the way the tool signs, verified,
//! extracted and queued; and refused with the generic 401 when the signature is wrong.

use enhancer_shared::domain::{EventKind, JobPurpose, ToolKind};
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::TestDb;
use enhancer_tests::ingest::{TestIngest, add_tenant};
use enhancer_tests::signing::jira_hub_signature;

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../plugins/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

async fn post(ingest: &TestIngest, tenant: &str, body: &[u8], headers: &[(&str, String)]) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(ingest.url(&format!("/webhooks/{tenant}")))
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    request.send().await.expect("request")
}

#[tokio::test]
async fn servicedesk_plus_and_jira_fixtures_are_verified_and_queued() {
    let db = TestDb::migrated().await;
    add_tenant(
        &db,
        "sdp",
        ToolKind::ServicedeskPlus,
        "https://sdp.example.com",
        r#"{"webhook_secret": "sdp-shared-secret-1", "credentials": {"authtoken": "t"}}"#,
        TenantSettings::default(),
    )
    .await;
    add_tenant(
        &db,
        "jsm",
        ToolKind::Jira,
        "https://acme.atlassian.net",
        r#"{"webhook_secret": "jira-hmac-secret", "credentials": {"email": "a@b.c", "api_token": "t"}}"#,
        TenantSettings::default(),
    )
    .await;
    let ingest = TestIngest::spawn(&db, &[]).await;

    // ServiceDesk Plus: the shared secret in the default header.
    let sdp = fixture("servicedesk_plus/request_created.json");
    let wrong = post(&ingest, "sdp", &sdp, &[("X-Enhancer-Secret", "not-the-secret".into())]).await;
    assert_eq!(wrong.status(), 401);
    let accepted = post(&ingest, "sdp", &sdp, &[("X-Enhancer-Secret", "sdp-shared-secret-1".into())]).await;
    assert_eq!(accepted.status(), 202);
    let (job, _) = ingest.take_job().await.expect("the SDP job");
    assert_eq!(job.tool, ToolKind::ServicedeskPlus);
    assert_eq!(job.event.ticket_id.as_str(), "201");
    assert_eq!(job.event.kind, EventKind::Created);

    // Jira: X-Hub-Signature over the raw body. The delivery id header is unsigned, so the key is the signed
    // body's hash, not the header.
    let jira = fixture("jira/issue_created.json");
    let signature = jira_hub_signature("jira-hmac-secret", &jira);
    let bad = jira_hub_signature("another-secret", &jira);
    let wrong = post(&ingest, "jsm", &jira, &[("X-Hub-Signature", bad)]).await;
    assert_eq!(wrong.status(), 401);
    let headers = [("X-Hub-Signature", signature), ("X-Atlassian-Webhook-Identifier", "delivery-77".to_owned())];
    assert_eq!(post(&ingest, "jsm", &jira, &headers).await.status(), 202);
    let (job, _) = ingest.take_job().await.expect("the Jira job");
    assert_eq!(job.tool, ToolKind::Jira);
    assert!(job.idempotency_key.starts_with("sha256:"), "{}", job.idempotency_key);
    assert_eq!(job.event.kind, EventKind::Created);
    // The tool redelivers the same delivery: a duplicate.
    assert_eq!(post(&ingest, "jsm", &jira, &headers).await.status(), 200);

    // An updated event is verified; the default policy does not enhance it but queues an index-only job,
    // which refreshes the ticket's corpus row (its resolution) without a note.
    let updated = fixture("jira/issue_updated.json");
    let headers = [("X-Hub-Signature", jira_hub_signature("jira-hmac-secret", &updated))];
    let answer: serde_json::Value = post(&ingest, "jsm", &updated, &headers).await.json().await.expect("json");
    assert_eq!(answer["status"], "queued");
    let (job, _) = ingest.take_job().await.expect("the index job");
    assert_eq!(job.event.kind, EventKind::Updated);
    assert_eq!(job.purpose, JobPurpose::Index);
    assert!(ingest.take_job().await.is_none());
}

#[tokio::test]
async fn a_replayed_jira_body_with_new_identifiers_makes_one_job() {
    let db = TestDb::migrated().await;
    add_tenant(
        &db,
        "jsm",
        ToolKind::Jira,
        "https://acme.atlassian.net",
        r#"{"webhook_secret": "jira-hmac-secret", "credentials": {"email": "a@b.c", "api_token": "t"}}"#,
        TenantSettings::default(),
    )
    .await;
    let ingest = TestIngest::spawn(&db, &[]).await;

    // One captured, validly signed body, sent with three fresh (unsigned) identifiers.
    let jira = fixture("jira/issue_created.json");
    let signature = jira_hub_signature("jira-hmac-secret", &jira);
    let mut statuses = Vec::new();
    for identifier in ["captured-1", "replay-2", "replay-3"] {
        let headers = [("X-Hub-Signature", signature.clone()), ("X-Atlassian-Webhook-Identifier", identifier.into())];
        statuses.push(post(&ingest, "jsm", &jira, &headers).await.status().as_u16());
    }
    assert_eq!(statuses, [202, 200, 200], "the replays are duplicates");
    assert!(ingest.take_job().await.is_some(), "one job");
    assert!(ingest.take_job().await.is_none(), "and only one");
}

#[tokio::test]
async fn a_4000_character_delivery_id_is_hashed_into_a_short_key() {
    let db = TestDb::migrated().await;
    add_tenant(
        &db,
        "sdp",
        ToolKind::ServicedeskPlus,
        "https://sdp.example.com",
        r#"{"webhook_secret": "sdp-shared-secret-1", "credentials": {"authtoken": "t"}}"#,
        TenantSettings::default(),
    )
    .await;
    let ingest = TestIngest::spawn(&db, &[]).await;
    let body = serde_json::to_vec(&serde_json::json!({
        "event": "request_created", "request_id": "201", "delivery_id": "d".repeat(4000),
    }))
    .expect("JSON");
    let headers = [("X-Enhancer-Secret", "sdp-shared-secret-1".to_owned())];
    assert_eq!(post(&ingest, "sdp", &body, &headers).await.status(), 202);
    let (job, _) = ingest.take_job().await.expect("the job");
    assert!(job.idempotency_key.len() <= 128, "{} bytes", job.idempotency_key.len());
    assert!(job.idempotency_key.starts_with("sha256:"), "{}", job.idempotency_key);
    // The same delivery again is still recognised.
    assert_eq!(post(&ingest, "sdp", &body, &headers).await.status(), 200);
}
