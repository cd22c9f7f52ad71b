//! Everything a job needs, built once at start-up and shared by all jobs in flight.

use std::sync::Arc;
#[cfg(feature = "fault-injection")]
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use enhancer_plugins::{HttpClient, Plugins};
use enhancer_shared::queue::Publisher;
use sqlx::PgPool;
use uuid::Uuid;

use super::running::{Running, RunningJobs};
use super::tenant::TenantCache;
use crate::corpus::search::Searcher;
use crate::metrics::Metrics;
use crate::stages::StageTimeouts;
use crate::writer::Writer;

#[derive(Debug)]
pub struct WorkerContext {
    pub pool: PgPool,
    /// The similar-ticket and knowledge-base searches, with the tenants' in-memory indexes (over `pool`).
    pub search: Searcher,
    /// Tenants with their decrypted secrets, invalidated by the CLI's change notifications.
    pub tenants: TenantCache,
    pub plugins: Plugins,
    pub http: HttpClient,
    /// Confirmed publishes of retries and dead letters.
    pub publisher: Publisher,
    pub writer: Arc<dyn Writer>,
    pub metrics: Metrics,
    /// `worker.id`: this process's label in logs, metrics and `enhancement_history.claimed_by`. Not an
    /// identity: two replicas may share it, and a restarted pod keeps it.
    pub worker_id: String,
    /// Owns this process's claims (`enhancement_history.claim_token`): made at random when the process
    /// starts, so no other process, whatever its `worker.id`, can mistake one of them for its own.
    pub claim_token: Uuid,
    /// How long a claim holds past its last renewal before another worker may take the job over; the
    /// heartbeat renews it every third of this while the job runs.
    pub lease: Duration,
    pub max_attempts: u32,
    pub timeouts: StageTimeouts,
    #[cfg(feature = "fault-injection")]
    pub faults: Faults,
    /// (tenant, idempotency key) of the jobs this process is running: a second delivery of one of them is
    /// deferred instead of running concurrently.
    running: RunningJobs,
}

impl WorkerContext {
    #[expect(clippy::too_many_arguments, reason = "plain wiring of start-up parts, called from one place")]
    pub fn new(
        pool: PgPool,
        tenants: TenantCache,
        plugins: Plugins,
        http: HttpClient,
        publisher: Publisher,
        writer: Arc<dyn Writer>,
        worker_id: String,
        lease: Duration,
        max_attempts: u32,
        timeouts: StageTimeouts,
    ) -> Self {
        Self {
            search: Searcher::new(pool.clone()),
            pool,
            tenants,
            plugins,
            http,
            publisher,
            writer,
            metrics: Metrics::new(),
            worker_id,
            claim_token: Uuid::new_v4(),
            lease,
            max_attempts,
            timeouts,
            #[cfg(feature = "fault-injection")]
            faults: Faults::default(),
            running: RunningJobs::default(),
        }
    }

    /// Marks a job as running here until the returned guard drops (also when the job panics or is
    /// cancelled); `None` if it already is.
    pub(crate) fn start_running(&self, tenant: &str, key: &str) -> Option<Running<'_>> {
        self.running.start(tenant, key)
    }
}

/// Test-only fault points: they let a test stop a worker at the worst moment. Compiled only with the
/// `fault-injection` feature (the tests crate turns it on), so a production binary has none.
#[cfg(feature = "fault-injection")]
#[derive(Debug, Default)]
pub struct Faults {
    /// Stop after the note was posted and before the outcome is recorded, leaving the message unacked, as
    /// if the process had been killed there.
    pub crash_after_post: AtomicBool,
}

#[cfg(feature = "fault-injection")]
impl Faults {
    pub fn crash_after_post(&self) -> bool {
        self.crash_after_post.load(Ordering::SeqCst)
    }
}
