//! `enhancer-worker run`: build the worker from configuration, serve health and metrics, consume until
//! SIGTERM or Ctrl-C, drain, exit.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use enhancer_plugins::{HttpClient, HttpConfig, Plugins};
use enhancer_shared::config::{Config, FloorsSource, LlmProvider};
use enhancer_shared::crypto::KeyRing;
use enhancer_shared::db;
use enhancer_shared::queue::{Publisher, PublisherOptions, Topology};
use tokio::sync::watch;

use crate::consumer::{self, ConsumerOptions, ConsumerState};
use crate::corpus::search::semantic::{Embedder, backfill};
use crate::health::{self, HealthState};
use crate::job::tenant::{TenantCache, WorkerTenant};
use crate::job::{WorkerContext, history};
use crate::stages::StageTimeouts;
use crate::writer::llm::OpenAiWriter;
use crate::writer::{OfflineWriter, Writer};

/// A worker ready to run: its context (shared with tests) and how it consumes.
#[derive(Debug)]
pub struct Worker {
    pub ctx: Arc<WorkerContext>,
    pub options: ConsumerOptions,
    pub state: ConsumerState,
}

fn worker_id(config: &Config) -> String {
    config
        .worker
        .id
        .clone()
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| format!("worker-{}", uuid::Uuid::new_v4().simple()))
}

/// Builds the worker from configuration. Fails on what cannot work (database schema, master key); the
/// broker may be down: the consumer connects when it comes.
pub async fn build(config: &Config) -> anyhow::Result<Worker> {
    let writer: Arc<dyn Writer> = match config.llm.provider {
        LlmProvider::Offline => Arc::new(OfflineWriter),
        LlmProvider::Openai => Arc::new(OpenAiWriter::from_config(&config.llm).context("llm.provider = openai")?),
    };
    build_with_writer(config, writer).await
}

/// [`build`] with a given writer (benchmarks and tests substitute a writer with a known cost).
pub async fn build_with_writer(config: &Config, writer: Arc<dyn Writer>) -> anyhow::Result<Worker> {
    let master = config
        .master_key
        .as_ref()
        .context("ENHANCER_MASTER_KEY is not set: the worker needs it to read tenant credentials")?;
    let keys = Arc::new(KeyRing::from_env_values(master, config.previous_master_keys.as_ref())?);
    let pool = db::connect(&config.database).await?;
    db::ensure_schema_current(&pool).await?;
    let http = HttpClient::new(HttpConfig {
        connect_timeout: Duration::from_secs(config.outbound.connect_timeout_secs),
        request_timeout: Duration::from_secs(config.outbound.request_timeout_secs),
        allow_private_networks: config.outbound.allow_private_networks,
        ..HttpConfig::default()
    })?;
    let topology = Topology::new(config.queue.prefix.clone())?;
    let publisher = Publisher::new(
        &config.amqp.url,
        topology.clone(),
        PublisherOptions {
            connection_name: "enhancer-worker".into(),
            confirm_timeout: Duration::from_millis(config.amqp.publish_timeout_ms),
            ..PublisherOptions::default()
        },
    );
    let timeouts = StageTimeouts::from_config(config);
    let lease = Duration::from_secs(config.worker.lease_secs);
    let tenants = TenantCache::new(
        pool.clone(),
        keys,
        Duration::from_secs(config.worker.tenant_cache_ttl_secs),
        WorkerTenant::build,
    );
    tenants.spawn_invalidation();
    let mut ctx = WorkerContext::new(
        pool,
        tenants,
        Plugins,
        http,
        publisher,
        writer,
        worker_id(config),
        lease,
        config.queue.max_attempts,
        timeouts,
    );
    // An unusable [embeddings] section stops the start (like [llm]); a server that is down later only
    // costs notes their semantic ranking.
    if let Some(embedder) = Embedder::from_config(&config.embeddings)? {
        let (floors, source) = config.embeddings.floors();
        tracing::info!(
            model = config.embeddings.model.as_deref(),
            ticket_floor = floors.ticket,
            article_floor = floors.article,
            floors = ?source,
            "similar tickets and articles re-ranked by meaning"
        );
        if source == FloorsSource::Unmeasured {
            tracing::warn!(
                model = config.embeddings.model.as_deref(),
                "no floors were measured for this embedding model and embeddings.ticket_floor or \
                 embeddings.article_floor is unset: all-MiniLM-L6-v2's stand in; calibrate them for this model \
                 (docs/OPERATIONS.md, \"The floors are the model's\")"
            );
        }
        ctx.search = ctx.search.with_embedder(embedder);
    }
    let options = ConsumerOptions {
        amqp_url: config.amqp.url.clone(),
        topology,
        concurrency: config.worker.concurrency,
        drain_grace: Duration::from_secs(config.worker.drain_grace_secs),
    };
    Ok(Worker { ctx: Arc::new(ctx), options, state: ConsumerState::default() })
}

impl Worker {
    /// Consumes until `shutdown` flips to true, then drains, releases the claims of the jobs the drain
    /// abandoned and closes the publisher.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) {
        // With `[embeddings]`, the documents without a vector are embedded in the background, for the search
        // by meaning across the whole corpus.
        if let Some(semantic) = self.ctx.search.semantic() {
            tokio::spawn(backfill::run(semantic.clone(), self.ctx.pool.clone(), shutdown.clone()));
        }
        consumer::run(Arc::clone(&self.ctx), self.options.clone(), self.state.clone(), shutdown).await;
        // No job of this process runs any more: the next worker may take its unfinished claims at once
        // rather than after their leases. (A killed process cannot do this; its leases run out.)
        match history::release_all(&self.ctx.pool, self.ctx.claim_token).await {
            Ok(0) => {}
            Ok(released) => tracing::info!(released, "released the claims of abandoned jobs"),
            Err(err) => {
                tracing::warn!(error = %err, "cannot release claims; they are taken over when their leases end");
            }
        }
        self.ctx.publisher.close().await;
    }

    pub fn health_router(&self) -> axum::Router {
        health::router(HealthState { ctx: Arc::clone(&self.ctx), consumer: self.state.clone() })
    }
}

/// The `run` command.
pub async fn run(config: &Config) -> anyhow::Result<()> {
    let worker = build(config).await.context("start-up failed")?;
    let listener = tokio::net::TcpListener::bind(config.worker.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.worker.listen))?;
    let (tx, rx) = watch::channel(false);
    let health = worker.health_router();
    let mut health_shutdown = rx.clone();
    let server = tokio::spawn(async move {
        axum::serve(listener, health)
            .with_graceful_shutdown(async move {
                let _ = health_shutdown.wait_for(|stop| *stop).await;
            })
            .await
    });
    tokio::spawn(async move {
        enhancer_shared::shutdown::signal().await;
        let _ = tx.send(true);
    });
    tracing::info!(
        worker_id = %worker.ctx.worker_id, claim_token = %worker.ctx.claim_token,
        lease_secs = worker.ctx.lease.as_secs(), listen = %config.worker.listen, "enhancer-worker started"
    );
    worker.run(rx).await;
    let _ = server.await;
    tracing::info!("enhancer-worker stopped");
    Ok(())
}
