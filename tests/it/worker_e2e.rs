//! End to end: a signed webhook into ingest, through RabbitMQ, a worker, and a note on a tool that speaks
//! the generic plugin's API (wiremock), with the failures the worker must survive.

use std::sync::atomic::Ordering;
use std::time::Duration;

use enhancer_shared::domain::ToolKind;
use enhancer_shared::queue::JobHeaders;
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::TestDb;
use enhancer_tests::fake_tool::{Failure, Recording};
use enhancer_tests::signing::generic_created;
use enhancer_tests::stack::LocalStack;
use enhancer_tests::worker::{TestWorker, eventually, history_for, wait_for_status};

use crate::ingest_contract::{generic_secrets, post_signed};

/// A test's database and the local stack on it; `worker_config` is the stack's configuration with the
/// test's worker settings on top.
pub struct Pipeline {
    // Fields drop in order: the stack (ingest, its queues) before the database.
    pub stack: LocalStack,
    pub worker_config: enhancer_shared::config::Config,
    pub db: TestDb,
}

impl std::ops::Deref for Pipeline {
    type Target = LocalStack;
    fn deref(&self) -> &LocalStack {
        &self.stack
    }
}

pub async fn pipeline(worker_env: &[(&str, &str)]) -> Pipeline {
    let db = TestDb::migrated().await;
    let prefix = enhancer_tests::broker::unique_prefix();
    let mut env = vec![
        ("ENHANCER_QUEUE__PREFIX", prefix.as_str()),
        ("ENHANCER_WORKER__CONCURRENCY", "8"),
        ("ENHANCER_WORKER__ID", "test-worker"),
        ("ENHANCER_OUTBOUND__REQUEST_TIMEOUT_SECS", "5"),
        // The fake tool listens on loopback, which the outbound policy refuses by default.
        ("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS", "true"),
    ];
    let stack = LocalStack::start(db.config_with(&env), Recording::Full).await.expect("the local stack starts");
    stack
        .add_tenant(&db.pool, "acme", ToolKind::Generic, &generic_secrets(), TenantSettings::default())
        .await
        .expect("tenant");
    env.extend_from_slice(worker_env);
    let worker_config = db.config_with(&env);
    Pipeline { stack, worker_config, db }
}

pub async fn send(p: &Pipeline, ticket: &str) {
    let response =
        post_signed(&p.ingest, "acme", &format!("delivery-{ticket}"), &generic_created(ticket, "VPN drops")).await;
    assert_eq!(response.status(), 202);
}

const WITHIN: Duration = Duration::from_secs(30);

#[tokio::test]
async fn one_webhook_becomes_exactly_one_internal_note() {
    let p = pipeline(&[]).await;
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "4711").await;
    let row = wait_for_status(&p.db.pool, "acme", "4711", "completed", WITHIN).await;
    let notes = p.tool.notes_for("4711");
    assert_eq!(notes.len(), 1);
    let note = &notes[0].body;
    let marker = format!("ticket-enhancer:{}", row.job_id);
    assert_eq!(note["marker"], marker.as_str());
    assert_eq!(note["internal"], true, "the note is internal, never public");
    assert!(note["body_markdown"].as_str().expect("markdown").contains("## Summary"));
    assert!(note["body_markdown"].as_str().expect("markdown").contains(&marker));
    assert_eq!(row.attempts, 1);
    assert_eq!(row.note_ref.as_deref(), Some(notes[0].id.to_string().as_str()));
    assert_eq!(row.model.as_deref(), Some("offline"));
    assert!(row.gather_ms.is_some() && row.synthesize_ms.is_some() && row.update_ms.is_some(), "{row:?}");
    // The outcome is counted after it is durable, so the row can be seen a moment before the counter.
    let ctx = worker.worker.ctx.clone();
    eventually(WITHIN, "the completed job counted", || {
        ctx.metrics
            .render()
            .contains(r#"enhancer_worker_jobs_total{outcome="completed",tenant="acme",tool="generic"} 1"#)
    })
    .await;
    worker.stop().await;
}

#[tokio::test]
async fn transient_failures_are_retried_until_the_note_is_posted_once() {
    let p = pipeline(&[]).await;
    p.tool.fail_notes_with(vec![Failure::status(500), Failure::status(500)]);
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "500").await;
    // Tiers of 5 s and 30 s lie between the three attempts.
    let row = wait_for_status(&p.db.pool, "acme", "500", "completed", Duration::from_secs(90)).await;
    assert_eq!(row.attempts, 3);
    assert_eq!(p.tool.notes_for("500").len(), 1);
    assert_eq!(p.tool.note_attempts().len(), 3);
    worker.stop().await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let p = pipeline(&[]).await;
    p.tool.fail_notes_with(vec![Failure::status(429).retry_after("2")]);
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "429").await;
    wait_for_status(&p.db.pool, "acme", "429", "completed", WITHIN).await;
    let attempts = p.tool.note_attempts();
    assert_eq!(attempts.len(), 2);
    let waited = attempts[1] - attempts[0];
    assert!(waited >= Duration::from_secs(2), "the retry came after {waited:?}");
    assert_eq!(p.tool.notes_for("429").len(), 1);
    worker.stop().await;
}

#[tokio::test]
async fn a_permanent_failure_is_dead_lettered_at_once_and_replay_posts_the_note() {
    let p = pipeline(&[]).await;
    p.tool.fail_notes_with(vec![Failure::status(404)]);
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "404").await;
    let row = wait_for_status(&p.db.pool, "acme", "404", "dead_lettered", WITHIN).await;
    assert_eq!(row.error_class.as_deref(), Some("permanent"));
    assert_eq!(row.error_stage.as_deref(), Some("update"));
    assert_eq!(p.tool.note_attempts().len(), 1, "a permanent failure is not retried");

    let dead = enhancer_tests::run_cli(&p.worker_config, &["dlq", "list", "--json"], "").await;
    let dead: serde_json::Value = serde_json::from_str(dead.ok()).expect("json");
    assert_eq!(dead[0]["error_class"], "permanent");
    assert_eq!(dead[0]["stage"], "update");
    assert_eq!(dead[0]["tenant_id"], "acme");
    assert_eq!(dead[0]["ticket_id"], "404");

    // The tool is fixed (the scripted failure is used up); the operator replays.
    let replay = enhancer_tests::run_cli(&p.worker_config, &["dlq", "replay", "--all"], "").await;
    assert!(replay.ok().contains("replayed 1"), "{}", replay.ok());
    let row = wait_for_status(&p.db.pool, "acme", "404", "completed", WITHIN).await;
    assert_eq!(p.tool.notes_for("404").len(), 1);
    assert_eq!(row.attempts, 2);
    worker.stop().await;
}

#[tokio::test]
async fn the_same_job_delivered_twice_posts_one_note() {
    let p = pipeline(&[]).await;
    send(&p, "dup").await;
    // A second copy of the very message ingest published (as a publish retry or redelivery would make).
    let (job, headers) = p.ingest.take_job().await.expect("job");
    for _ in 0..2 {
        p.ingest.state.publisher.publish_job(&job, &JobHeaders::from_field_table(&headers)).await.expect("publish");
    }
    let worker = TestWorker::spawn(&p.worker_config).await;
    wait_for_status(&p.db.pool, "acme", "dup", "completed", WITHIN).await;
    // The second copy is skipped as already done, at once or after a deferral (a 30 s tier) if both
    // copies arrived together; only then is the count final.
    eventually(Duration::from_secs(60), "the second copy was skipped", || {
        worker.worker.ctx.metrics.render().contains(r#"outcome="skipped""#)
    })
    .await;
    assert_eq!(p.tool.notes_for("dup").len(), 1, "a duplicate note is a defect");
    worker.stop().await;
}

#[tokio::test]
async fn a_worker_killed_after_posting_leaves_exactly_one_note_after_restart() {
    let p = pipeline(&[]).await;
    let first = TestWorker::spawn(&p.worker_config).await;
    first.worker.ctx.faults.crash_after_post.store(true, Ordering::SeqCst);
    send(&p, "crash").await;
    let tool = p.tool.clone();
    eventually(WITHIN, "the note was posted", || tool.notes_for("crash").len() == 1).await;
    // Killed: the outcome was never recorded and the message never acknowledged.
    first.stop().await;
    assert_eq!(history_for(&p.db.pool, "acme", "crash").await.expect("row").status, "running");

    let second = TestWorker::spawn(&p.worker_config).await;
    let row = wait_for_status(&p.db.pool, "acme", "crash", "completed", WITHIN).await;
    assert_eq!(p.tool.notes_for("crash").len(), 1, "the restarted worker found the note instead of posting again");
    assert_eq!(row.attempts, 2);
    second.stop().await;
}

#[tokio::test]
async fn sigterm_during_a_slow_job_lets_it_finish() {
    let p = pipeline(&[("ENHANCER_WORKER__DRAIN_GRACE_SECS", "20")]).await;
    p.tool.delay_tickets(Duration::from_secs(2));
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "slow").await;
    let ctx = worker.worker.ctx.clone();
    eventually(WITHIN, "the job is in flight", || ctx.metrics.in_flight.get() == 1).await;
    worker.stop().await;
    let row = history_for(&p.db.pool, "acme", "slow").await.expect("row");
    assert_eq!(row.status, "completed", "the drain let the job finish");
    assert_eq!(p.tool.notes_for("slow").len(), 1);
}

#[tokio::test]
async fn sigterm_with_a_short_grace_returns_the_job_to_the_queue() {
    let p = pipeline(&[("ENHANCER_WORKER__DRAIN_GRACE_SECS", "1")]).await;
    p.tool.delay_tickets(Duration::from_secs(4));
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "abandoned").await;
    let ctx = worker.worker.ctx.clone();
    eventually(WITHIN, "the job is in flight", || ctx.metrics.in_flight.get() == 1).await;
    worker.stop().await;
    assert!(p.tool.notes_for("abandoned").is_empty());

    p.tool.delay_tickets(Duration::ZERO);
    let again = TestWorker::spawn(&p.worker_config).await;
    wait_for_status(&p.db.pool, "acme", "abandoned", "completed", WITHIN).await;
    assert_eq!(p.tool.notes_for("abandoned").len(), 1, "nothing lost, nothing doubled");
    again.stop().await;
}

#[tokio::test]
async fn a_dropped_broker_connection_resumes_processing() {
    let proxy = enhancer_tests::proxy::CuttableProxy::start("127.0.0.1:5672".parse().expect("address")).await;
    let url = proxy.amqp_url();
    let p = pipeline(&[("ENHANCER_AMQP__URL", &url)]).await;
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "before").await;
    wait_for_status(&p.db.pool, "acme", "before", "completed", WITHIN).await;

    proxy.cut();
    tokio::time::sleep(Duration::from_millis(500)).await;
    proxy.restore();
    send(&p, "after").await;
    wait_for_status(&p.db.pool, "acme", "after", "completed", Duration::from_secs(60)).await;
    assert_eq!(p.tool.notes_for("after").len(), 1);
    worker.stop().await;
}

#[tokio::test]
async fn a_job_for_a_disabled_tenant_is_ignored_not_retried() {
    let p = pipeline(&[]).await;
    send(&p, "off").await;
    enhancer_tests::run_cli(&p.db.config(), &["tenant", "disable", "acme"], "").await.ok();
    let worker = TestWorker::spawn(&p.worker_config).await;
    let row = wait_for_status(&p.db.pool, "acme", "off", "ignored", WITHIN).await;
    assert_eq!(row.ignored_reason.as_deref(), Some("tenant disabled"));
    assert!(p.tool.notes().is_empty());
    worker.stop().await;
}

#[tokio::test]
async fn an_unparsable_message_goes_straight_to_the_dead_letter_queue() {
    let p = pipeline(&[]).await;
    // The dead letter it produces stays in its queue.
    p.ingest.broker.expect_leftovers();
    let route = p.ingest.topology.jobs_route();
    p.ingest
        .state
        .publisher
        .publish(&route, "garbage-1", b"{not a job", JobHeaders::default().to_field_table())
        .await
        .expect("publish");
    let worker = TestWorker::spawn(&p.worker_config).await;
    let ctx = worker.worker.ctx.clone();
    eventually(WITHIN, "dead-lettered", || ctx.metrics.render().contains(r#"stage="decode""#)).await;
    let dead = enhancer_tests::run_cli(&p.worker_config, &["dlq", "list", "--json"], "").await;
    let dead: serde_json::Value = serde_json::from_str(dead.ok()).expect("json");
    assert_eq!(dead[0]["id"], "garbage-1");
    assert_eq!(dead[0]["error_class"], "permanent");
    worker.stop().await;
}

#[tokio::test]
async fn a_tenant_on_loopback_is_refused_by_a_worker_with_the_strict_default() {
    // The tenant was stored (here straight through the store, as under a permissive configuration) with a
    // loopback base URL; this worker runs with the default `outbound.allow_private_networks = false`.
    let p = pipeline(&[("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS", "false")]).await;
    assert!(!p.worker_config.outbound.allow_private_networks);
    let worker = TestWorker::spawn(&p.worker_config).await;
    send(&p, "ssrf").await;
    let row = wait_for_status(&p.db.pool, "acme", "ssrf", "dead_lettered", WITHIN).await;
    assert_eq!(row.error_class.as_deref(), Some("permanent"), "a refused address is not retried");
    assert_eq!(row.attempts, 1);
    assert!(p.tool.notes_for("ssrf").is_empty());
    assert!(p.tool.note_attempts().is_empty(), "nothing reached the tool");
    let dead = enhancer_tests::run_cli(&p.worker_config, &["dlq", "list", "--json"], "").await;
    let dead: serde_json::Value = serde_json::from_str(dead.ok()).expect("json");
    let message = dead[0]["error_message"].as_str().unwrap_or_default();
    assert!(message.contains("outbound address policy refuses 127.0.0.1"), "{message}");
    assert!(message.contains("ALLOW_PRIVATE_NETWORKS"), "{message}");
    p.ingest.broker.expect_leftovers();
    worker.stop().await;
}
