//! Everything a request handler needs, built once at start-up and shared by all requests.

use std::sync::Arc;
use std::time::Duration;

use enhancer_plugins::Plugins;
use enhancer_shared::queue::Publisher;
use sqlx::PgPool;

use crate::admission::Admission;
use crate::metrics::Metrics;
use crate::redis_link::RedisLink;
use crate::tenant_cache::TenantCache;

#[derive(Debug, Clone)]
pub struct AppState {
    pub plugins: Arc<Plugins>,
    pub tenants: TenantCache,
    pub publisher: Publisher,
    /// Rate limit and dedup claim (one Redis call), and the dedup confirm or release after the publish.
    pub admission: Admission,
    pub redis: RedisLink,
    pub pool: PgPool,
    pub metrics: Metrics,
    /// `Retry-After` sent with a 503 while the broker or database is away.
    pub unavailable_retry_after: Duration,
}
