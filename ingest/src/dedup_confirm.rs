//! Marking dedup keys `done` after the broker confirmed, off the request path and in batches. The answer to
//! the tool does not wait for this write: the job is already durable in the broker, and the key meanwhile
//! holds `pending:<job id>`, which a redelivery waits on until it turns `done` (see `crate::dedup`). One
//! script call marks every confirm that queued up while the previous call was in flight, so under load a
//! webhook costs one Redis round trip (the admission script) instead of two (docs/BENCHMARKS.md).
//!
//! If a confirm is lost (Redis away, the queue full, the process killed before the batch went out), the
//! pending marker expires after twice the publish wait and a later redelivery is queued again; the worker's
//! claim in PostgreSQL then drops it. Each loss is counted in `enhancer_ingest_redis_fallbacks_total`.

use std::time::Duration;

use prometheus::IntCounter;
use redis::Script;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::dedup::Dedup;
use crate::redis_link::RedisLink;

/// Confirms waiting at most; beyond this (Redis far slower than the webhooks) new ones are dropped.
const QUEUE_CAPACITY: usize = 10_000;
/// Confirms per script call.
const MAX_BATCH: usize = 256;

/// KEYS: dedup keys. ARGV: pending marker and done value for each key in turn, then the TTL in ms. A key is
/// moved to done only if it still holds our pending marker (never someone else's claim).
const CONFIRM_MANY: &str = r"
local ttl = ARGV[#ARGV]
local moved = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[2 * i - 1] then
    redis.call('SET', key, ARGV[2 * i], 'PX', ttl)
    moved = moved + 1
  end
end
return moved";

/// One confirmed publish: its dedup key and job id.
type Confirmed = (String, Uuid);

/// The sending side, held by every request.
#[derive(Debug, Clone)]
pub struct ConfirmQueue {
    sender: mpsc::Sender<Confirmed>,
    lost: IntCounter,
}

impl ConfirmQueue {
    /// Starts the task that writes confirms; it ends once every queue handle is dropped and it has drained.
    pub fn spawn(redis: RedisLink, ttl: Duration, lost: IntCounter) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE_CAPACITY);
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        tokio::spawn(write_batches(redis, ttl_ms, receiver, lost.clone()));
        Self { sender, lost }
    }

    /// Queues `key` to be marked done for `job_id`; never waits.
    pub fn push(&self, key: String, job_id: Uuid) {
        if self.sender.try_send((key, job_id)).is_err() {
            self.lost.inc();
        }
    }
}

async fn write_batches(redis: RedisLink, ttl_ms: u64, mut receiver: mpsc::Receiver<Confirmed>, lost: IntCounter) {
    let script = Script::new(CONFIRM_MANY);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let written = redis
            .run(|mut c| {
                let mut invocation = script.prepare_invoke();
                for (key, job_id) in &batch {
                    invocation.key(key).arg(Dedup::pending_marker(*job_id)).arg(format!("done:{job_id}"));
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
