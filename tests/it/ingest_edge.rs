//! Ingest's edge under abuse (docs/SECURITY.md, "Ingest edge"): replayed deliveries, floods of unknown
//! tenant ids, slow clients and failed verifications must not hurt real deliveries.

use std::time::Duration;

use enhancer_shared::tenant::{RateLimit, TenantSettings};
use enhancer_tests::signing::generic_created;

use crate::ingest_contract::{post_signed, setup};

/// A captured delivery resent in a loop is answered `duplicate` without spending the tenant's rate budget,
/// so the tool's next real delivery is still accepted.
#[tokio::test]
async fn replayed_duplicates_do_not_spend_the_rate_budget() {
    let settings = TenantSettings { rate_limit: RateLimit { per_second: 1, burst: 2 }, ..TenantSettings::default() };
    let (_db, ingest) = setup(settings, &[]).await;
    ingest.broker.expect_leftovers();
    let body = generic_created("31", "captured");
    assert_eq!(post_signed(&ingest, "acme", "replayed", &body).await.status(), 202);
    for _ in 0..20 {
        assert_eq!(post_signed(&ingest, "acme", "replayed", &body).await.status(), 200, "a duplicate");
    }
    let fresh = post_signed(&ingest, "acme", "fresh", &generic_created("32", "real")).await;
    assert_eq!(fresh.status(), 202, "the budget is intact for a new delivery");
    // The budget is still enforced for new deliveries, and a refused one claims nothing: its retry is new.
    let mut refused = None;
    for n in 0..10 {
        let id = format!("new{n}");
        if post_signed(&ingest, "acme", &id, &generic_created("33", &id)).await.status() == 429 {
            refused = Some(id);
            break;
        }
    }
    let refused = refused.expect("new deliveries at once run into the limit");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let retry = post_signed(&ingest, "acme", &refused, &generic_created("33", &refused)).await;
    assert_eq!(retry.status(), 202, "the refused delivery claimed nothing");
}

/// A flood of unknown tenant ids (no secret needed) while the database is slow: at most half the pool is
/// spent on lookups and the rest are shed with 503 at once, so `/readyz` and cached tenants keep working.
#[tokio::test]
async fn unknown_tenant_floods_cannot_take_the_database_pool() {
    let (db, ingest) = setup(
        TenantSettings::default(),
        &[("ENHANCER_DATABASE__MAX_CONNECTIONS", "4"), ("ENHANCER_DATABASE__ACQUIRE_TIMEOUT_SECS", "1")],
    )
    .await;
    ingest.broker.expect_leftovers();
    assert_eq!(post_signed(&ingest, "acme", "warm", &generic_created("1", "x")).await.status(), 202);
    // Every tenant lookup now blocks on the table lock, as on a database in trouble.
    let mut blocker = db.pool.begin().await.expect("tx");
    sqlx::query("LOCK TABLE tenant_configs IN ACCESS EXCLUSIVE MODE").execute(&mut *blocker).await.expect("lock");

    let client = reqwest::Client::builder().timeout(Duration::from_secs(20)).build().expect("client");
    let flood: Vec<_> = (0..20)
        .map(|n| {
            let request = client.post(ingest.url(&format!("/webhooks/ghost{n}"))).body("{}");
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let ready = client.get(ingest.admin_url("/readyz")).send().await.expect("readyz");
    assert_eq!(ready.status(), 200, "the pool still has connections for readiness");
    let cached = post_signed(&ingest, "acme", "during", &generic_created("2", "y")).await;
    assert_eq!(cached.status(), 202, "a cached tenant is served during the flood");

    blocker.rollback().await.expect("unlock");
    let mut statuses = Vec::new();
    for answer in flood {
        statuses.push(answer.await.expect("task").expect("an answer"));
    }
    assert!(statuses.iter().all(|s| *s == 404 || *s == 503), "{statuses:?}");
    assert!(statuses.iter().filter(|s| **s == 503).count() >= 15, "shed beyond the cap: {statuses:?}");
}

/// A tenant whose secrets were sealed with a master key this process does not have is a permanent
/// problem: 500 `tenant_unusable` (no `Retry-After`), not a 503 the tool would retry for ever.
#[tokio::test]
async fn a_tenant_sealed_with_an_unknown_key_is_500() {
    let (db, ingest) = setup(TenantSettings::default(), &[]).await;
    let foreign = secrecy::SecretString::from("QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=");
    let keys = enhancer_shared::crypto::KeyRing::from_env_values(&foreign, None).expect("ring");
    let tenant = enhancer_shared::tenant::NewTenant {
        id: enhancer_shared::domain::TenantId::parse("sealed").expect("id"),
        name: "sealed".into(),
        tool: enhancer_shared::domain::ToolKind::Generic,
        base_url: url::Url::parse("http://127.0.0.1:9").expect("url"),
        allow_insecure_url: true,
        settings: TenantSettings::default(),
        secrets: enhancer_shared::tenant::TenantSecrets::parse(crate::ingest_contract::generic_secrets().as_bytes())
            .expect("secrets"),
    };
    enhancer_shared::tenant::store::insert(&db.pool, &keys, &tenant).await.expect("insert");
    for _ in 0..3 {
        let response = post_signed(&ingest, "sealed", "m1", &generic_created("1", "x")).await;
        assert_eq!(response.status(), 500);
        assert!(response.headers().get("retry-after").is_none());
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body["error"], "tenant_unusable");
    }
}

/// Connects and sends half of a request's headers, then nothing.
async fn half_headers(ingest: &enhancer_tests::ingest::TestIngest) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt as _;
    let mut stream = tokio::net::TcpStream::connect(ingest.address).await.expect("connect");
    stream.write_all(b"POST /webhooks/acme HTTP/1.1\r\nHost: ingest\r\nContent-Ty").await.expect("write");
    stream
}

/// A client that sends half its headers is disconnected after the header read timeout.
#[tokio::test]
async fn a_client_sending_half_its_headers_is_disconnected_after_the_header_timeout() {
    use tokio::io::AsyncReadExt as _;
    let (_db, ingest) = setup(TenantSettings::default(), &[("ENHANCER_INGEST__HEADER_READ_TIMEOUT_MS", "500")]).await;
    let mut stream = half_headers(&ingest).await;
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the connection is still open 5 s after half its headers");
}

/// Shutdown is bounded by the grace even while a slow client holds a connection.
#[tokio::test]
async fn shutdown_completes_within_the_grace_while_a_slow_client_is_connected() {
    let (_db, mut ingest) = setup(
        TenantSettings::default(),
        &[("ENHANCER_INGEST__HEADER_READ_TIMEOUT_MS", "60000"), ("ENHANCER_INGEST__SHUTDOWN_GRACE_SECS", "1")],
    )
    .await;
    let _slow = half_headers(&ingest).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = std::time::Instant::now();
    assert!(tokio::time::timeout(Duration::from_secs(5), ingest.stop()).await.is_ok(), "shutdown waited on the client");
    assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
}
