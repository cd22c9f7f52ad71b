//! `enhancer-worker dlq list|show|replay|purge` against the real broker: dead letters shaped as the worker
//! writes them, one the broker dead-lettered itself and one whose body is not a job; listing leaves the
//! queue as it was, a replay moves exactly what it selected, purge asks first.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use enhancer_shared::config::Config;
use enhancer_shared::queue::{self, DeadLetterHeaders, JobHeaders, Publisher, PublisherOptions, Topology, headers};
use enhancer_shared::{EnhancementJob, EventKind, Priority, TenantId, TicketEvent, TicketId, ToolKind};
use enhancer_tests::{TestDb, ingest::unique_prefix, run_cli};
use lapin::options::{BasicAckOptions, BasicGetOptions, BasicPublishOptions, BasicRejectOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection};
use secrecy::SecretString;
use serde_json::Value;

const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn amqp_url() -> String {
    std::env::var("ENHANCER_AMQP__URL").unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into())
}

/// A declared topology under a fresh prefix, a configuration pointing the CLI at it, and a channel to seed
/// and inspect the queues. Dropping it deletes the queues, even when the test failed.
struct Broker {
    config: Config,
    topology: Topology,
    publisher: Publisher,
    channel: Channel,
    _connection: Connection,
    _db: TestDb,
}

impl Broker {
    async fn new() -> Self {
        let db = TestDb::empty().await;
        let prefix = unique_prefix();
        let url = amqp_url();
        let config = db.config_with(&[("ENHANCER_QUEUE__PREFIX", &prefix), ("ENHANCER_AMQP__URL", &url)]);
        let topology = Topology::new(prefix).expect("prefix");
        let connection = queue::connect(&SecretString::from(url.clone()), "dlq-cli-test", Duration::from_secs(10))
            .await
            .expect("RabbitMQ must be running on 127.0.0.1:5672");
        let channel = connection.create_channel().await.expect("channel");
        queue::declare(&channel, &topology).await.expect("declare");
        let options = PublisherOptions { connection_name: "dlq-cli-test".into(), ..PublisherOptions::default() };
        let publisher =
            Publisher::connect(&SecretString::from(url), topology.clone(), options).await.expect("publisher");
        Self { config, topology, publisher, channel, _connection: connection, _db: db }
    }

    async fn cli(&self, args: &[&str], stdin: &str) -> enhancer_tests::CliRun {
        run_cli(&self.config, args, stdin).await
    }

    /// A dead letter as the worker writes it; returns its id (the job id).
    async fn worker_dead_letter(&self, tenant: &str, ticket: &str, class: &str, failed_at: DateTime<Utc>) -> String {
        let job = job(tenant, ticket);
        let mut table =
            JobHeaders { attempt: 3, traceparent: Some(TRACEPARENT.into()), replayed_from: None }.to_field_table();
        DeadLetterHeaders {
            error_class: class.into(),
            error_message: format!("ticket {ticket} failed ({class})"),
            stage: "update".into(),
            attempts: 3,
            failed_at,
            tenant: Some(TenantId::parse(tenant).expect("tenant")),
            ticket: Some(TicketId::parse(ticket).expect("ticket")),
        }
        .insert_into(&mut table);
        let id = job.job_id.to_string();
        self.publisher.publish(&self.topology.dead_route(), &id, &job.to_json(), table).await.expect("confirmed");
        id
    }

    /// A job the broker dead-letters itself: rejected from the jobs queue without requeue.
    async fn broker_dead_letter(&self, tenant: &str, ticket: &str) -> String {
        let job = job(tenant, ticket);
        let dead_before = self.depth(&self.topology.dead_queue()).await;
        self.publisher.publish_job(&job, &JobHeaders::default()).await.expect("confirmed");
        let taken = self.channel.basic_get(self.topology.jobs_queue().into(), BasicGetOptions::default()).await;
        let taken = taken.expect("basic.get").expect("the job is in the jobs queue");
        assert!(taken.delivery.acker.reject(BasicRejectOptions { requeue: false }).await.expect("reject"));
        self.wait_for_depth(&self.topology.dead_queue(), dead_before + 1).await;
        job.job_id.to_string()
    }

    /// A message without id or headers whose body is not a job.
    async fn unparsable(&self, body: &[u8]) {
        let dead_before = self.depth(&self.topology.dead_queue()).await;
        let route = self.topology.dead_route();
        let publish = self.channel.basic_publish(
            route.exchange.into(),
            route.routing_key.into(),
            BasicPublishOptions::default(),
            body,
            BasicProperties::default(),
        );
        publish.await.expect("publish").await.expect("sent");
        self.wait_for_depth(&self.topology.dead_queue(), dead_before + 1).await;
    }

    async fn depth(&self, queue: &str) -> u32 {
        let passive = QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() };
        let declared = self.channel.queue_declare(queue.into(), passive, FieldTable::default()).await.expect("queue");
        declared.message_count()
    }

    /// Waits until `queue` holds `expected` messages (settlements reach a quorum queue asynchronously) and
    /// fails the test if it does not within a few seconds.
    async fn wait_for_depth(&self, queue: &str, expected: u32) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let depth = self.depth(queue).await;
            if depth == expected {
                return;
            }
            assert!(Instant::now() < deadline, "{queue} holds {depth} messages, expected {expected}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn list_ids(&self, args: &[&str]) -> Vec<String> {
        let mut full = vec!["dlq", "list", "--json"];
        full.extend_from_slice(args);
        let listed: Value = serde_json::from_str(self.cli(&full, "").await.ok()).expect("json");
        listed.as_array().expect("array").iter().map(|dead| dead["id"].as_str().expect("id").to_owned()).collect()
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        // A runtime of its own on another thread: this also runs while a failed test unwinds.
        let topology = self.topology.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                let url = SecretString::from(amqp_url());
                if let Ok(connection) = queue::connect(&url, "dlq-cli-cleanup", Duration::from_secs(5)).await {
                    if let Ok(channel) = connection.create_channel().await {
                        let _ = queue::delete_all(&channel, &topology).await;
                    }
                    let _ = connection.close(200, "done".into()).await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

fn job(tenant: &str, ticket: &str) -> EnhancementJob {
    let event = TicketEvent {
        ticket_id: TicketId::parse(ticket).expect("ticket"),
        kind: EventKind::Created,
        actor: Some("alice@example.com".into()),
        subject: Some("VPN drops".into()),
        priority: Priority::High,
        occurred_at: None,
        idempotency_key: Some(format!("delivery-{ticket}")),
        self_authored: false,
    };
    EnhancementJob::new(TenantId::parse(tenant).expect("tenant"), ToolKind::Jira, format!("delivery-{ticket}"), event)
}

#[tokio::test]
async fn list_shows_every_kind_of_dead_letter_and_leaves_the_queue_as_it_was() {
    let broker = Broker::new().await;
    assert!(broker.cli(&["dlq", "list"], "").await.ok().contains("the dead-letter queue is empty"));
    let now = Utc::now();
    let permanent = broker.worker_dead_letter("acme", "ITSM-1", "permanent", now).await;
    let transient = broker.worker_dead_letter("acme", "ITSM-2", "transient", now).await;
    let rejected = broker.broker_dead_letter("globex", "G-7").await;
    broker.unparsable(b"{\"v\": 1, \"truncated").await;
    let dead = broker.topology.dead_queue();

    let run = broker.cli(&["dlq", "list", "--json"], "").await;
    let listed: Value = serde_json::from_str(run.ok()).expect("json array");
    let listed = listed.as_array().expect("array");
    assert_eq!(listed.len(), 4, "{listed:?}");
    assert_eq!(listed[0]["id"], permanent.as_str());
    assert_eq!(listed[0]["job_id"], permanent.as_str());
    assert_eq!(listed[0]["tenant_id"], "acme");
    assert_eq!(listed[0]["ticket_id"], "ITSM-1");
    assert_eq!(listed[0]["error_class"], "permanent");
    assert_eq!(listed[0]["stage"], "update");
    assert_eq!(listed[0]["attempts"], 3);
    assert_eq!(listed[0]["replayable"], true);
    let failed_at: DateTime<Utc> = listed[0]["failed_at"].as_str().expect("failed_at").parse().expect("RFC 3339");
    assert!((failed_at - now).num_milliseconds().abs() < 5, "{failed_at} vs {now}");
    assert_eq!(listed[1]["id"], transient.as_str());
    assert_eq!(listed[1]["error_class"], "transient");
    // The broker's own dead letter: class unknown, its reason as the message, tenant and ticket from the body.
    assert_eq!(listed[2]["id"], rejected.as_str());
    assert_eq!(listed[2]["error_class"], "unknown");
    assert!(listed[2]["error_message"].as_str().expect("message").contains("rejected"), "{}", listed[2]);
    assert_eq!((listed[2]["tenant_id"].as_str(), listed[2]["ticket_id"].as_str()), (Some("globex"), Some("G-7")));
    assert_eq!(listed[2]["attempts"], 1);
    assert!(listed[2]["failed_at"].is_string(), "x-death carries the time: {}", listed[2]);
    // Not a job: still listed, with what is known.
    let garbage = &listed[3];
    assert!(garbage["id"].as_str().expect("id").starts_with("body-"), "{garbage}");
    assert_eq!((garbage["replayable"].as_bool(), garbage["tenant_id"].is_null()), (Some(false), true));

    // Nothing lost or reordered, however often it is listed; the table says the same.
    broker.wait_for_depth(&dead, 4).await;
    let ids: Vec<String> = listed.iter().map(|dead| dead["id"].as_str().expect("id").to_owned()).collect();
    assert_eq!(broker.list_ids(&[]).await, ids);
    broker.wait_for_depth(&dead, 4).await;
    let table = broker.cli(&["dlq", "list"], "").await;
    for expected in [&permanent, &rejected, &ids[3], &"ITSM-2".to_owned(), &"unknown".to_owned()] {
        assert!(table.ok().contains(expected.as_str()), "{expected} missing from:\n{}", table.ok());
    }
    assert!(table.ok().contains("4 shown; 4 dead letter(s) in the queue"), "{}", table.ok());
    broker.wait_for_depth(&dead, 4).await;
    assert_eq!(broker.list_ids(&[]).await, ids);
    broker.wait_for_depth(&dead, 4).await;
}

#[tokio::test]
async fn list_filters_by_tenant_class_and_age_and_honours_the_limit() {
    let broker = Broker::new().await;
    let old = broker.worker_dead_letter("acme", "A-1", "permanent", Utc::now() - TimeDelta::hours(3)).await;
    let acme = broker.worker_dead_letter("acme", "A-2", "transient", Utc::now()).await;
    let globex = broker.worker_dead_letter("globex", "G-1", "permanent", Utc::now()).await;
    let rejected = broker.broker_dead_letter("globex", "G-2").await;

    assert_eq!(broker.list_ids(&["--tenant", "acme"]).await, [old.as_str(), acme.as_str()]);
    assert_eq!(broker.list_ids(&["--tenant", "globex"]).await, [globex.as_str(), rejected.as_str()]);
    assert_eq!(broker.list_ids(&["--error-class", "permanent"]).await, [old.as_str(), globex.as_str()]);
    assert_eq!(broker.list_ids(&["--error-class", "unknown"]).await, [rejected.as_str()]);
    assert_eq!(broker.list_ids(&["--since", "1h"]).await, [acme.as_str(), globex.as_str(), rejected.as_str()]);
    let two_hours_ago = (Utc::now() - TimeDelta::hours(2)).to_rfc3339();
    assert_eq!(broker.list_ids(&["--since", &two_hours_ago, "--tenant", "acme"]).await, [acme.as_str()]);
    assert_eq!(broker.list_ids(&["--since", "4h"]).await.len(), 4);
    assert_eq!(broker.list_ids(&["--limit", "2"]).await, [old.as_str(), acme.as_str()]);
    assert_eq!(broker.list_ids(&["--limit", "1", "--tenant", "globex"]).await, [globex.as_str()]);
    let limited = broker.cli(&["dlq", "list", "--limit", "1"], "").await;
    assert!(limited.ok().contains("1 shown; 4 dead letter(s) in the queue (looked at the first 1"), "{}", limited.ok());

    let bad_class = broker.cli(&["dlq", "list", "--error-class", "fatal"], "").await;
    assert!(bad_class.err().contains("invalid --error-class \"fatal\": expected one of transient, permanent, unknown"));
    let bad_since = broker.cli(&["dlq", "list", "--since", "yesterday"], "").await;
    assert!(bad_since.err().contains("invalid --since \"yesterday\""), "{}", bad_since.err());
    assert!(broker.cli(&["dlq", "list", "--limit", "0"], "").await.err().contains("invalid --limit 0"));
    broker.wait_for_depth(&broker.topology.dead_queue(), 4).await;
}

#[tokio::test]
async fn show_prints_headers_and_the_job_and_refuses_an_unknown_id() {
    let broker = Broker::new().await;
    broker.worker_dead_letter("acme", "ITSM-1", "permanent", Utc::now()).await;
    let id = broker.worker_dead_letter("acme", "ITSM-2", "permanent", Utc::now()).await;

    let shown = broker.cli(&["dlq", "show", &id], "").await;
    for expected in [
        id.as_str(),
        "ticket ITSM-2 failed (permanent)",
        "\"x-error-class\": \"permanent\"",
        "\"ticket_id\": \"ITSM-2\"",
    ] {
        assert!(shown.ok().contains(expected), "{expected} missing from:\n{}", shown.ok());
    }
    let shown: Value = serde_json::from_str(broker.cli(&["dlq", "show", &id, "--json"], "").await.ok()).expect("json");
    assert_eq!(shown["id"], id.as_str());
    assert_eq!(shown["headers"]["x-error-class"], "permanent");
    assert_eq!(shown["headers"]["x-attempts"], 3);
    assert_eq!(shown["headers"]["traceparent"], TRACEPARENT);
    assert_eq!(shown["body"]["job_id"], id.as_str());
    assert_eq!(shown["body"]["v"], 1);

    let unknown = broker.cli(&["dlq", "show", "0190a3b2-0000-7000-8000-000000000000"], "").await;
    assert!(
        unknown.err().contains("no dead letter with id \"0190a3b2-0000-7000-8000-000000000000\""),
        "{}",
        unknown.err()
    );
    broker.wait_for_depth(&broker.topology.dead_queue(), 2).await;
}

#[tokio::test]
async fn replay_by_id_moves_exactly_that_dead_letter_and_dry_run_changes_nothing() {
    let broker = Broker::new().await;
    let first = broker.worker_dead_letter("acme", "ITSM-1", "permanent", Utc::now()).await;
    let second = broker.worker_dead_letter("acme", "ITSM-2", "permanent", Utc::now()).await;
    let third = broker.worker_dead_letter("globex", "G-1", "transient", Utc::now()).await;
    let (dead, jobs) = (broker.topology.dead_queue(), broker.topology.jobs_queue());

    assert!(broker.cli(&["dlq", "replay"], "").await.err().contains("required"));
    assert!(broker.cli(&["dlq", "replay", "--all", "--id", &first], "").await.err().contains("cannot be used with"));
    let dry = broker.cli(&["dlq", "replay", "--all", "--dry-run"], "").await;
    assert!(dry.ok().contains("dry run: would replay 3, keep 0; nothing was changed"), "{}", dry.ok());
    assert!(dry.ok().contains(&second), "{}", dry.ok());
    broker.wait_for_depth(&dead, 3).await;
    assert_eq!(broker.depth(&jobs).await, 0);

    let replayed = broker.cli(&["dlq", "replay", "--id", &second], "").await;
    assert!(replayed.ok().contains("replayed 1, kept 2, failed 0"), "{}", replayed.ok());
    broker.wait_for_depth(&dead, 2).await;
    assert_eq!(broker.depth(&jobs).await, 1);
    let message = broker.channel.basic_get(jobs.as_str().into(), BasicGetOptions::default()).await.expect("get");
    let message = message.expect("the replayed job");
    message.delivery.acker.ack(BasicAckOptions::default()).await.expect("ack");
    let table = message.delivery.properties.headers().clone().unwrap_or_default();
    assert_eq!(headers::get_u32(&table, headers::ATTEMPT), Some(1));
    assert_eq!(headers::get_string(&table, headers::REPLAYED_FROM).as_deref(), Some(second.as_str()));
    assert_eq!(headers::get_string(&table, headers::TRACEPARENT).as_deref(), Some(TRACEPARENT));
    assert_eq!(headers::get_string(&table, headers::ERROR_CLASS), None, "dead-letter headers stay behind");
    assert_eq!(message.delivery.properties.message_id().as_ref().map(|id| id.to_string()), Some(second.clone()));
    let job = EnhancementJob::from_json(&message.delivery.data).expect("the job body, unchanged");
    assert_eq!((job.job_id.to_string(), job.event.ticket_id.as_str()), (second.clone(), "ITSM-2"));
    assert_eq!(broker.list_ids(&[]).await, [first.as_str(), third.as_str()]);

    let again = broker.cli(&["dlq", "replay", "--id", &second], "").await;
    assert!(again.err().contains(&format!("no dead letter with id {second:?}")), "{}", again.err());
    broker.wait_for_depth(&dead, 2).await;
}

#[tokio::test]
async fn replay_by_tenant_then_all_keeps_what_is_not_a_job() {
    let broker = Broker::new().await;
    let acme = [
        broker.worker_dead_letter("acme", "A-1", "permanent", Utc::now()).await,
        broker.worker_dead_letter("acme", "A-2", "transient", Utc::now()).await,
    ];
    let rejected = broker.broker_dead_letter("globex", "G-1").await;
    broker.unparsable(b"not json at all").await;
    let (dead, jobs) = (broker.topology.dead_queue(), broker.topology.jobs_queue());

    let dry = broker.cli(&["dlq", "replay", "--tenant", "acme", "--dry-run"], "").await;
    assert!(dry.ok().contains("dry run: would replay 2, keep 2"), "{}", dry.ok());
    broker.wait_for_depth(&dead, 4).await;

    let by_tenant = broker.cli(&["dlq", "replay", "--tenant", "acme"], "").await;
    assert!(by_tenant.ok().contains("replayed 2, kept 2, failed 0"), "{}", by_tenant.ok());
    broker.wait_for_depth(&dead, 2).await;
    broker.wait_for_depth(&jobs, 2).await;
    let left = broker.list_ids(&[]).await;
    assert_eq!(left.len(), 2);
    assert_eq!(left[0], rejected);
    assert!(!acme.contains(&left[1]));

    let all = broker.cli(&["dlq", "replay", "--all"], "").await;
    assert!(all.ok().contains("replayed 1, kept 1, failed 0"), "{}", all.ok());
    assert!(all.ok().contains(&format!("kept {}: not a job", left[1])), "{}", all.ok());
    broker.wait_for_depth(&dead, 1).await;
    broker.wait_for_depth(&jobs, 3).await;
    let replayed_ids: Vec<String> = {
        let mut ids = Vec::new();
        while let Some(message) =
            broker.channel.basic_get(jobs.as_str().into(), BasicGetOptions::default()).await.expect("get")
        {
            message.delivery.acker.ack(BasicAckOptions::default()).await.expect("ack");
            let table = message.delivery.properties.headers().clone().unwrap_or_default();
            assert_eq!(headers::get_u32(&table, headers::ATTEMPT), Some(1));
            assert!(!table.inner().contains_key("x-death"), "the broker's history stays behind");
            ids.push(headers::get_string(&table, headers::REPLAYED_FROM).expect("x-replayed-from"));
        }
        ids
    };
    assert_eq!(replayed_ids, [acme[0].clone(), acme[1].clone(), rejected]);
    let not_replayable = broker.cli(&["dlq", "replay", "--id", &left[1]], "").await;
    assert!(not_replayable.err().contains("was not replayed"), "{}", not_replayable.err());
    broker.wait_for_depth(&dead, 1).await;
}

#[tokio::test]
async fn purge_asks_unless_told_yes() {
    let broker = Broker::new().await;
    let dead = broker.topology.dead_queue();
    assert!(broker.cli(&["dlq", "purge"], "").await.ok().contains("the dead-letter queue is empty"));
    broker.worker_dead_letter("acme", "A-1", "permanent", Utc::now()).await;
    broker.worker_dead_letter("acme", "A-2", "permanent", Utc::now()).await;

    for answer in ["n\n", "", "yes please\n"] {
        let declined = broker.cli(&["dlq", "purge"], answer).await;
        assert!(declined.ok().contains("Delete all 2 dead letters? [y/N]"), "{}", declined.ok());
        assert!(declined.ok().contains("nothing deleted"), "{}", declined.ok());
        broker.wait_for_depth(&dead, 2).await;
    }
    let confirmed = broker.cli(&["dlq", "purge"], "Y\n").await;
    assert!(confirmed.ok().contains("deleted 2 dead letter(s)"), "{}", confirmed.ok());
    broker.wait_for_depth(&dead, 0).await;

    broker.broker_dead_letter("acme", "A-3").await;
    let forced = broker.cli(&["dlq", "purge", "--yes"], "").await;
    assert!(!forced.ok().contains("[y/N]") && forced.ok().contains("deleted 1 dead letter(s)"), "{}", forced.ok());
    broker.wait_for_depth(&dead, 0).await;
}
