//! The operator's link to the dead-letter queue: one connection, the topology declared (so the commands
//! work on a fresh broker), and every broker call bounded by a timeout, because lapin can hang when the
//! broker goes away mid-call.

use std::future::Future;
use std::time::Duration;

use anyhow::Context;
use enhancer_shared::config::Config;
use enhancer_shared::queue::{self, Topology};
use lapin::options::{QueueDeclareOptions, QueuePurgeOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};

/// Upper bound on one broker call (connect, declare, consume, ack, purge, close).
pub const BROKER_TIMEOUT: Duration = Duration::from_secs(10);

/// Shown in the broker's connection list.
const CONNECTION_NAME: &str = "enhancer-worker-dlq";

#[derive(Debug)]
pub struct DeadQueue {
    pub topology: Topology,
    connection: Connection,
    /// For declarations, depth and purge; browsing opens a channel of its own.
    channel: Channel,
}

impl DeadQueue {
    /// Connects to `config.amqp.url` and declares the topology of `config.queue.prefix` (idempotent).
    pub async fn connect(config: &Config) -> anyhow::Result<Self> {
        let topology = Topology::new(config.queue.prefix.clone())?;
        let connection = queue::connect(&config.amqp.url, CONNECTION_NAME, BROKER_TIMEOUT).await?;
        let channel = bounded("channel.open", connection.create_channel()).await?;
        queue::declare(&channel, &topology).await?;
        Ok(Self { topology, connection, channel })
    }

    /// A new channel on this connection.
    pub async fn open_channel(&self) -> anyhow::Result<Channel> {
        bounded("channel.open", self.connection.create_channel()).await
    }

    /// Dead letters ready in the queue (not counting any another operator holds unacknowledged right now).
    pub async fn depth(&self) -> anyhow::Result<u32> {
        let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
        let queue = self.topology.dead_queue();
        let declared =
            bounded("queue.declare", self.channel.queue_declare(queue.into(), passive, FieldTable::default()));
        Ok(declared.await?.message_count())
    }

    /// Deletes every ready dead letter; returns how many.
    pub async fn purge(&self) -> anyhow::Result<u32> {
        let queue = self.topology.dead_queue();
        bounded("queue.purge", self.channel.queue_purge(queue.into(), QueuePurgeOptions::default())).await
    }

    /// Closes the channel and the connection; a failure here changes nothing the command did.
    pub async fn close(self) {
        let _ = bounded("channel.close", self.channel.close(200, "done".into())).await;
        let _ = bounded("connection.close", self.connection.close(200, "done".into())).await;
    }
}

/// `call`, or an error naming `operation` when the broker fails or does not answer in time.
pub async fn bounded<T>(operation: &'static str, call: impl Future<Output = lapin::Result<T>>) -> anyhow::Result<T> {
    match tokio::time::timeout(BROKER_TIMEOUT, call).await {
        Ok(result) => result.with_context(|| format!("AMQP {operation} failed")),
        Err(_) => anyhow::bail!("AMQP {operation} did not finish within {BROKER_TIMEOUT:?}"),
    }
}
