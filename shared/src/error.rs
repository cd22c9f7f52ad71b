//! The error taxonomy the worker's retry policy reads: every error that can reach a job says whether it is
//! worth retrying (transient, optionally with the server's Retry-After) or never will succeed (permanent).
//!
//! Libraries define their own `thiserror` enums and implement [`Retryable`]; the retry policy looks at
//! nothing but [`Disposition`]. `anyhow` is used only at the binaries' edges.

use std::time::Duration;

/// What a failure means for the job that hit it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Timeouts, refused connections, 5xx, 429, a database or broker that is briefly away.
    /// `retry_after` is the server's own hint; the retry policy waits at least this long.
    Transient { retry_after: Option<Duration> },
    /// Bad credentials, a ticket that is gone, a payload the tool rejects: retrying cannot help.
    Permanent,
}

impl Disposition {
    pub const TRANSIENT: Disposition = Disposition::Transient { retry_after: None };

    pub fn is_transient(self) -> bool {
        matches!(self, Disposition::Transient { .. })
    }

    /// The stable label used in metrics, dead-letter headers and `enhancement_history.error_class`.
    pub fn class(self) -> &'static str {
        match self {
            Disposition::Transient { .. } => "transient",
            Disposition::Permanent => "permanent",
        }
    }
}

/// Implemented by every error type that can fail a job.
pub trait Retryable: std::error::Error {
    fn disposition(&self) -> Disposition;
}

impl Retryable for sqlx::Error {
    /// A database that cannot be reached or is overloaded is transient; a query the database refuses
    /// (constraint, type, syntax) will be refused again.
    fn disposition(&self) -> Disposition {
        match self {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::Protocol(_)
            | sqlx::Error::WorkerCrashed => Disposition::TRANSIENT,
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // 40001 serialization failure, 40P01 deadlock, 53xxx insufficient resources,
                // 57P0x admin shutdown / cannot connect now, 08xxx connection exceptions.
                Some(code)
                    if code == "40001"
                        || code == "40P01"
                        || code.starts_with("53")
                        || code.starts_with("57P")
                        || code.starts_with("08") =>
                {
                    Disposition::TRANSIENT
                }
                _ => Disposition::Permanent,
            },
            _ => Disposition::Permanent,
        }
    }
}
