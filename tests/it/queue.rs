//! The queue layer against the real broker: topology arguments, confirmed publishing, the retry and
//! dead-letter paths, and recovery after the broker drops the connection. Every test owns a unique
//! prefix and deletes its queues when it ends, even when it fails.

use std::collections::HashMap;
use std::process::Command;
use std::time::{Duration, Instant};

use enhancer_shared::queue::{
    self, DeadLetterHeaders, JobHeaders, PublishError, Publisher, PublisherOptions, RetryTier, Route, Topology, headers,
};
use enhancer_shared::{EnhancementJob, EventKind, Priority, TenantId, TicketEvent, TicketId, ToolKind};
use lapin::message::BasicGetMessage;
use lapin::options::{BasicAckOptions, BasicGetOptions, BasicRejectOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{Channel, Connection};
use secrecy::SecretString;
use serde_json::Value;

fn amqp_url() -> SecretString {
    SecretString::from(
        std::env::var("ENHANCER_AMQP__URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into()),
    )
}

/// A declared topology under a fresh prefix, with a plain channel for inspecting queues. Dropping it
/// deletes the queues and the exchange on a separate connection, so a failing test cleans up too.
struct Broker {
    topology: Topology,
    /// Kept open for `channel`.
    _connection: Connection,
    channel: Channel,
}

impl Broker {
    async fn declared() -> Self {
        let topology = Topology::new(format!("t-{}", uuid::Uuid::new_v4())).expect("valid prefix");
        let connection = queue::connect(&amqp_url(), "enhancer-tests-inspect", Duration::from_secs(10))
            .await
            .expect("broker reachable");
        let channel = connection.create_channel().await.expect("channel");
        queue::declare(&channel, &topology).await.expect("declare");
        Self { topology, _connection: connection, channel }
    }

    async fn publisher(&self, confirm_timeout: Duration) -> Publisher {
        let options = PublisherOptions {
            connection_name: format!("it-{}", self.topology.prefix()),
            confirm_timeout,
            connect_timeout: Duration::from_secs(5),
            ..PublisherOptions::default()
        };
        Publisher::connect(&amqp_url(), self.topology.clone(), options).await.expect("publisher connects")
    }

    async fn get(&self, queue: &str) -> Option<BasicGetMessage> {
        self.channel.basic_get(queue.into(), BasicGetOptions::default()).await.expect("basic.get")
    }

    /// Polls `queue` until a message arrives or `within` has passed.
    async fn wait_for(&self, queue: &str, within: Duration) -> Option<BasicGetMessage> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(message) = self.get(queue).await {
                return Some(message);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn message_count(&self, queue: &str) -> u32 {
        let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
        let declared = self.channel.queue_declare(queue.into(), passive, FieldTable::default()).await.expect("exists");
        declared.message_count()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let topology = self.topology.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let connection = queue::connect(&amqp_url(), "enhancer-tests-cleanup", Duration::from_secs(10)).await?;
                let channel = connection
                    .create_channel()
                    .await
                    .map_err(|source| queue::QueueError::Channel { operation: "channel.open", source })?;
                let deleted = queue::delete_all(&channel, &topology).await;
                let _ = connection.close(200, "cleanup".into()).await;
                deleted
            })
        });
        if let Ok(Err(error)) = cleanup.join() {
            eprintln!("could not delete the queues of {}: {error}", self.topology.prefix());
        }
    }
}

fn job(ticket: &str) -> EnhancementJob {
    let event = TicketEvent {
        ticket_id: TicketId::parse(ticket).expect("valid ticket"),
        kind: EventKind::Created,
        actor: Some("alice@example.com".into()),
        subject: Some("VPN down".into()),
        priority: Priority::High,
        occurred_at: None,
        idempotency_key: Some(format!("delivery-{ticket}")),
        self_authored: false,
    };
    EnhancementJob::new(
        TenantId::parse("acme").expect("valid tenant"),
        ToolKind::Jira,
        format!("delivery-{ticket}"),
        event,
    )
}

/// `rabbitmqctl list_queues name arguments`, as queue name -> arguments, for this prefix's queues.
fn broker_queue_arguments(prefix: &str) -> HashMap<String, serde_json::Map<String, Value>> {
    let output = Command::new("rabbitmqctl")
        .args(["list_queues", "name", "arguments", "--formatter", "json", "--quiet"])
        .output()
        .expect("rabbitmqctl runs (the tests run on the broker's host)");
    assert!(output.status.success(), "rabbitmqctl failed: {}", String::from_utf8_lossy(&output.stderr));
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).expect("rabbitmqctl prints JSON");
    rows.into_iter()
        .filter_map(|row| {
            let name = row["name"].as_str()?.to_owned();
            // Each argument is printed as `[name, type, value]`.
            let arguments = row["arguments"]
                .as_array()?
                .iter()
                .filter_map(|argument| Some((argument[0].as_str()?.to_owned(), argument[2].clone())))
                .collect();
            name.starts_with(&format!("{prefix}.")).then_some((name, arguments))
        })
        .collect()
}

#[tokio::test]
async fn declare_is_idempotent_and_sets_the_intended_arguments() {
    let broker = Broker::declared().await;
    let topology = &broker.topology;
    // Again on the same channel, and from a second "process" on its own connection.
    queue::declare(&broker.channel, topology).await.expect("second declare");
    let other = queue::connect(&amqp_url(), "enhancer-tests-other", Duration::from_secs(10)).await.expect("connects");
    queue::declare(&other.create_channel().await.expect("channel"), topology).await.expect("declare elsewhere");

    let queues = broker_queue_arguments(topology.prefix());
    assert_eq!(queues.len(), 7, "{queues:#?}");
    let jobs = &queues[&topology.jobs_queue()];
    assert_eq!(jobs["x-queue-type"], "quorum");
    assert_eq!(jobs["x-delivery-limit"], 10);
    assert_eq!(jobs["x-dead-letter-exchange"], topology.dead_exchange().as_str());
    assert_eq!(jobs["x-dead-letter-routing-key"], topology.dead_queue().as_str());
    assert_eq!(jobs["x-dead-letter-strategy"], "at-least-once");
    assert_eq!(jobs["x-overflow"], "reject-publish");
    for tier in RetryTier::ALL {
        let retry = &queues[&topology.retry_queue(tier)];
        assert_eq!(retry["x-message-ttl"], tier.delay().as_millis() as u64, "{tier:?}");
        assert_eq!(retry["x-dead-letter-exchange"], "");
        assert_eq!(retry["x-dead-letter-routing-key"], topology.jobs_queue().as_str());
        assert_eq!(retry["x-dead-letter-strategy"], "at-least-once");
        assert_eq!(retry["x-queue-type"], "quorum");
    }
    let dead = &queues[&topology.dead_queue()];
    assert_eq!(dead["x-queue-type"], "quorum");
    assert!(!dead.contains_key("x-dead-letter-exchange"), "dead letters stay until replayed or purged");

    // The arguments are enforced: a process with another delivery limit is refused, not silently ignored.
    let different = topology.clone().with_delivery_limit(3);
    let refused = queue::declare(&other.create_channel().await.expect("channel"), &different).await;
    assert!(refused.is_err(), "a mismatched declaration must fail");
    let _ = other.close(200, "done".into()).await;
}

#[tokio::test]
async fn a_published_job_is_in_the_jobs_queue_with_its_body_and_properties() {
    let broker = Broker::declared().await;
    let publisher = broker.publisher(Duration::from_secs(5)).await;
    assert!(publisher.is_connected());
    let job = job("ITSM-1");
    let traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    publisher.publish_job(&job, &JobHeaders::first(Some(traceparent.into()))).await.expect("confirmed");

    let message = broker.get(&broker.topology.jobs_queue()).await.expect("the job is in the jobs queue");
    assert_eq!(message.delivery.data, job.to_json());
    assert_eq!(EnhancementJob::from_json(&message.delivery.data).expect("decodes"), job);
    let properties = &message.delivery.properties;
    assert_eq!(*properties.delivery_mode(), Some(2), "persistent");
    assert_eq!(properties.message_id().as_ref().map(|id| id.as_str()), Some(job.job_id.to_string().as_str()));
    assert_eq!(properties.content_type().as_ref().map(|t| t.as_str()), Some("application/json"));
    let sent_at = properties.timestamp().expect("timestamp");
    assert!(sent_at.abs_diff(chrono::Utc::now().timestamp() as u64) < 60, "timestamp is now: {sent_at}");
    let table = properties.headers().clone().expect("headers");
    assert_eq!(JobHeaders::from_field_table(&table), JobHeaders::first(Some(traceparent.into())));
    assert_eq!(headers::get_u32(&table, headers::ATTEMPT), Some(1));
    assert!(message.delivery.acker.ack(BasicAckOptions::default()).await.expect("ack"));
    assert!(broker.get(&broker.topology.jobs_queue()).await.is_none(), "exactly one message");
}

#[tokio::test]
async fn concurrent_first_publishes_share_one_connection_and_are_all_confirmed() {
    let broker = Broker::declared().await;
    let name = format!("it-{}", broker.topology.prefix());
    let options = PublisherOptions { connection_name: name.clone(), ..PublisherOptions::default() };
    // Not connected yet: all 200 publishes find no link, and exactly one of them connects.
    let publisher = Publisher::new(&amqp_url(), broker.topology.clone(), options);
    let publishes: Vec<_> = (0..200)
        .map(|n| {
            let publisher = publisher.clone();
            tokio::spawn(async move { publisher.publish_job(&job(&format!("ITSM-{n}")), &JobHeaders::default()).await })
        })
        .collect();
    for publish in publishes {
        publish.await.expect("task").expect("confirmed");
    }
    assert_eq!(broker.message_count(&broker.topology.jobs_queue()).await, 200);
    assert_eq!(connection_pids_named(&name).len(), 1, "one connection for all publishes");
}

#[tokio::test]
async fn a_message_in_a_retry_tier_returns_to_the_jobs_queue_after_its_ttl() {
    let broker = Broker::declared().await;
    let publisher = broker.publisher(Duration::from_secs(5)).await;
    let job = job("ITSM-2");
    let headers = JobHeaders::default().next_attempt();
    let route = broker.topology.retry_route(RetryTier::S5);
    let started = Instant::now();

    publisher
        .publish(&route, &job.job_id.to_string(), &job.to_json(), headers.to_field_table())
        .await
        .expect("confirmed");

    assert_eq!(broker.message_count(&broker.topology.retry_queue(RetryTier::S5)).await, 1);
    let back = broker.wait_for(&broker.topology.jobs_queue(), Duration::from_secs(20)).await.expect("back in jobs");
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(4_500), "returned after {waited:?}, before the 5 s TTL");
    assert_eq!(back.delivery.data, job.to_json());
    let table = back.delivery.properties.headers().clone().expect("headers");
    assert_eq!(JobHeaders::from_field_table(&table).attempt, 2, "the attempt travels with the message");
    assert_eq!(headers::broker_death_reason(&table).as_deref(), Some("expired"));
    assert!(back.delivery.acker.ack(BasicAckOptions::default()).await.expect("ack"));
}

#[tokio::test]
async fn dead_letters_reach_the_dead_queue_from_a_reject_and_from_a_publish() {
    let broker = Broker::declared().await;
    let publisher = broker.publisher(Duration::from_secs(5)).await;
    let topology = &broker.topology;

    // The broker's path: a job rejected without requeue is dead-lettered through the dead exchange.
    let rejected = job("ITSM-3");
    publisher.publish_job(&rejected, &JobHeaders::default()).await.expect("confirmed");
    let taken = broker.get(&topology.jobs_queue()).await.expect("job");
    assert!(taken.delivery.acker.reject(BasicRejectOptions { requeue: false }).await.expect("reject"));
    let dead = broker.wait_for(&topology.dead_queue(), Duration::from_secs(10)).await.expect("in the dead queue");
    assert_eq!(dead.delivery.data, rejected.to_json());
    let table = dead.delivery.properties.headers().clone().expect("headers");
    assert_eq!(headers::broker_death_reason(&table).as_deref(), Some("rejected"));
    assert!(dead.delivery.acker.ack(BasicAckOptions::default()).await.expect("ack"));

    // The worker's path: a dead letter published with the headers of docs/DESIGN.md section 5.
    let given_up = job("ITSM-4");
    let reason = DeadLetterHeaders {
        error_class: "permanent".into(),
        error_message: "ticket ITSM-4 is gone (404)".into(),
        stage: "update".into(),
        attempts: 1,
        failed_at: chrono::Utc::now(),
        tenant: Some(given_up.tenant_id.clone()),
        ticket: Some(given_up.event.ticket_id.clone()),
    };
    let mut table = JobHeaders::default().to_field_table();
    reason.insert_into(&mut table);
    publisher
        .publish(&topology.dead_route(), &given_up.job_id.to_string(), &given_up.to_json(), table)
        .await
        .expect("ok");
    let dead = broker.get(&topology.dead_queue()).await.expect("in the dead queue");
    let read = DeadLetterHeaders::from_field_table(&dead.delivery.properties.headers().clone().expect("headers"));
    let read = read.expect("headers read back");
    assert_eq!((read.error_class.as_str(), read.stage.as_str(), read.attempts), ("permanent", "update", 1));
    assert_eq!(read.tenant, reason.tenant);
    assert_eq!(read.failed_at.timestamp_millis(), reason.failed_at.timestamp_millis());
    assert!(broker.get(&topology.jobs_queue()).await.is_none(), "nothing left in jobs");
}

#[tokio::test]
async fn an_unroutable_publish_is_an_error_and_the_publisher_stays_usable() {
    let broker = Broker::declared().await;
    let publisher = broker.publisher(Duration::from_secs(5)).await;
    let nowhere = Route::queue(format!("{}.nowhere", broker.topology.prefix()));

    let returned = publisher.publish(&nowhere, "m-1", b"{}", FieldTable::default()).await;
    assert!(matches!(returned, Err(PublishError::Unroutable { reply_code: 312, .. })), "{returned:?}");

    // A missing exchange closes the channel (404): an error, then the next publish opens a new channel.
    let no_exchange = Route::new(format!("{}.no-such-exchange", broker.topology.prefix()), "x");
    let closed = publisher.publish(&no_exchange, "m-2", b"{}", FieldTable::default()).await;
    assert!(matches!(closed, Err(PublishError::Channel(_))), "{closed:?}");

    publisher.publish_job(&job("ITSM-5"), &JobHeaders::default()).await.expect("confirmed on a new channel");
    assert!(publisher.is_connected());
    assert_eq!(broker.message_count(&broker.topology.jobs_queue()).await, 1);
}

#[tokio::test]
async fn a_publisher_recovers_after_the_broker_closes_its_connection() {
    let broker = Broker::declared().await;
    let confirm_timeout = Duration::from_secs(5);
    let publisher = broker.publisher(confirm_timeout).await;
    publisher.publish_job(&job("ITSM-6"), &JobHeaders::default()).await.expect("confirmed before");

    close_connection_named(&format!("it-{}", broker.topology.prefix()));

    // Either lapin's recovery or our reconnect brings it back within the timeout, or the caller gets a
    // transient error in time; it never hangs.
    let started = Instant::now();
    let during = publisher.publish_job(&job("ITSM-7"), &JobHeaders::default()).await;
    assert!(started.elapsed() <= confirm_timeout + Duration::from_secs(1), "took {:?}", started.elapsed());
    if let Err(error) = &during {
        use enhancer_shared::Retryable;
        assert!(error.disposition().is_transient(), "{error}");
    }
    publisher.publish_job(&job("ITSM-8"), &JobHeaders::default()).await.expect("confirmed after the reconnect");
    assert!(publisher.is_connected());
    let expected = if during.is_ok() { 3 } else { 2 };
    assert!(broker.message_count(&broker.topology.jobs_queue()).await >= expected);
}

#[tokio::test]
async fn a_publisher_without_a_broker_fails_fast_instead_of_hanging() {
    let topology = Topology::new(format!("t-{}", uuid::Uuid::new_v4())).expect("valid prefix");
    let options = PublisherOptions {
        confirm_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(1),
        ..PublisherOptions::default()
    };
    // Port 1: nothing listens there.
    let publisher = Publisher::new(&SecretString::from("amqp://guest:guest@127.0.0.1:1/%2f"), topology, options);
    assert!(!publisher.is_connected());

    let started = Instant::now();
    let result = publisher.publish_job(&job("ITSM-9"), &JobHeaders::default()).await;
    assert!(matches!(result, Err(PublishError::Unavailable(_) | PublishError::Timeout(_))), "{result:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(!publisher.ensure_connected().await);
}

/// The broker's connection pids (`<rabbit@host.1.2.0>`, the form `close_connection` takes) of connections
/// whose client-provided name is `name`.
fn connection_pids_named(name: &str) -> Vec<String> {
    // The table format, because the JSON format prints pids as `#PID<...>`.
    let listed = Command::new("rabbitmqctl")
        .args(["list_connections", "pid", "client_properties", "--quiet", "--no-table-headers"])
        .output()
        .expect("rabbitmqctl runs (the tests run on the broker's host)");
    String::from_utf8_lossy(&listed.stdout)
        .lines()
        .filter(|line| line.contains(&format!("\"{name}\"")))
        .filter_map(|line| line.split('\t').next().map(str::to_owned))
        .collect()
}

/// Closes the broker connection named `name`, as an operator or a network failure would (only this
/// test's connection: other tests share the broker).
fn close_connection_named(name: &str) {
    let pids = connection_pids_named(name);
    assert_eq!(pids.len(), 1, "one connection named {name}: {pids:?}");
    let closed =
        Command::new("rabbitmqctl").args(["close_connection", &pids[0], "test: closed by the broker"]).output();
    assert!(closed.expect("rabbitmqctl runs").status.success(), "close_connection {}", pids[0]);
}
