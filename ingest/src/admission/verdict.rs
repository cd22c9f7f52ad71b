//! What admission answers for one webhook, and the claim an admitted delivery holds until its publish ends.

use std::time::Duration;

use uuid::Uuid;

/// The answer to [`super::Admission::admit`].
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Publish the job, then hand the claim to [`super::Admission::confirmed`] or
    /// [`super::Admission::failed`].
    Admitted(Claim),
    /// An earlier delivery of the same event was accepted as this job.
    Duplicate(Uuid),
    /// Over the tenant's rate limit; nothing was claimed, so the tool's retry is judged afresh.
    RateLimited { retry_after: Duration },
    /// Another delivery of the same event is being published and did not finish in time; the tool should
    /// retry.
    InFlight,
}

/// An admitted delivery's hold on its idempotency key: `pending:<job id>` in the dedup store (or nothing,
/// when the store could not answer; confirming or releasing it is then harmless). Not `Clone`: it is handed
/// back exactly once.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "a claim is confirmed after the publish or released when it failed"]
pub struct Claim {
    /// The dedup key (tenant and hashed idempotency key), computed once at admission.
    key: String,
    job_id: Uuid,
}

impl Claim {
    pub fn new(key: String, job_id: Uuid) -> Self {
        Self { key, job_id }
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    /// The job the delivery will be published as.
    pub fn job_id(&self) -> Uuid {
        self.job_id
    }

    pub(super) fn into_parts(self) -> (String, Uuid) {
        (self.key, self.job_id)
    }
}
