//! The consumer loop: `ENHANCER_WORKER__CONCURRENCY` jobs in flight, prefetch to match, every ack checked
//! and bounded in time, reconnection when the broker goes away, and a drain on shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use enhancer_shared::queue::{self, Topology};
use futures_util::StreamExt as _;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use secrecy::SecretString;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use crate::job::{Settlement, WorkerContext, process};

/// How long settling one delivery (its ack or nack) may take. It is one frame, but lapin can leave its
/// promise pending for good when the connection dies while the frame waits to be written (a broker node
/// killed mid-stream; the chaos run of docs/RELIABILITY.md found it). Unbounded, such a settlement keeps
/// its job's slot forever, and once every slot is held the worker consumes nothing more although its
/// connection recovers. The message itself is safe: unsettled, it returns to the queue with the connection.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the consumer runs.
#[derive(Debug, Clone)]
pub struct ConsumerOptions {
    pub amqp_url: SecretString,
    pub topology: Topology,
    pub concurrency: u32,
    /// On shutdown, in-flight jobs get this long; the rest are returned to the queue unacknowledged.
    pub drain_grace: Duration,
}

/// Whether the consumer is attached to the jobs queue right now (for `/readyz`).
#[derive(Debug, Clone, Default)]
pub struct ConsumerState {
    consuming: Arc<AtomicBool>,
}

impl ConsumerState {
    pub fn is_consuming(&self) -> bool {
        self.consuming.load(Ordering::SeqCst)
    }
}

/// Consumes until `shutdown` flips to true, then drains. Broker trouble never ends the loop: it reconnects
/// with backoff.
pub async fn run(
    ctx: Arc<WorkerContext>,
    options: ConsumerOptions,
    state: ConsumerState,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(options.concurrency as usize));
    let mut tasks: JoinSet<()> = JoinSet::new();
    let mut backoff = Duration::from_millis(500);
    'connect: while !*shutdown.borrow() {
        let mut session = match open(&options).await {
            Ok(session) => session,
            Err(err) => {
                tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "cannot consume yet");
                tokio::select! {
                    _ = tokio::time::sleep(backoff) => {}
                    _ = shutdown.changed() => {}
                }
                backoff = (backoff * 2).min(Duration::from_secs(15));
                continue;
            }
        };
        backoff = Duration::from_millis(500);
        state.consuming.store(true, Ordering::SeqCst);
        tracing::info!(queue = %options.topology.jobs_queue(), concurrency = options.concurrency, "consuming");
        let monitor = tokio::spawn(monitor_depths(Arc::clone(&ctx), session.channel.clone(), options.topology.clone()));
        let consumer = &mut session.consumer;
        // Notified by a settlement that did not complete in time: this session's channel is broken even if
        // lapin does not say so, and a new connection is opened.
        let broken = Arc::new(Notify::new());
        loop {
            // Wait for a free slot first, so the prefetch window and the slots agree.
            let permit = tokio::select! {
                permit = Arc::clone(&slots).acquire_owned() => permit.expect("the semaphore is never closed"),
                _ = shutdown.changed() => break,
                _ = broken.notified() => break,
            };
            let next = tokio::select! {
                next = consumer.next() => next,
                _ = shutdown.changed() => break,
                _ = broken.notified() => break,
            };
            match next {
                Some(Ok(delivery)) => {
                    ctx.metrics.last_consumed.set(chrono::Utc::now().timestamp() as f64);
                    let ctx = Arc::clone(&ctx);
                    let broken = Arc::clone(&broken);
                    tasks.spawn(async move {
                        ctx.metrics.in_flight.inc();
                        if !handle(&ctx, delivery).await {
                            broken.notify_one();
                        }
                        ctx.metrics.in_flight.dec();
                        drop(permit);
                    });
                }
                Some(Err(err)) => {
                    tracing::warn!(error = %err, "consumer error; reconnecting");
                    break;
                }
                None => {
                    // The broker cancelled the consumer (queue deleted, node failover): start again.
                    tracing::warn!("consumer was cancelled by the broker; reconnecting");
                    break;
                }
            }
            // Reap finished tasks so the set does not grow.
            while tasks.try_join_next().is_some() {}
        }
        state.consuming.store(false, Ordering::SeqCst);
        monitor.abort();
        if *shutdown.borrow() {
            let _ = session.channel.basic_cancel(session.consumer.tag(), BasicCancelOptions::default()).await;
            drain(&mut tasks, options.drain_grace).await;
            let _ = session.channel.close(200, "shutdown".into()).await;
            let _ = session.connection.close(200, "shutdown".into()).await;
            break 'connect;
        }
        // A broken session: close it (which returns whatever it still holds unacknowledged to the queue),
        // bounded, since a broken connection may not answer, and connect again. Jobs still running on it
        // keep their slots until they are done; their settlements fail or time out.
        tracing::warn!("a delivery could not be settled in time; reconnecting");
        let _ =
            tokio::time::timeout(Duration::from_secs(5), session.connection.close(200, "reconnecting".into())).await;
    }
    drain(&mut tasks, options.drain_grace).await;
}

struct Session {
    connection: lapin::Connection,
    channel: lapin::Channel,
    consumer: lapin::Consumer,
}

async fn open(options: &ConsumerOptions) -> Result<Session, queue::QueueError> {
    let connection = queue::connect(&options.amqp_url, "enhancer-worker", Duration::from_secs(10)).await?;
    let channel = connection
        .create_channel()
        .await
        .map_err(|source| queue::QueueError::Channel { operation: "channel.open", source })?;
    queue::declare(&channel, &options.topology).await?;
    // Prefetch equals the slots: the broker never hands this worker more than it can run at once, so a
    // message is never stuck behind a busy worker while another one idles.
    let prefetch = u16::try_from(options.concurrency).unwrap_or(u16::MAX);
    channel
        .basic_qos(prefetch, BasicQosOptions::default())
        .await
        .map_err(|source| queue::QueueError::Channel { operation: "basic.qos", source })?;
    let consumer = channel
        .basic_consume(
            options.topology.jobs_queue().as_str().into(),
            "enhancer-worker".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|source| queue::QueueError::Channel { operation: "basic.consume", source })?;
    Ok(Session { connection, channel, consumer })
}

/// Runs one delivery and settles it; `false` when the settlement did not complete within
/// [`SETTLE_TIMEOUT`] (the session is then broken). An ack that returns `Ok(false)` was not delivered (the
/// channel was recovered in between): the broker sends the message again, and the claim makes that
/// harmless.
async fn handle(ctx: &WorkerContext, delivery: Delivery) -> bool {
    let started = std::time::Instant::now();
    let settlement = process(ctx, &delivery).await;
    let mut settled = true;
    match settlement {
        Settlement::Ack => {
            match tokio::time::timeout(SETTLE_TIMEOUT, delivery.acker.ack(BasicAckOptions::default())).await {
                Ok(Ok(true)) => {}
                Ok(Ok(false)) => tracing::warn!("ack not delivered (channel recovered); the message will come again"),
                Ok(Err(err)) => tracing::warn!(error = %err, "ack failed; the message will come again"),
                Err(_) => {
                    tracing::warn!("ack did not complete in time; the message will come again");
                    settled = false;
                }
            }
        }
        Settlement::Requeue => {
            // nack (not reject) with requeue: on RabbitMQ 4.3+ it does not count towards the delivery limit.
            let nack = delivery.acker.nack(BasicNackOptions { requeue: true, ..BasicNackOptions::default() });
            match tokio::time::timeout(SETTLE_TIMEOUT, nack).await {
                Ok(Ok(_)) => {}
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "nack failed; the message returns when the channel closes");
                }
                Err(_) => {
                    tracing::warn!("nack did not complete in time; the message returns when the channel closes");
                    settled = false;
                }
            }
        }
        // Leave it unacknowledged: it returns to the queue when this connection closes.
        #[cfg(feature = "fault-injection")]
        Settlement::Crash => tracing::error!("fault point: crashing after the note was posted"),
    }
    // The metric's label is still called `disposal` (a dashboard contract).
    let label = match settlement {
        Settlement::Ack => "ack",
        Settlement::Requeue => "requeue",
        #[cfg(feature = "fault-injection")]
        Settlement::Crash => "crash",
    };
    ctx.metrics.job_duration.with_label_values(&[label]).observe(started.elapsed().as_secs_f64());
    settled
}

/// Waits for in-flight jobs up to `grace`, then abandons the rest (their messages return to the queue).
async fn drain(tasks: &mut JoinSet<()>, grace: Duration) {
    if tasks.is_empty() {
        return;
    }
    tracing::info!(in_flight = tasks.len(), grace_secs = grace.as_secs(), "draining in-flight jobs");
    let drained = tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(abandoned = tasks.len(), "drain grace ran out; unfinished jobs return to the queue");
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
}

/// Publishes the depth of every queue of the topology as a gauge, every 15 s.
async fn monitor_depths(ctx: Arc<WorkerContext>, channel: lapin::Channel, topology: Topology) {
    loop {
        for queue in topology.queues() {
            let declared = channel
                .queue_declare(
                    queue.as_str().into(),
                    QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() },
                    FieldTable::default(),
                )
                .await;
            if let Ok(declared) = declared {
                ctx.metrics.queue_messages.with_label_values(&[&queue]).set(f64::from(declared.message_count()));
            }
        }
        tokio::time::sleep(Duration::from_secs(15)).await;
    }
}
