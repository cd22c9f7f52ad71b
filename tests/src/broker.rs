//! [`TestBroker`]: a test's view of its queues on the local RabbitMQ (`ENHANCER_AMQP__URL`, or the local
//! default): take and count jobs and dead letters, and on drop delete the test's queues, after asserting,
//! as the crates.io test app does for its job queue, that no job or dead letter was left behind unless the
//! test said it expected some. A leftover job means a webhook that was accepted and never looked at.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use enhancer_shared::domain::EnhancementJob;
use enhancer_shared::queue::{self, Topology};
use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use secrecy::SecretString;

/// The broker tests use: `ENHANCER_AMQP__URL` when set (as the binaries read it), else the local one.
pub fn amqp_url() -> SecretString {
    SecretString::from(
        std::env::var("ENHANCER_AMQP__URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into()),
    )
}

/// A unique queue prefix, so tests sharing the broker never see each other's messages.
pub fn unique_prefix() -> String {
    format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

#[derive(Debug)]
pub struct TestBroker {
    pub topology: Topology,
    pub channel: lapin::Channel,
    _connection: lapin::Connection,
    leftovers_expected: AtomicBool,
}

impl TestBroker {
    /// Connects for `topology`'s queues (declared by whoever publishes or consumes).
    pub async fn connect(topology: Topology) -> TestBroker {
        let connection = queue::connect(&amqp_url(), "test-broker", Duration::from_secs(10))
            .await
            .expect("the test broker connects");
        let channel = connection.create_channel().await.expect("channel");
        TestBroker { topology, channel, _connection: connection, leftovers_expected: AtomicBool::new(false) }
    }

    /// This test leaves jobs or dead letters behind on purpose (it checks what ingest accepted, not what a
    /// worker did with it); the drop check is skipped.
    pub fn expect_leftovers(&self) {
        self.leftovers_expected.store(true, Ordering::Relaxed);
    }

    /// Takes the next job from `{prefix}.jobs`, with its headers; `None` when the queue is empty.
    pub async fn take_job(&self) -> Option<(EnhancementJob, FieldTable)> {
        let message = self
            .channel
            .basic_get(self.topology.jobs_queue().as_str().into(), BasicGetOptions::default())
            .await
            .expect("basic_get")?;
        message.delivery.acker.ack(BasicAckOptions::default()).await.expect("ack");
        let headers = message.delivery.properties.headers().clone().unwrap_or_default();
        Some((EnhancementJob::from_json(&message.delivery.data).expect("a valid job body"), headers))
    }

    /// Messages ready in `{prefix}.jobs`.
    pub async fn jobs_ready(&self) -> u32 {
        ready(&self.channel, &self.topology.jobs_queue()).await.expect("passive declare of the jobs queue")
    }

    /// Messages ready in `{prefix}.dead`.
    pub async fn dead_letters(&self) -> u32 {
        ready(&self.channel, &self.topology.dead_queue()).await.expect("passive declare of the dead queue")
    }
}

async fn ready(channel: &lapin::Channel, queue: &str) -> Result<u32, lapin::Error> {
    let options = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
    Ok(channel.queue_declare(queue.into(), options, FieldTable::default()).await?.message_count())
}

impl Drop for TestBroker {
    fn drop(&mut self) {
        let leftovers = delete_queues(&self.topology);
        let check = !self.leftovers_expected.load(Ordering::Relaxed) && !std::thread::panicking();
        if check && let Some((jobs, dead)) = leftovers {
            assert!(
                jobs == 0 && dead == 0,
                "the test left {jobs} job(s) and {dead} dead letter(s) in {}: call expect_leftovers() if intended",
                self.topology.prefix()
            );
        }
    }
}

/// Deletes a prefix's queues and exchange, returning how many jobs and dead letters were still ready (when
/// the queues existed). Leftover quorum queues are each a Raft group the broker keeps running, and hundreds
/// of them slow every later test's declarations.
pub fn delete_queues(topology: &Topology) -> Option<(u32, u32)> {
    let topology = topology.clone();
    // Drop runs outside async context (or at the end of the test's runtime, which would never run a
    // spawned task): a short-lived runtime on its own thread does the work.
    let cleanup = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let connection = queue::connect(&amqp_url(), "test-cleanup", Duration::from_secs(10)).await.ok()?;
            let counted = match connection.create_channel().await {
                Ok(channel) => {
                    let jobs = ready(&channel, &topology.jobs_queue()).await.ok();
                    // A failed passive declare closes the channel: a fresh one for the next step.
                    let channel = connection.create_channel().await.ok()?;
                    let dead = ready(&channel, &topology.dead_queue()).await.ok();
                    let channel = connection.create_channel().await.ok()?;
                    let _ = queue::delete_all(&channel, &topology).await;
                    jobs.zip(dead)
                }
                Err(_) => None,
            };
            let _ = connection.close(200, "cleanup".into()).await;
            counted
        })
    });
    cleanup.join().ok().flatten()
}
