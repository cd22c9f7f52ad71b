//! Ingest when its neighbours fail: the broker going away (503, nothing enqueued, the retry accepted after
//! recovery), Redis unreachable (still accepting), and a burst of one event (one job).

use std::time::Duration;

use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::proxy::CuttableProxy;
use enhancer_tests::signing::generic_created;

use crate::ingest_contract::{post_signed, setup};

#[tokio::test]
async fn broker_outage_is_503_with_retry_after_and_the_retry_is_accepted_after_recovery() {
    let proxy = CuttableProxy::start("127.0.0.1:5672".parse().expect("address")).await;
    let url = proxy.amqp_url();
    let (_db, ingest) = setup(
        TenantSettings::default(),
        &[("ENHANCER_AMQP__URL", &url), ("ENHANCER_AMQP__PUBLISH_TIMEOUT_MS", "2000")],
    )
    .await;
    let body = generic_created("77", "printer on fire");
    assert_eq!(post_signed(&ingest, "acme", "before", &generic_created("76", "x")).await.status(), 202);

    proxy.cut();
    let response = post_signed(&ingest, "acme", "during", &body).await;
    assert_eq!(response.status(), 503);
    let retry_after: u64 = response.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!(retry_after >= 1);
    assert_eq!(reqwest::get(ingest.admin_url("/readyz")).await.expect("readyz").status(), 503);

    proxy.restore();
    // The tool retries the same delivery: it must be accepted, not called a duplicate of the failed one.
    let mut status = 0;
    for _ in 0..40 {
        status = post_signed(&ingest, "acme", "during", &body).await.status().as_u16();
        if status == 202 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(status, 202, "the retry after recovery is accepted");
    assert_eq!(reqwest::get(ingest.admin_url("/readyz")).await.expect("readyz").status(), 200);
    let mut tickets = Vec::new();
    while let Some((job, _)) = ingest.take_job().await {
        tickets.push(job.event.ticket_id.to_string());
    }
    assert_eq!(tickets, ["76", "77"], "one job per accepted webhook, none for the refused attempt");
}

#[tokio::test]
async fn redis_unreachable_still_accepts() {
    let (_db, ingest) = setup(TenantSettings::default(), &[("ENHANCER_REDIS__URL", "redis://127.0.0.1:1")]).await;
    // It checks what ingest accepted; the jobs stay in the queue.
    ingest.broker.expect_leftovers();
    for n in 0..3 {
        let response = post_signed(&ingest, "acme", &format!("m{n}"), &generic_created(&n.to_string(), "x")).await;
        assert_eq!(response.status(), 202);
    }
    assert_eq!(ingest.jobs_ready().await, 3);
    let metrics = reqwest::get(ingest.admin_url("/metrics")).await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains(r#"enhancer_ingest_redis_fallbacks_total{operation="dedup"} 3"#), "{metrics}");
}

#[tokio::test]
async fn fifty_concurrent_deliveries_of_one_event_enqueue_one_job() {
    let (_db, ingest) = setup(TenantSettings::default(), &[]).await;
    // It checks what ingest accepted; the jobs stay in the queue.
    ingest.broker.expect_leftovers();
    let body = generic_created("900", "disk full on fileserver");
    let requests = (0..50).map(|_| post_signed(&ingest, "acme", "burst", &body));
    let responses = futures_util::future::join_all(requests).await;
    let mut job_ids = std::collections::BTreeSet::new();
    let mut statuses = Vec::new();
    for response in responses {
        statuses.push(response.status().as_u16());
        let answer: serde_json::Value = response.json().await.expect("json");
        job_ids.insert(answer["job_id"].as_str().expect("job id").to_owned());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 49, "{statuses:?}");
    assert_eq!(job_ids.len(), 1, "every answer names the same job");
    assert_eq!(ingest.jobs_ready().await, 1);
}
