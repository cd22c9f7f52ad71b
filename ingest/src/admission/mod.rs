//! Admission of a verified webhook: the dedup check, the tenant's rate limit and the claim on its idempotency key
//! before the publish, and the claim's end after it. The webhook handler sees only [`Admission`]'s three
//! operations; [`RedisAdmission`] is the real one, shared by all replicas through Redis.
//!
//! - `scripts`: the Lua scripts, hashed once.
//! - `rate_limit`: GCRA parameters and keys, and the in-process limiter for when Redis is away.
//! - `dedup`: the `pending:<job>` / `done:<job>` markers, waiting on another delivery's publish, releasing.
//! - `confirm_batch`: marking keys `done` after the broker's confirm, in the background and in batches.
//! - `redis_link`: the optional connection to Redis, every call bounded.

mod confirm_batch;
mod dedup;
mod rate_limit;
mod redis_admission;
mod redis_link;
mod scripts;
mod verdict;

use enhancer_shared::tenant::RateLimit;
use futures_util::future::BoxFuture;
use uuid::Uuid;

pub use redis_admission::{AdmissionSettings, RedisAdmission};
pub use redis_link::{RedisLink, RedisUnavailable};
pub use verdict::{Claim, Verdict};

/// What the webhook handler asks before and after publishing a job. Held as `Arc<dyn Admission>` in the
/// application state, so router tests run with an in-memory one; the boxed future costs one allocation per
/// webhook, next to a Redis round trip.
pub trait Admission: Send + Sync + std::fmt::Debug {
    /// Answers a duplicate of `idempotency_key` without spending budget; otherwise counts the request against
    /// `tenant`'s `limit` and, when it is allowed, claims the key for `job_id`. Never fails: without its store, admission falls back (a local rate limit, no dedup).
    fn admit<'a>(
        &'a self,
        tenant: &'a str,
        limit: RateLimit,
        idempotency_key: &'a str,
        job_id: Uuid,
    ) -> BoxFuture<'a, Verdict>;

    /// The job was published and the broker confirmed it: later deliveries of the event are duplicates.
    /// Written in the background; the caller does not wait.
    fn confirmed(&self, claim: Claim);

    /// Publishing failed: the claim is released at once, so the tool's retry is accepted rather than
    /// called a duplicate.
    fn failed(&self, claim: Claim) -> BoxFuture<'_, ()>;

    /// Whether the shared store (Redis) is connected; reported by `/readyz`, never a reason to be unready.
    fn store_connected(&self) -> bool;
}
