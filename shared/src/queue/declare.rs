//! Declaring the topology on the broker: the same arguments every time, from both processes, at start-up.
//!
//! Queue arguments are immutable once a queue exists: a declaration with different arguments fails with
//! `PRECONDITION_FAILED` and closes the channel. Limits an operator may want to tune live (a maximum
//! length for back-pressure, say) belong in a broker policy, not here.
//!
//! Everything is set explicitly rather than left to a broker version's default. Built and tested on
//! RabbitMQ 3.10; where 4.x behaves differently a comment says so.

use std::future::Future;
use std::time::Duration;

use lapin::options::{
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString, ShortString};
use lapin::{Channel, ExchangeKind};

use super::error::QueueError;
use super::retry_tier::RetryTier;
use super::topology::Topology;

/// Upper bound on each declaration: lapin can hang when the broker goes away mid-call.
const DECLARE_TIMEOUT: Duration = Duration::from_secs(10);

/// Deliveries of a dead letter before a quorum queue would drop it: effectively never. Operators browse
/// the dead queue (get, then return the message), and RabbitMQ 3.x counts every return; 4.0-4.2 also
/// count every return and default to a limit of 20, so without this a dead letter listed 20 times would
/// be dropped (the dead queue has no dead-letter exchange of its own). From 4.3 only `basic.reject` with
/// requeue and channel closes count, `basic.nack` with requeue does not.
pub const DEAD_DELIVERY_LIMIT: u32 = 1_000_000;

/// Declares every exchange, queue and binding of `topology`. Idempotent: declaring an existing topology
/// with the same arguments changes nothing.
pub async fn declare(channel: &Channel, topology: &Topology) -> Result<(), QueueError> {
    // The dead end first, so a job dead-lettered the moment the jobs queue exists has somewhere to go.
    bounded(
        "exchange.declare",
        channel.exchange_declare(
            topology.dead_exchange().into(),
            ExchangeKind::Direct,
            ExchangeDeclareOptions { durable: true, ..ExchangeDeclareOptions::default() },
            FieldTable::default(),
        ),
    )
    .await?;
    declare_queue(channel, topology.dead_queue(), dead_arguments()).await?;
    bounded(
        "queue.bind",
        channel.queue_bind(
            topology.dead_queue().into(),
            topology.dead_exchange().into(),
            topology.dead_routing_key().into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        ),
    )
    .await?;
    declare_queue(channel, topology.jobs_queue(), jobs_arguments(topology)).await?;
    for tier in RetryTier::ALL {
        declare_queue(channel, topology.retry_queue(tier), retry_arguments(topology, tier)).await?;
    }
    Ok(())
}

/// Deletes every queue (with its messages) and the exchange of `topology`: for tests and tearing down a
/// demo, never for a running installation. Missing queues are not an error.
pub async fn delete_all(channel: &Channel, topology: &Topology) -> Result<(), QueueError> {
    for queue in topology.queues() {
        bounded("queue.delete", channel.queue_delete(queue.into(), QueueDeleteOptions::default())).await?;
    }
    bounded(
        "exchange.delete",
        channel.exchange_delete(topology.dead_exchange().into(), ExchangeDeleteOptions::default()),
    )
    .await
}

async fn declare_queue(channel: &Channel, name: String, arguments: FieldTable) -> Result<(), QueueError> {
    // Durable: queues survive a broker restart (quorum queues must be durable anyway). Not exclusive or
    // auto-delete: workers come and go, the queues stay.
    let options = QueueDeclareOptions { durable: true, ..QueueDeclareOptions::default() };
    bounded("queue.declare", channel.queue_declare(name.into(), options, arguments)).await.map(|_| ())
}

/// `{prefix}.jobs`.
fn jobs_arguments(topology: &Topology) -> FieldTable {
    let mut args = FieldTable::default();
    // Replicated and durable: an accepted webhook must survive a node loss. 3.10 has quorum queues.
    put_str(&mut args, "x-queue-type", "quorum");
    // Poison messages (a worker crashing on a job again and again) are dead-lettered after this many
    // deliveries instead of looping forever. Set explicitly: 3.x has no limit by default, 4.x defaults
    // to 20. How deliveries are counted also changed: 3.x counts every return to the queue; from 4.3 a
    // `basic.nack` with requeue does not count (use it for returns on shutdown), `basic.reject` with
    // requeue and a consumer's channel closing do.
    put_int(&mut args, "x-delivery-limit", i64::from(topology.delivery_limit()));
    // Poison and rejected jobs go to the dead-letter queue through the dead exchange, with the dead
    // queue's binding key (a dead-lettered message otherwise keeps its routing key, `{prefix}.jobs`).
    put_str(&mut args, "x-dead-letter-exchange", &topology.dead_exchange());
    put_str(&mut args, "x-dead-letter-routing-key", &topology.dead_routing_key());
    put_at_least_once_dead_lettering(&mut args);
    args
}

/// `{prefix}.retry.{tier}`: a waiting room nobody consumes; messages expire back into the jobs queue.
fn retry_arguments(topology: &Topology, tier: RetryTier) -> FieldTable {
    let mut args = FieldTable::default();
    // Quorum like the jobs queue: a job waiting out a retry is as valuable as a new one, and only quorum
    // queues dead-letter at-least-once, so the move back to jobs cannot lose it. Quorum queues support
    // `x-message-ttl` since 3.10.
    put_str(&mut args, "x-queue-type", "quorum");
    // One TTL for the whole queue: messages expire in order at the head (a per-message TTL behind a
    // longer one would wait for it).
    let ttl_ms = i64::try_from(tier.delay().as_millis()).unwrap_or(i64::MAX);
    put_int(&mut args, "x-message-ttl", ttl_ms);
    // Expired messages go back to the jobs queue through the default exchange ("" routes by queue name).
    put_str(&mut args, "x-dead-letter-exchange", "");
    put_str(&mut args, "x-dead-letter-routing-key", &topology.jobs_queue());
    put_at_least_once_dead_lettering(&mut args);
    // Nobody consumes a tier, but set the limit anyway rather than inherit 4.x's default of 20; if an
    // operator does browse one, exceeding it merely sends the message on to the jobs queue early.
    put_int(&mut args, "x-delivery-limit", i64::from(topology.delivery_limit()));
    args
}

/// `{prefix}.dead`: quorum, because a dead letter is the last copy of work that failed and must survive
/// a node loss like the jobs do; a classic queue is not replicated (4.x removed classic mirroring).
/// No dead-letter exchange and no TTL: dead letters stay until replayed or purged.
fn dead_arguments() -> FieldTable {
    let mut args = FieldTable::default();
    put_str(&mut args, "x-queue-type", "quorum");
    put_int(&mut args, "x-delivery-limit", i64::from(DEAD_DELIVERY_LIMIT));
    args
}

/// The queue keeps a message until the dead-letter target has confirmed it (at-most-once, the default,
/// drops it if the target cannot take it). RabbitMQ requires `x-overflow: reject-publish` for this and
/// silently falls back to at-most-once without it (3.10 and 4.x alike). With no length limit set
/// here, reject-publish only matters if an operator adds one by policy: publishers then get a nack,
/// which ingest turns into 503.
fn put_at_least_once_dead_lettering(args: &mut FieldTable) {
    put_str(args, "x-dead-letter-strategy", "at-least-once");
    put_str(args, "x-overflow", "reject-publish");
}

fn put_str(args: &mut FieldTable, key: &str, value: &str) {
    args.insert(ShortString::from(key), AMQPValue::LongString(LongString::from(value)));
}

fn put_int(args: &mut FieldTable, key: &str, value: i64) {
    args.insert(ShortString::from(key), AMQPValue::LongLongInt(value));
}

async fn bounded<T>(operation: &'static str, call: impl Future<Output = lapin::Result<T>>) -> Result<T, QueueError> {
    match tokio::time::timeout(DECLARE_TIMEOUT, call).await {
        Ok(result) => result.map_err(|source| QueueError::Channel { operation, source }),
        Err(_) => Err(QueueError::Timeout(operation, DECLARE_TIMEOUT)),
    }
}
