//! End to end, leases: a killed worker's job is taken over within about one lease and noted once, and two
//! workers that share a `worker.id` never run one job at once (claims belong to a per-process token, and
//! the heartbeat keeps a job that outlasts its lease).

use std::time::{Duration, Instant};

use enhancer_shared::queue::{JobHeaders, RetryTier};
use enhancer_tests::proxy::CuttableProxy;
use enhancer_tests::worker::{TestWorker, eventually, history_for, wait_for_status};
use secrecy::SecretString;

use crate::worker_e2e::{pipeline, send};

const LEASE: Duration = Duration::from_secs(3);

/// The workers' settings: a short lease, and tool calls allowed to outlast the slow tickets below.
const SHORT_LEASE: &[(&str, &str)] =
    &[("ENHANCER_WORKER__LEASE_SECS", "3"), ("ENHANCER_OUTBOUND__REQUEST_TIMEOUT_SECS", "30")];

/// `enhancer_worker_jobs_total` for `outcome` of the pipeline's tenant, from a metrics page.
fn jobs(metrics: &str, outcome: &str) -> u64 {
    let series = format!(r#"enhancer_worker_jobs_total{{outcome="{outcome}",tenant="acme",tool="generic"}} "#);
    metrics.lines().find_map(|line| line.strip_prefix(&series)).map_or(0, |n| n.trim().parse().expect("count"))
}

async fn lease_left_ms(pool: &sqlx::PgPool, ticket: &str) -> f64 {
    sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM lease_expires_at - now())::float8 * 1000 FROM enhancement_history \
         WHERE ticket_id = $1",
    )
    .bind(ticket)
    .fetch_one(pool)
    .await
    .expect("lease")
}

#[tokio::test]
async fn a_killed_workers_job_is_taken_over_within_one_lease_and_noted_once() {
    let p = pipeline(SHORT_LEASE).await;
    // The doomed worker reaches the broker through a proxy, so its connection can die with it.
    let proxy = CuttableProxy::start("127.0.0.1:5672".parse().expect("address")).await;
    let mut doomed = p.worker_config.clone();
    doomed.amqp.url = SecretString::from(proxy.amqp_url());
    p.tool.delay_tickets(Duration::from_secs(60));
    let first = TestWorker::spawn(&doomed).await;
    send(&p, "kill9").await;
    wait_for_status(&p.db.pool, "acme", "kill9", "running", Duration::from_secs(30)).await;
    // Stuck in the slow tool for longer than a lease, the claim is still held: the heartbeat renews it.
    tokio::time::sleep(LEASE + Duration::from_secs(1)).await;
    assert_eq!(history_for(&p.db.pool, "acme", "kill9").await.expect("row").status, "running");
    assert!(lease_left_ms(&p.db.pool, "kill9").await > 0.0, "the heartbeat renewed the lease");

    first.kill().await;
    proxy.cut();
    let killed = Instant::now();
    p.tool.delay_tickets(Duration::ZERO);
    // Same `worker.id` (the pipeline's), another process: it must wait for the dead one's lease.
    let second = TestWorker::spawn(&p.worker_config).await;
    let row = wait_for_status(&p.db.pool, "acme", "kill9", "completed", Duration::from_secs(60)).await;
    let took = killed.elapsed();

    // The redelivered job finds the lease alive (at most one lease left) and is deferred to the shortest
    // delay tier that outlasts it; then it is taken over. Generous margin for a loaded machine.
    let bound = LEASE + RetryTier::S5.delay() + Duration::from_secs(7);
    assert!(took < bound, "taken over and completed {took:?} after the kill; bound {bound:?}");
    assert_eq!(row.attempts, 2, "the takeover is a second run (and looked for the note before posting)");
    assert_eq!(p.tool.notes_for("kill9").len(), 1, "exactly one note");
    second.stop().await;
}

#[tokio::test]
async fn two_workers_sharing_a_worker_id_never_run_one_job_at_once() {
    let p = pipeline(SHORT_LEASE).await;
    send(&p, "shared").await;
    let (job, headers) = p.ingest.take_job().await.expect("job");
    let headers = JobHeaders::from_field_table(&headers);
    // Longer than two leases: only the heartbeat keeps the claim for the whole run.
    p.tool.delay_tickets(LEASE * 2 + Duration::from_secs(1));
    // One slot: while it runs the job, every copy goes to the other worker.
    let mut busy = p.worker_config.clone();
    busy.worker.concurrency = 1;
    let first = TestWorker::spawn(&busy).await;
    p.ingest.state.publisher.publish_job(&job, &headers).await.expect("publish");
    wait_for_status(&p.db.pool, "acme", "shared", "running", Duration::from_secs(30)).await;

    let second = TestWorker::spawn(&p.worker_config).await;
    assert_eq!(first.worker.ctx.worker_id, second.worker.ctx.worker_id, "one worker.id for both");
    for _ in 0..3 {
        p.ingest.state.publisher.publish_job(&job, &headers).await.expect("publish copy");
    }
    let row = wait_for_status(&p.db.pool, "acme", "shared", "completed", Duration::from_secs(60)).await;
    assert_eq!(row.attempts, 1, "nobody took the job over while its worker ran it");
    let (one, two) = (first.worker.ctx.clone(), second.worker.ctx.clone());
    let both = |outcome: &str| jobs(&one.metrics.render(), outcome) + jobs(&two.metrics.render(), outcome);
    // Copies come back from their delay tier to either worker once the job is done.
    eventually(Duration::from_secs(60), "every copy was skipped", || both("skipped") == 3).await;
    assert!(jobs(&two.metrics.render(), "deferred") >= 1, "the second worker met the live claim and waited");
    assert_eq!(jobs(&two.metrics.render(), "completed"), 0, "the second worker never ran the job");
    assert_eq!(p.tool.notes_for("shared").len(), 1, "exactly one note");
    second.stop().await;
    first.stop().await;
}
