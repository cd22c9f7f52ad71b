//! An `enhancer-worker` consuming in process, and helpers that wait for outcomes in
//! `enhancement_history` by polling against a deadline (never a bare sleep as the assertion).

use std::sync::Arc;
use std::time::{Duration, Instant};

use enhancer_shared::config::Config;
use enhancer_worker::run::{Worker, build};
use sqlx::PgPool;
use tokio::sync::watch;

#[derive(Debug)]
pub struct TestWorker {
    pub worker: Arc<Worker>,
    shutdown: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl TestWorker {
    pub async fn spawn(config: &Config) -> TestWorker {
        let worker = Arc::new(build(config).await.expect("worker builds"));
        let (shutdown, rx) = watch::channel(false);
        let running = Arc::clone(&worker);
        let handle = tokio::spawn(async move { running.run(rx).await });
        let test_worker = TestWorker { worker, shutdown, handle };
        test_worker.wait_consuming().await;
        test_worker
    }

    async fn wait_consuming(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.worker.state.is_consuming() {
            assert!(Instant::now() < deadline, "the worker did not start consuming");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `kill -9`, as far as one process can do it to a part of itself: the worker's task and its jobs stop
    /// where they are, with no drain, no recorded outcome and no release of its claims (their heartbeats
    /// stop with the jobs). Its sockets are not closed by this: a test that needs the broker to return the
    /// unacknowledged messages runs the worker through a [`crate::proxy::CuttableProxy`] and cuts it.
    pub async fn kill(self) {
        self.handle.abort();
        let ended = self.handle.await;
        assert!(ended.as_ref().is_err_and(tokio::task::JoinError::is_cancelled), "the worker was killed: {ended:?}");
    }

    /// SIGTERM: stop consuming, drain, close.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        self.handle.await.expect("worker task");
    }
}

/// One row of `enhancement_history`, as tests look at it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRow {
    pub job_id: uuid::Uuid,
    pub ticket_id: String,
    pub status: String,
    pub attempts: i32,
    pub gather_ms: Option<i32>,
    pub synthesize_ms: Option<i32>,
    pub update_ms: Option<i32>,
    pub note_ref: Option<String>,
    pub model: Option<String>,
    pub error_class: Option<String>,
    pub error_stage: Option<String>,
    pub ignored_reason: Option<String>,
}

pub async fn history_for(pool: &PgPool, tenant: &str, ticket: &str) -> Option<HistoryRow> {
    sqlx::query_as(
        "SELECT job_id, ticket_id, status, attempts, gather_ms, synthesize_ms, update_ms, note_ref, model, \
         error_class, error_stage, ignored_reason FROM enhancement_history WHERE tenant_id = $1 AND ticket_id = $2 \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(tenant)
    .bind(ticket)
    .fetch_optional(pool)
    .await
    .expect("history query")
}

/// Waits until the ticket's history row has `status`, or panics after `within`.
pub async fn wait_for_status(pool: &PgPool, tenant: &str, ticket: &str, status: &str, within: Duration) -> HistoryRow {
    let deadline = Instant::now() + within;
    loop {
        let row = history_for(pool, tenant, ticket).await;
        if let Some(row) = &row
            && row.status == status
        {
            return row.clone();
        }
        assert!(Instant::now() < deadline, "ticket {ticket} did not reach {status} within {within:?}; last: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls `check` until it is true or `within` passes.
pub async fn eventually(within: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
