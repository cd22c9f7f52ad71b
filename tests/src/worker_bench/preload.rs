//! Fills `{prefix}.jobs` before the worker starts: N jobs for the benchmark tenant, each with its own
//! idempotency key and ticket, published with the project's confirmed [`Publisher`] exactly as ingest
//! publishes them.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use enhancer_shared::config::Config;
use enhancer_shared::domain::{EnhancementJob, EventKind, Priority, TenantId, TicketEvent, TicketId, ToolKind};
use enhancer_shared::queue::{JobHeaders, Publisher, PublisherOptions, Topology};
use futures_util::StreamExt as _;

use crate::setup::TENANT;

/// Confirms outstanding at once while filling the queue.
const IN_FLIGHT: usize = 256;

fn job(run: &str, n: usize) -> anyhow::Result<EnhancementJob> {
    let ticket = format!("BENCH-{n}");
    let event = TicketEvent {
        ticket_id: TicketId::parse(ticket)?,
        kind: EventKind::Created,
        actor: Some("alice@example.com".into()),
        subject: Some("VPN drops every 10 minutes".into()),
        priority: Priority::High,
        occurred_at: Some(chrono::Utc::now()),
        idempotency_key: Some(format!("wb-{run}-{n}")),
        self_authored: false,
    };
    Ok(EnhancementJob::new(TenantId::parse(TENANT)?, ToolKind::Generic, format!("wb-{run}-{n}"), event))
}

/// Declares the topology and publishes `count` jobs; returns how long it took.
pub async fn publish_jobs(config: &Config, count: usize) -> anyhow::Result<Duration> {
    let topology = Topology::new(config.queue.prefix.clone())?;
    let publisher = Publisher::connect(
        &config.amqp.url,
        topology,
        PublisherOptions { connection_name: "worker-bench-preload".into(), ..PublisherOptions::default() },
    )
    .await
    .context("connect the preload publisher")?;
    publisher.declare_topology().await?;
    let run = &uuid::Uuid::new_v4().simple().to_string()[..12];
    let jobs = (0..count).map(|n| job(run, n)).collect::<anyhow::Result<Vec<_>>>()?;
    let headers = JobHeaders::first(None);
    let started = Instant::now();
    let mut confirms = futures_util::stream::iter(jobs.iter().map(|job| publisher.publish_job(job, &headers)))
        .buffer_unordered(IN_FLIGHT);
    while let Some(confirmed) = confirms.next().await {
        confirmed.context("preload publish")?;
    }
    let took = started.elapsed();
    publisher.close().await;
    Ok(took)
}
