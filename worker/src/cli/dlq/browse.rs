//! Walking the dead-letter queue without losing or reordering it: a consumer on a channel of its own
//! takes the messages that were ready when the walk began, every message is held unacknowledged until
//! the command decides (remove it with an ack, after a replay was confirmed) and at the end every
//! message still held goes back with `basic.nack` and requeue, in the order it came.
//!
//! Order: a quorum queue puts returned messages ahead of the others, in the order they were returned,
//! so returning them in delivery order leaves the queue as it was. Nothing is returned while the consumer
//! is still active (it would be delivered to us again): the consumer is cancelled first, and deliveries
//! that were already on their way are collected and returned with the rest.
//!
//! Counting: `basic.nack` with requeue rather than `basic.reject`, because from RabbitMQ 4.3 a nack does
//! not count towards the dead queue's delivery limit (3.x and 4.0-4.2 count every return; the dead queue's
//! limit is set high for them, see `DEAD_DELIVERY_LIMIT`). If the process dies mid-walk, the broker returns
//! every held message itself when the connection closes: nothing is lost either way.

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use lapin::options::{BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Acker, Channel, Consumer};

use super::broker::{BROKER_TIMEOUT, DeadQueue, bounded};
use super::dead_letter::DeadLetter;

/// Most dead letters held unacknowledged at once, and so the prefetch: every message a walk looks at but
/// keeps stays in this process's memory until the end. A queue longer than this is walked in part (the
/// commands say so); a replay removes what it republished as it goes, so only kept messages count.
pub const MAX_HELD: u16 = 10_000;

/// With messages still expected, a walk ends when none arrives for this long: another operator's command
/// holds them, or they were purged meanwhile.
const IDLE: Duration = Duration::from_secs(3);

/// One dead letter taken from the queue, identified by its delivery tag on the walk's channel.
#[derive(Debug)]
pub struct Taken {
    pub dead: DeadLetter,
    tag: u64,
}

pub struct Walk {
    channel: Channel,
    consumer: Option<Consumer>,
    /// Messages ready when the walk began: it never takes more, so messages dead-lettered meanwhile (a
    /// replayed job failing again) are not walked over twice.
    ready: u32,
    taken: u32,
    window: usize,
    /// Taken and not removed, by delivery tag (the order they were delivered in).
    held: BTreeMap<u64, Acker>,
}

impl std::fmt::Debug for Walk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Walk").field("ready", &self.ready).field("taken", &self.taken).finish_non_exhaustive()
    }
}

impl Walk {
    pub async fn start(queue: &DeadQueue) -> anyhow::Result<Self> {
        let ready = queue.depth().await?;
        let channel = queue.open_channel().await?;
        let mut walk = Self { channel, consumer: None, ready, taken: 0, window: 0, held: BTreeMap::new() };
        if ready == 0 {
            return Ok(walk);
        }
        let prefetch = u16::try_from(ready).unwrap_or(MAX_HELD).min(MAX_HELD);
        walk.window = usize::from(prefetch);
        bounded("basic.qos", walk.channel.basic_qos(prefetch, BasicQosOptions::default())).await?;
        // Manual acknowledgement (no_ack false): nothing leaves the queue unless we ack it.
        let consume = walk.channel.basic_consume(
            queue.topology.dead_queue().into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        );
        walk.consumer = Some(bounded("basic.consume", consume).await?);
        Ok(walk)
    }

    /// Dead letters ready when the walk began.
    pub fn ready(&self) -> u32 {
        self.ready
    }

    /// Dead letters taken so far.
    pub fn taken(&self) -> u32 {
        self.taken
    }

    /// The next dead letter, or `None` when every message that was ready has been taken (or no more come).
    pub async fn next(&mut self) -> anyhow::Result<Option<Taken>> {
        if self.taken >= self.ready || self.held.len() >= self.window {
            return Ok(None);
        }
        let Some(consumer) = self.consumer.as_mut() else { return Ok(None) };
        let delivery = match tokio::time::timeout(IDLE, consumer.next()).await {
            Err(_) | Ok(None) => return Ok(None),
            Ok(Some(Err(error))) => {
                return Err(anyhow::Error::new(error).context("reading the dead-letter queue failed"));
            }
            Ok(Some(Ok(delivery))) => delivery,
        };
        self.taken += 1;
        let dead = DeadLetter::read(&delivery.properties, &delivery.data);
        self.held.insert(delivery.delivery_tag, delivery.acker);
        Ok(Some(Taken { dead, tag: delivery.delivery_tag }))
    }

    /// Deletes `taken` from the queue for good.
    pub async fn remove(&mut self, taken: &Taken) -> anyhow::Result<()> {
        if let Some(acker) = self.held.remove(&taken.tag) {
            bounded("basic.ack", acker.ack(BasicAckOptions::default())).await?;
        }
        Ok(())
    }

    /// Returns every message still held to the queue, in delivery order, and closes the channel.
    pub async fn finish(mut self) -> anyhow::Result<()> {
        if let Some(mut consumer) = self.consumer.take() {
            let cancel = self.channel.basic_cancel(consumer.tag(), BasicCancelOptions::default());
            bounded("basic.cancel", cancel).await?;
            // Deliveries that crossed the cancel are ours too; the stream ends after the last of them.
            while let Ok(Some(Ok(delivery))) = tokio::time::timeout(BROKER_TIMEOUT, consumer.next()).await {
                self.held.insert(delivery.delivery_tag, delivery.acker);
            }
        }
        let requeue = BasicNackOptions { multiple: false, requeue: true };
        for acker in std::mem::take(&mut self.held).into_values() {
            bounded("basic.nack", acker.nack(requeue)).await?;
        }
        bounded("channel.close", self.channel.close(200, "done".into())).await
    }
}
