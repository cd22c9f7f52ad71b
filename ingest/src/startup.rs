//! Start-up: check the database, build the application state from configuration, declare the queue
//! topology, and serve until a shutdown signal. Shared by the binary and the tests.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use enhancer_plugins::Plugins;
use enhancer_shared::config::Config;
use enhancer_shared::crypto::{KeyError, KeyRing};
use enhancer_shared::db;
use enhancer_shared::queue::{Publisher, PublisherOptions, QueueError, Topology};
use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::admission::Admission;
use crate::dedup::Dedup;
use crate::metrics::Metrics;
use crate::rate_limit::RateLimiter;
use crate::redis_link::RedisLink;
use crate::router::router;
use crate::state::AppState;
use crate::tenant_cache::{CachedTenant, TenantCache};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error(transparent)]
    Schema(#[from] db::SchemaError),
    #[error("ENHANCER_MASTER_KEY is not set: ingest needs it to read the tenants' webhook secrets")]
    MissingMasterKey,
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("cannot listen on {address}: {source}")]
    Listen { address: std::net::SocketAddr, source: std::io::Error },
}

/// Connects to the database and refuses to go on when its schema is behind this build.
pub async fn open_database(config: &Config) -> Result<PgPool, StartupError> {
    let pool = db::connect(&config.database).await?;
    let status = db::ensure_schema_current(&pool).await?;
    if !status.unknown_applied.is_empty() {
        tracing::warn!(
            versions = ?status.unknown_applied,
            "the database has migrations this build does not know: a newer version migrated it"
        );
    }
    Ok(pool)
}

/// Builds everything the handlers share. The broker and Redis may be down: ingest starts anyway, reports
/// not ready, and connects when they come back.
pub async fn build_state(config: &Config) -> Result<AppState, StartupError> {
    let master = config.master_key.as_ref().ok_or(StartupError::MissingMasterKey)?;
    let keys = Arc::new(KeyRing::from_env_values(master, config.previous_master_keys.as_ref())?);
    let pool = open_database(config).await?;
    let publish_timeout = Duration::from_millis(config.amqp.publish_timeout_ms);
    let topology = Topology::new(config.queue.prefix.clone())?;
    let publisher = Publisher::new(
        &config.amqp.url,
        topology,
        PublisherOptions {
            connection_name: "enhancer-ingest".into(),
            confirm_timeout: publish_timeout,
            ..PublisherOptions::default()
        },
    );
    let redis = RedisLink::connect(&config.redis);
    let metrics = Metrics::new();
    let tenants = TenantCache::new(
        pool.clone(),
        keys,
        Duration::from_secs(config.ingest.tenant_cache_ttl_secs),
        CachedTenant::build,
    );
    tenants.spawn_invalidation();
    Ok(AppState {
        plugins: Arc::new(Plugins::default()),
        tenants,
        publisher,
        admission: Admission::new(
            redis.clone(),
            RateLimiter::new(&config.queue.prefix),
            // A second delivery waits for the first one's publish, which the publish timeout bounds.
            Dedup::new(
                redis.clone(),
                &config.queue.prefix,
                Duration::from_secs(config.ingest.dedup_ttl_secs),
                publish_timeout + Duration::from_millis(500),
                metrics.redis_fallbacks.with_label_values(&["dedup_confirm"]),
            ),
        ),
        redis,
        pool,
        metrics,
        unavailable_retry_after: Duration::from_secs(5),
    })
}

/// Declares the topology, retrying in the background while the broker is away. Publishing before it is
/// declared fails (mandatory messages to a missing queue come back), so nothing is lost meanwhile.
pub fn spawn_topology_declaration(publisher: Publisher) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match publisher.declare_topology().await {
                Ok(()) => {
                    tracing::info!(prefix = publisher.topology().prefix(), "queue topology declared");
                    return;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot declare the queue topology yet; retrying in 2s");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    })
}

/// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish and returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    body_limit_bytes: usize,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let publisher = state.publisher.clone();
    let app = router(state, body_limit_bytes);
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    publisher.close().await;
    served
}

/// Binds the configured address.
pub async fn bind(config: &Config) -> Result<TcpListener, StartupError> {
    let address = config.ingest.listen;
    TcpListener::bind(address).await.map_err(|source| StartupError::Listen { address, source })
}
