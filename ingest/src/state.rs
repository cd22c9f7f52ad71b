//! Everything a request handler needs, built once at start-up and shared by all requests. The broker, the
//! tenants' store and admission sit behind small traits, so the router can be tested with in-memory ones.

use std::sync::Arc;
use std::time::Duration;

use enhancer_plugins::Plugins;

use crate::admission::Admission;
use crate::metrics::Metrics;
use crate::publisher::JobPublisher;
use crate::tenant_cache::Tenants;
use crate::webhook::VerifyThrottle;

#[derive(Debug, Clone)]
pub struct AppState {
    pub plugins: Plugins,
    pub tenants: Arc<dyn Tenants>,
    pub publisher: Arc<dyn JobPublisher>,
    /// Rate limit and dedup claim before the publish, and the claim's confirm or release after it.
    pub admission: Arc<dyn Admission>,
    pub metrics: Metrics,
    /// `Retry-After` sent with a 503 while the broker or database is away.
    pub unavailable_retry_after: Duration,
    /// Failed signature checks per tenant: 429 beyond the burst, and the warning rate-limited.
    pub verify_throttle: Arc<VerifyThrottle>,
}
