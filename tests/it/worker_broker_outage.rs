//! A worker whose broker connection dies under it: again and again while jobs finish (acks on their way at
//! the very moment, as when a broker node is killed), or for half a minute (a node's restart). It must
//! consume again, so every job gets its note, once. A single cut of half a second is
//! `worker_e2e::a_dropped_broker_connection_resumes_processing`.

use std::time::Duration;

use enhancer_tests::worker::{TestWorker, wait_for_status};

use crate::worker_e2e::{pipeline, send};

#[tokio::test]
async fn a_worker_consumes_again_after_its_broker_was_away_for_half_a_minute() {
    let proxy = enhancer_tests::proxy::CuttableProxy::start("127.0.0.1:5672".parse().expect("address")).await;
    let url = proxy.amqp_url();
    // Ingest publishes to the broker directly; only the worker's connection goes through the proxy.
    let p = pipeline(&[("ENHANCER_AMQP__URL", &url)]).await;
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "before").await;
    wait_for_status(&p.db.pool, "acme", "before", "completed", Duration::from_secs(30)).await;

    // As a RabbitMQ node restart looks from the worker: the connection is cut, reconnects are refused for
    // 30 s (a node's boot and recovery under load), jobs keep arriving meanwhile.
    proxy.cut();
    send(&p, "during").await;
    tokio::time::sleep(Duration::from_secs(30)).await;
    proxy.restore();
    send(&p, "after").await;
    for ticket in ["during", "after"] {
        wait_for_status(&p.db.pool, "acme", ticket, "completed", Duration::from_secs(90)).await;
        assert_eq!(p.tool.notes_for(ticket).len(), 1, "{ticket}");
    }
    worker.stop().await;
}

#[tokio::test]
async fn a_worker_whose_connection_drops_again_and_again_mid_stream_finishes_every_job() {
    let proxy = enhancer_tests::proxy::CuttableProxy::start("127.0.0.1:5672".parse().expect("address")).await;
    let url = proxy.amqp_url();
    // Few slots: a settlement (ack or nack) that never completes keeps its slot for good, and four of them
    // stop the worker.
    let p = pipeline(&[("ENHANCER_AMQP__URL", &url), ("ENHANCER_WORKER__CONCURRENCY", "4")]).await;
    let worker = TestWorker::spawn(&p.worker_config).await;
    let tickets: Vec<String> = (0..120).map(|i| format!("flow-{i}")).collect();
    // Jobs keep finishing while the connection is cut under them, as when a broker node dies: some acks
    // are on their way at the very moment.
    let cuts = async {
        for _ in 0..6 {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            proxy.cut();
            tokio::time::sleep(Duration::from_millis(700)).await;
            proxy.restore();
        }
    };
    let sends = async {
        for ticket in &tickets {
            send(&p, ticket).await;
            tokio::time::sleep(Duration::from_millis(60)).await;
        }
    };
    tokio::join!(cuts, sends);
    // One deadline for all: a job whose retry was scheduled during a cut may wait out the 30 s tier (or,
    // failing again on a loaded machine, the 2 minute one); a stalled worker completes none of the rest.
    let deadline = std::time::Instant::now() + Duration::from_secs(240);
    for ticket in &tickets {
        let left = deadline.saturating_duration_since(std::time::Instant::now()).max(Duration::from_secs(1));
        wait_for_status(&p.db.pool, "acme", ticket, "completed", left).await;
        assert_eq!(p.tool.notes_for(ticket).len(), 1, "{ticket}");
    }
    worker.stop().await;
}
