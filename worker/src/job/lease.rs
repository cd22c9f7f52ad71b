//! The lease of a running job's claim: a heartbeat task renews it every third of the lease for as long as
//! the job runs, and the job asks [`Lease::check`] before it posts the note.
//!
//! A claim holds for `worker.lease_secs` (30 s by default) from its last renewal. A worker that dies stops
//! renewing, and another worker takes the job over once the lease has run out: crash recovery in one lease,
//! not in the sum of the stage timeouts. A worker that cannot renew (the database is gone) or finds its
//! row under another token (it was taken over) must not race its successor to the ticket: the check fails,
//! the job stops before the update stage and is retried later (by then the successor has finished, or the
//! retry takes the job over itself). The note's marker and the look-up before posting on every run after the
//! first keep a takeover that meets a slow original to one note.
//!
//! Time is measured on this process's monotonic clock from the moment a claim or renewal statement was
//! sent, which is never later than the database's `now()` that started the lease: the local deadline errs
//! on the short side.

use std::time::Duration;

use enhancer_shared::error::Disposition;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use uuid::Uuid;

use super::history;
use crate::stages::{Stage, StageError};

/// The shortest lease the heartbeat can keep (renewed every third: once a second). Checked at start-up as
/// `worker.lease_secs`.
pub const MIN_LEASE: Duration = Duration::from_secs(3);

/// A held claim and its heartbeat. Dropping it (the job ended, however) stops the heartbeat.
#[derive(Debug)]
pub struct Lease {
    /// Until when the claim is known to hold; `None` once another process has taken it over.
    held_until: watch::Receiver<Option<Instant>>,
    heartbeat: JoinHandle<()>,
}

impl Lease {
    /// Starts renewing the claim `token` holds on `enhancement_id`; `claimed_at` is when the claim
    /// statement was sent.
    pub fn hold(pool: PgPool, enhancement_id: Uuid, token: Uuid, lease: Duration, claimed_at: Instant) -> Lease {
        let (tx, held_until) = watch::channel(Some(claimed_at + lease));
        let heartbeat = tokio::spawn(heartbeat(pool, enhancement_id, token, lease, tx));
        Lease { held_until, heartbeat }
    }

    /// `Ok` while the claim is still this process's and its lease has not run out.
    pub fn check(&self) -> Result<(), StageError> {
        match *self.held_until.borrow() {
            Some(until) if Instant::now() < until => Ok(()),
            Some(_) => Err(lost("the claim's lease ran out without a renewal (database unreachable?)")),
            None => Err(lost("the claim was taken over by another worker after its lease ran out")),
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}

/// Transient: the job is not lost, it is someone else's for now; a retry finds it completed (skipped) or
/// takes it over.
fn lost(message: &str) -> StageError {
    StageError::new(Stage::Update, Disposition::TRANSIENT, message)
}

async fn heartbeat(
    pool: PgPool,
    enhancement_id: Uuid,
    token: Uuid,
    lease: Duration,
    held_until: watch::Sender<Option<Instant>>,
) {
    let every = lease / 3;
    loop {
        tokio::time::sleep(every).await;
        let asked = Instant::now();
        // A renewal that takes longer than the gap to the next one is as good as failed: the next one starts.
        match tokio::time::timeout(every, history::renew(&pool, enhancement_id, token, lease)).await {
            Ok(Ok(true)) => {
                held_until.send_replace(Some(asked + lease));
            }
            Ok(Ok(false)) => {
                tracing::warn!("the claim was taken over by another worker; this run stops before posting");
                held_until.send_replace(None);
                return;
            }
            Ok(Err(err)) => tracing::warn!(error = %err, "cannot renew the claim's lease; trying again"),
            Err(_) => tracing::warn!(timeout_ms = every.as_millis() as u64, "renewing the claim's lease timed out"),
        }
    }
}
