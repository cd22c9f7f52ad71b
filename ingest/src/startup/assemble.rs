//! Assembling ingest from configuration: check the database schema, then build the application state. The
//! broker and Redis may be down: ingest starts anyway, reports not ready, and connects when they come back.

use std::sync::Arc;
use std::time::Duration;

use enhancer_plugins::Plugins;
use enhancer_shared::config::Config;
use enhancer_shared::crypto::KeyRing;
use enhancer_shared::db;
use enhancer_shared::queue::{Publisher, PublisherOptions, Topology};
use enhancer_shared::tenant::CacheLimits;
use sqlx::PgPool;

use super::StartupError;
use crate::admission::{AdmissionSettings, RedisAdmission, RedisLink};
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::tenant_cache::{CachedTenant, StoredTenants, TenantCache};
use crate::webhook::VerifyThrottle;

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

/// Ingest assembled from configuration, not serving yet: the handlers' state and, beside it, the concrete
/// broker publisher behind their `JobPublisher` (start-up declares the topology with it, shutdown closes it).
#[derive(Debug, Clone)]
pub(crate) struct Assembled {
    pub(crate) publisher: Publisher,
    pub(crate) state: AppState,
}

/// Builds everything the handlers share.
pub(crate) async fn build_state(config: &Config) -> Result<Assembled, StartupError> {
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
    let metrics = Metrics::new();
    let tenants = TenantCache::new(
        pool.clone(),
        keys,
        Duration::from_secs(config.ingest.tenant_cache_ttl_secs),
        CachedTenant::build,
    )
    .limited(CacheLimits {
        negative_ttl: Duration::from_secs(config.ingest.negative_cache_ttl_secs),
        negative_max_entries: config.ingest.negative_cache_max_entries,
        // Lookups come from unauthenticated traffic: never more than this share of the pool (see the key).
        max_concurrent_loads: Some(config.ingest.tenant_lookups(config.database.max_connections) as usize),
    });
    tenants.spawn_invalidation();
    let admission = RedisAdmission::new(
        RedisLink::connect(&config.redis),
        &AdmissionSettings {
            queue_prefix: config.queue.prefix.clone(),
            dedup_ttl: Duration::from_secs(config.ingest.dedup_ttl_secs),
            // A second delivery waits for the first one's publish, which the publish timeout bounds.
            in_flight_wait: publish_timeout + Duration::from_millis(500),
        },
        metrics.redis_fallbacks.clone(),
    );
    let state = AppState {
        plugins: Plugins,
        tenants: Arc::new(StoredTenants::new(tenants, pool)),
        publisher: Arc::new(publisher.clone()),
        admission: Arc::new(admission),
        metrics,
        unavailable_retry_after: Duration::from_secs(5),
        verify_throttle: Arc::new(VerifyThrottle::new(
            config.ingest.verify_failure_burst,
            Duration::from_secs(config.ingest.verify_failure_window_secs),
        )),
    };
    Ok(Assembled { publisher, state })
}
