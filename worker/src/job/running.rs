//! The jobs this process is running, by (tenant, idempotency key), so a second delivery of one is deferred
//! rather than run concurrently. An entry is held by a [`Running`] guard and removed when the guard drops,
//! whichever way the job ends: returned, panicked (unwinding through it) or cancelled (its future dropped).
//! A leaked entry would defer every later delivery of that job for the life of the process.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

type Entry = (String, String);

#[derive(Debug, Default)]
pub struct RunningJobs {
    set: Mutex<HashSet<Entry>>,
}

impl RunningJobs {
    /// Marks a job as running here until the returned guard drops; `None` if it already is.
    pub fn start(&self, tenant: &str, key: &str) -> Option<Running<'_>> {
        let entry = (tenant.to_owned(), key.to_owned());
        // The lock is released before a guard exists: a guard made (and dropped) under it would deadlock.
        let inserted = self.lock().insert(entry.clone());
        inserted.then(|| Running { jobs: self, entry })
    }

    pub fn contains(&self, tenant: &str, key: &str) -> bool {
        self.lock().contains(&(tenant.to_owned(), key.to_owned()))
    }

    /// The set is only ever touched by these short insert/remove/contains calls, none of which can leave it
    /// half-changed, so a lock poisoned by a panic elsewhere is still sound to use (and a drop during
    /// unwinding must not panic again).
    fn lock(&self) -> MutexGuard<'_, HashSet<Entry>> {
        self.set.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One running job's entry; dropping it frees the entry.
#[derive(Debug)]
#[must_use = "the job counts as running only while this guard lives"]
pub struct Running<'a> {
    jobs: &'a RunningJobs,
    entry: Entry,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.jobs.lock().remove(&self.entry);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn a_second_start_is_refused_until_the_guard_drops() {
        let jobs = RunningJobs::default();
        let guard = jobs.start("acme", "k1").expect("first start");
        assert!(jobs.start("acme", "k1").is_none(), "already running");
        assert!(jobs.start("acme", "k2").is_some(), "another key is another job");
        drop(guard);
        assert!(!jobs.contains("acme", "k1"));
        assert!(jobs.start("acme", "k1").is_some(), "free again");
    }

    #[test]
    fn a_panic_inside_the_job_frees_its_entry() {
        let jobs = RunningJobs::default();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _running = jobs.start("acme", "k1").expect("start");
            assert!(jobs.contains("acme", "k1"));
            panic!("job failed unexpectedly");
        }));
        assert!(result.is_err(), "the job panicked");
        assert!(!jobs.contains("acme", "k1"), "the panic leaked the running entry");
        assert!(jobs.start("acme", "k1").is_some(), "a later delivery runs");
    }

    #[tokio::test]
    async fn a_panicking_or_cancelled_task_frees_its_entry() {
        let jobs = Arc::new(RunningJobs::default());
        let task_jobs = Arc::clone(&jobs);
        let joined = tokio::spawn(async move {
            let _running = task_jobs.start("acme", "k1").expect("start");
            tokio::task::yield_now().await;
            panic!("job failed unexpectedly");
        })
        .await;
        assert!(joined.expect_err("panicked").is_panic());
        assert!(!jobs.contains("acme", "k1"), "the panic leaked the running entry");

        let task_jobs = Arc::clone(&jobs);
        let (started_tx, started_rx) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let _running = task_jobs.start("acme", "k2").expect("start");
            started_tx.send(()).expect("send");
            std::future::pending::<()>().await;
        });
        started_rx.await.expect("started");
        assert!(jobs.contains("acme", "k2"));
        task.abort();
        assert!(task.await.expect_err("aborted").is_cancelled());
        assert!(!jobs.contains("acme", "k2"), "the cancelled job leaked its running entry");
    }
}
