//! The webhook contract, row by row, through `tower::ServiceExt::oneshot` on the real router, with the
//! generic tool's real Standard Webhooks verification and fake broker, admission and tenants.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_plugins::Plugins;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tower::ServiceExt as _;

use super::fakes::{FakeAdmission, FakePublisher, SeededTenants};
use crate::admission::{Admission as _, Verdict};
use crate::edge::HttpLimits;
use crate::metrics::Metrics;
use crate::router::{admin_router, router};
use crate::state::AppState;
use crate::webhook::VerifyThrottle;

/// A Standard Webhooks secret (`whsec_<base64>`) for the generic tool.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BODY_LIMIT: usize = 2048;

struct Harness {
    /// The public listener's router.
    app: Router,
    /// The admin listener's router, on the same state.
    admin: Router,
    publisher: Arc<FakePublisher>,
    admission: Arc<FakeAdmission>,
    tenants: Arc<SeededTenants>,
    metrics: Metrics,
}

/// Tenant `acme` (enabled) and `dormant` (disabled), both on the generic tool.
fn harness() -> Harness {
    let publisher = Arc::new(FakePublisher::default());
    let admission = Arc::new(FakeAdmission::default());
    let tenants = Arc::new(SeededTenants::default());
    tenants.add_generic("acme", SECRET, true);
    tenants.add_generic("dormant", SECRET, false);
    let metrics = Metrics::new();
    let state = AppState {
        plugins: Plugins,
        tenants: Arc::clone(&tenants) as _,
        publisher: Arc::clone(&publisher) as _,
        admission: Arc::clone(&admission) as _,
        metrics: metrics.clone(),
        unavailable_retry_after: Duration::from_secs(5),
        verify_throttle: Arc::new(VerifyThrottle::new(20, Duration::from_secs(60))),
    };
    let state = Arc::new(state);
    let limits = HttpLimits { body_limit_bytes: BODY_LIMIT, ..HttpLimits::default() };
    Harness {
        app: router(Arc::clone(&state), &limits),
        admin: admin_router(state),
        publisher,
        admission,
        tenants,
        metrics,
    }
}

/// What came back: status, headers and the JSON body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn retry_after(&self) -> Option<&str> {
        self.headers.get("retry-after").map(|v| v.to_str().expect("ascii"))
    }
}

impl Harness {
    async fn send(&self, request: Request<Body>) -> Answer {
        Self::answer(&self.app, request).await
    }

    /// A `GET` on the admin listener's router.
    async fn admin_get(&self, path: &str) -> Answer {
        Self::answer(&self.admin, Request::get(path).body(Body::empty()).expect("request")).await
    }

    async fn answer(app: &Router, request: Request<Body>) -> Answer {
        let response = app.clone().oneshot(request).await.expect("the router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        Answer { status, headers, body: serde_json::from_slice(&bytes).expect("a JSON answer") }
    }

    /// Posts `body` to `tenant`, signed with `secret` as message `id`, now.
    async fn post_signed_with(&self, secret: &str, tenant: &str, id: &str, body: &[u8]) -> Answer {
        let mut request = Request::post(format!("/webhooks/{tenant}")).header("content-type", "application/json");
        for (name, value) in standard_webhook_headers(secret, id, chrono::Utc::now().timestamp(), body) {
            request = request.header(name, value);
        }
        self.send(request.body(Body::from(body.to_vec())).expect("request")).await
    }

    async fn post_signed(&self, tenant: &str, id: &str, body: &[u8]) -> Answer {
        self.post_signed_with(SECRET, tenant, id, body).await
    }

    fn job_ids(&self) -> Vec<String> {
        self.publisher.jobs().iter().map(|job| job.job_id.to_string()).collect()
    }
}

/// The three Standard Webhooks headers, as the generic tool sends them (see `plugins/src/generic/verify.rs`).
fn standard_webhook_headers(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Vec<(&'static str, String)> {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).expect("whsec_ secrets are base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    vec![
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))),
    ]
}

fn created(ticket_id: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "ticket.created",
        "timestamp": chrono::Utc::now().to_rfc3339(),
        "data": {"ticket_id": ticket_id, "subject": "VPN drops", "priority": "high", "actor": "alice@example.com"}
    }))
    .expect("json")
}

#[tokio::test]
async fn a_new_event_is_202_queued_after_the_confirm_and_its_claim_confirmed() {
    let h = harness();
    let answer = h.post_signed("acme", "msg_1", &created("4711")).await;
    assert_eq!(answer.status, StatusCode::ACCEPTED);
    assert_eq!(answer.body["status"], "queued");
    assert!(answer.headers.contains_key("x-request-id"), "every answer carries a request id");
    assert_eq!(answer.retry_after(), None);
    let jobs = h.publisher.jobs();
    assert_eq!(jobs.len(), 1);
    assert_eq!(answer.body["job_id"], jobs[0].job_id.to_string());
    assert_eq!(jobs[0].tenant_id.as_str(), "acme");
    assert_eq!(jobs[0].event.ticket_id.as_str(), "4711");
    assert_eq!(jobs[0].idempotency_key, "msg_1", "the tool's delivery id is the idempotency key");
    assert_eq!(h.admission.confirmed(), [jobs[0].job_id]);
    assert!(h.admission.released().is_empty());
    assert!(
        h.metrics
            .render()
            .contains(r#"enhancer_ingest_webhooks_total{outcome="queued",tenant="acme",tool="generic"} 1"#)
    );
}

#[tokio::test]
async fn the_same_delivery_again_is_200_duplicate_with_the_first_job_id() {
    let h = harness();
    let first = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(first.status, StatusCode::ACCEPTED);
    let again = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body, json!({"job_id": first.body["job_id"], "status": "duplicate"}));
    assert_eq!(h.job_ids(), [first.body["job_id"].as_str().expect("job id")], "one job for both deliveries");
    assert!(h.metrics.render().contains(r#"enhancer_ingest_dedup_hits_total{tenant="acme"} 1"#));
}

#[tokio::test]
async fn a_bad_or_missing_signature_is_401_and_nothing_is_admitted_or_published() {
    let h = harness();
    let wrong = h.post_signed_with("whsec_c2VjcmV0", "acme", "msg_1", &created("1")).await;
    let unsigned = h.send(Request::post("/webhooks/acme").body(Body::from(created("1"))).expect("request")).await;
    for answer in [wrong, unsigned] {
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.body, json!({"error": "unauthorized"}), "the answer never says which check failed");
        assert_eq!(answer.retry_after(), None);
    }
    assert_eq!(h.admission.admits(), 0, "forged requests cannot spend the tenant's rate limit");
    assert!(h.publisher.jobs().is_empty());
    assert!(h.metrics.render().contains(r#"enhancer_ingest_signature_failures_total{tenant="acme"} 2"#));
}

#[tokio::test]
async fn unknown_disabled_and_invalid_tenants_are_404() {
    let h = harness();
    for tenant in ["nobody", "dormant", "Not%20An%20Id"] {
        let answer = h.post_signed(tenant, "msg_1", &created("1")).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{tenant}");
        assert_eq!(answer.body, json!({"error": "unknown_tenant"}));
    }
    assert_eq!(h.admission.admits(), 0);
    assert!(h.publisher.jobs().is_empty());
    // Unknown ids must not create metric series.
    assert!(
        h.metrics.render().contains(
            r#"enhancer_ingest_webhooks_total{outcome="unknown_tenant",tenant="_unknown",tool="_unknown"} 3"#
        )
    );
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_a_small_one_still_passes() {
    let h = harness();
    let big =
        serde_json::to_vec(&json!({"type": "ticket.created", "data": {"ticket_id": "1", "subject": "x".repeat(4096)}}))
            .expect("json");
    let answer = h.post_signed("acme", "msg_big", &big).await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer.body, json!({"error": "payload_too_large"}));
    assert!(h.publisher.jobs().is_empty());
    assert_eq!(h.post_signed("acme", "msg_small", &created("1")).await.status, StatusCode::ACCEPTED);
    assert_eq!(h.publisher.jobs().len(), 1);
}

#[tokio::test]
async fn over_the_rate_limit_is_429_with_retry_after_rounded_up() {
    let h = harness();
    h.admission.set_rate_limited(Some(Duration::from_millis(1500)));
    let answer = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.body, json!({"error": "rate_limited"}));
    assert_eq!(answer.retry_after(), Some("2"));
    assert!(h.publisher.jobs().is_empty());

    // Nothing was claimed: the tool's retry is accepted once the limit allows it.
    h.admission.set_rate_limited(None);
    assert_eq!(h.post_signed("acme", "msg_1", &created("1")).await.status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn a_broker_failure_is_503_with_retry_after_the_claim_released_and_the_retry_accepted() {
    let h = harness();
    h.publisher.set_down(true);
    let answer = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.body, json!({"error": "unavailable"}));
    assert_eq!(answer.retry_after(), Some("5"));
    assert!(h.publisher.jobs().is_empty());
    assert_eq!(h.admission.released().len(), 1, "the failed publish released its claim");
    assert!(h.admission.confirmed().is_empty());

    h.publisher.set_down(false);
    let retry = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(retry.status, StatusCode::ACCEPTED, "the retry is accepted, not called a duplicate");
    assert_eq!(retry.body["status"], "queued");
    assert_eq!(h.job_ids(), [retry.body["job_id"].as_str().expect("job id")]);
}

#[tokio::test]
async fn the_same_event_still_in_flight_is_503_retry_after_one_second() {
    let h = harness();
    // Another delivery of msg_1 holds the claim and has not finished publishing.
    let held = h.admission.admit("acme", Default::default(), "msg_1", uuid::Uuid::now_v7()).await;
    assert!(matches!(held, Verdict::Admitted(_)));
    let answer = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.body, json!({"error": "unavailable"}));
    assert_eq!(answer.retry_after(), Some("1"));
    assert!(h.publisher.jobs().is_empty());
}

#[tokio::test]
async fn a_tenant_store_outage_is_503_with_retry_after_and_readyz_follows_its_dependencies() {
    let h = harness();
    let ready = h.admin_get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK);
    assert_eq!(ready.body, json!({"status": "ready", "broker": true, "database": true, "redis": true}));

    h.tenants.set_down(true);
    let answer = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.body, json!({"error": "unavailable"}));
    assert_eq!(answer.retry_after(), Some("5"));
    assert_eq!(h.admission.admits(), 0);
    let not_ready = h.admin_get("/readyz").await;
    assert_eq!(not_ready.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(not_ready.body["database"], false);
}

#[tokio::test]
async fn saturated_tenant_lookups_are_503_retry_after_one_second_and_counted() {
    let h = harness();
    h.tenants.set_busy(true);
    let answer = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.body, json!({"error": "unavailable"}));
    assert_eq!(answer.retry_after(), Some("1"));
    assert_eq!(h.admission.admits(), 0);
    assert!(h.metrics.render().contains(r#"enhancer_ingest_shed_total{reason="tenant_lookups"} 1"#));
}

#[tokio::test]
async fn a_tenant_whose_row_cannot_be_used_is_500_without_retry_after() {
    let h = harness();
    h.tenants.set_unusable("acme");
    let answer = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(answer.body, json!({"error": "tenant_unusable"}));
    assert_eq!(answer.retry_after(), None);
    assert_eq!(h.admission.admits(), 0);
}

/// A router whose webhook requests may take `body_read_timeout` for the body, `max` at once.
fn limited_harness(body_read_timeout: Duration, max: usize) -> Harness {
    let mut h = harness();
    let state = AppState {
        plugins: Plugins,
        tenants: Arc::clone(&h.tenants) as _,
        publisher: Arc::clone(&h.publisher) as _,
        admission: Arc::clone(&h.admission) as _,
        metrics: h.metrics.clone(),
        unavailable_retry_after: Duration::from_secs(5),
        verify_throttle: Arc::new(VerifyThrottle::new(20, Duration::from_secs(60))),
    };
    let limits = HttpLimits {
        body_limit_bytes: BODY_LIMIT,
        body_read_timeout,
        max_concurrent_requests: max,
        ..HttpLimits::default()
    };
    h.app = router(Arc::new(state), &limits);
    h
}

/// A request whose body never finishes arriving (its sender is held by the test).
fn endless_body(tenant: &str) -> (Request<Body>, tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>) {
    let (sender, receiver) = tokio::sync::mpsc::channel(1);
    let stream = tokio_stream_from(receiver);
    let request = Request::post(format!("/webhooks/{tenant}")).body(Body::from_stream(stream)).expect("request");
    (request, sender)
}

fn tokio_stream_from(
    mut receiver: tokio::sync::mpsc::Receiver<Result<Vec<u8>, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx))
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_is_408() {
    let h = limited_harness(Duration::from_millis(100), 8);
    let (request, _sender) = endless_body("acme");
    let answer = tokio::time::timeout(Duration::from_secs(5), h.send(request)).await.expect("answered in time");
    assert_eq!(answer.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(answer.body, json!({"error": "request_timeout"}));
    assert_eq!(h.admission.admits(), 0);
}

#[tokio::test]
async fn beyond_the_concurrent_request_limit_webhooks_are_shed_with_503_but_probes_answer() {
    let h = limited_harness(Duration::from_secs(30), 1);
    let (held, _sender) = endless_body("acme");
    let app = h.app.clone();
    let first = tokio::spawn(async move { app.oneshot(held).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let answer = h.post_signed("acme", "msg_1", &created("1")).await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(answer.body, json!({"error": "unavailable"}));
    assert_eq!(answer.retry_after(), Some("1"));
    assert!(h.metrics.render().contains(r#"enhancer_ingest_shed_total{reason="concurrency"} 1"#));
    let ready = h.admin_get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "probes are not shed");
    first.abort();
}

#[tokio::test]
async fn after_a_burst_of_failed_verifications_failures_get_429_and_valid_requests_still_pass() {
    let h = harness();
    let forged = "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==";
    for n in 0..20 {
        let answer = h.post_signed_with(forged, "acme", &format!("f{n}"), &created("1")).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "failure {n} is within the burst");
    }
    let throttled = h.post_signed_with(forged, "acme", "f20", &created("1")).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(throttled.body, json!({"error": "rate_limited"}));
    let retry_after: u64 = throttled.retry_after().expect("retry-after").parse().expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    // The tool's own, validly signed delivery is not refused because of someone else's failures.
    assert_eq!(h.post_signed("acme", "real", &created("2")).await.status, StatusCode::ACCEPTED);
    // Another tenant's budget is its own.
    h.tenants.add_generic("beta", SECRET, true);
    assert_eq!(h.post_signed_with(forged, "beta", "f", &created("1")).await.status, StatusCode::UNAUTHORIZED);
    let metrics = h.metrics.render();
    assert!(metrics.contains(r#"enhancer_ingest_shed_total{reason="verify_failures"} 1"#), "{metrics}");
    assert!(metrics.contains(r#"enhancer_ingest_signature_failures_total{tenant="acme"} 21"#), "{metrics}");
}

#[tokio::test]
async fn probes_metrics_and_the_document_are_on_the_admin_router_only() {
    let h = harness();
    for path in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        let public = h.app.clone().oneshot(Request::get(path).body(Body::empty()).expect("request")).await;
        assert_eq!(public.expect("infallible").status(), StatusCode::NOT_FOUND, "{path} is not public");
        let admin = h.admin.clone().oneshot(Request::get(path).body(Body::empty()).expect("request")).await;
        assert_eq!(admin.expect("infallible").status(), StatusCode::OK, "{path} is on the admin router");
    }
    let webhook = h.admin.clone().oneshot(Request::post("/webhooks/acme").body(Body::empty()).expect("request")).await;
    assert_eq!(webhook.expect("infallible").status(), StatusCode::NOT_FOUND, "no webhooks on the admin listener");
}
