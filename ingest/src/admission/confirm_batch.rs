//! Marking dedup keys `done` after the broker confirmed, off the request path and in batches. The answer to
//! the tool does not wait for this write: the job is already durable in the broker, and the key meanwhile
//! holds `pending:<job id>`, which a redelivery waits on until it turns `done` (see `super::dedup`). One
//! script call marks every confirm that queued up while the previous call was in flight, so under load a
//! webhook costs one Redis round trip (the admission script) instead of two (docs/BENCHMARKS.md).
//!
//! If a confirm is lost (Redis away, the queue full, the process killed before the batch went out), the
//! pending marker expires after twice the publish wait and a later redelivery is queued again; the worker's
//! claim in PostgreSQL then drops it. Each loss is counted in `enhancer_ingest_redis_fallbacks_total`.

use std::sync::Arc;
use std::time::Duration;

use prometheus::IntCounter;
use tokio::sync::mpsc;
use uuid::Uuid;

use super::dedup::{done_marker, pending_marker};
use super::redis_link::RedisLink;
use super::scripts::Scripts;

/// Confirms waiting at most; beyond this (Redis far slower than the webhooks) new ones are dropped.
const QUEUE_CAPACITY: usize = 10_000;
/// Confirms per script call.
const MAX_BATCH: usize = 256;

/// One confirmed publish: its dedup key and job id.
type Confirmed = (String, Uuid);

/// The sending side, held by every request.
#[derive(Debug, Clone)]
pub(super) struct ConfirmQueue {
    sender: mpsc::Sender<Confirmed>,
    lost: IntCounter,
}

impl ConfirmQueue {
    /// Starts the task that writes confirms; it ends once every queue handle is dropped and it has drained.
    /// `ttl` is how long a `done` key then answers `duplicate`; `lost` counts confirms never written.
    pub(super) fn spawn(redis: RedisLink, scripts: Arc<Scripts>, ttl: Duration, lost: IntCounter) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        tokio::spawn(write_batches(redis, scripts, ttl_ms, receiver, lost.clone()));
        Self { sender, lost }
    }

    /// Queues `key` to be marked done for `job_id`; never waits.
    pub(super) fn push(&self, key: String, job_id: Uuid) {
        if self.sender.try_send((key, job_id)).is_err() {
            self.lost.inc();
        }
    }
}

async fn write_batches(
    redis: RedisLink,
    scripts: Arc<Scripts>,
    ttl_ms: u64,
    mut receiver: mpsc::Receiver<Confirmed>,
    lost: IntCounter,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let written = redis
            .run(|mut c| {
                let mut invocation = scripts.confirm_many.prepare_invoke();
                for (key, job_id) in &batch {
                    invocation.key(key).arg(pending_marker(*job_id)).arg(done_marker(*job_id));
                }
                invocation.arg(ttl_ms);
                async move { invocation.invoke_async::<i64>(&mut c).await }
            })
            .await;
        if let Err(err) = written {
            tracing::warn!(error = %err, confirms = batch.len(), "dedup confirms not written; the keys expire by themselves");
            lost.inc_by(batch.len() as u64);
        }
        batch.clear();
    }
}
