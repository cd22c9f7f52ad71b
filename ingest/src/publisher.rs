//! What the handlers need of the broker: publish one job and wait for its confirm, and readiness. Held as
//! `Arc<dyn JobPublisher>` in the application state, so router tests run without a broker; the real one is
//! the shared confirmed [`Publisher`].

use enhancer_shared::domain::EnhancementJob;
use enhancer_shared::queue::{JobHeaders, PublishError, Publisher};
use futures_util::future::BoxFuture;

pub trait JobPublisher: Send + Sync + std::fmt::Debug {
    /// Publishes `job` to the jobs queue and resolves once the broker confirmed it (or it failed).
    fn publish_job<'a>(
        &'a self,
        job: &'a EnhancementJob,
        headers: &'a JobHeaders,
    ) -> BoxFuture<'a, Result<(), PublishError>>;

    /// Whether the broker link is up, after trying to reconnect a lost one (for `/readyz`).
    fn ensure_connected(&self) -> BoxFuture<'_, bool>;
}

impl JobPublisher for Publisher {
    fn publish_job<'a>(
        &'a self,
        job: &'a EnhancementJob,
        headers: &'a JobHeaders,
    ) -> BoxFuture<'a, Result<(), PublishError>> {
        Box::pin(Publisher::publish_job(self, job, headers))
    }

    fn ensure_connected(&self) -> BoxFuture<'_, bool> {
        Box::pin(Publisher::ensure_connected(self))
    }
}
