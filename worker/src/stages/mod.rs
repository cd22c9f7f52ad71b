//! The stages of one job: gather -> synthesize -> note -> update. Each runs under [`timed`], with its own
//! timeout (all well inside the broker's consumer timeout), and fails with a [`StageError`] that carries
//! its retry disposition.

pub mod gather;
pub mod note;
pub mod synthesize;
mod timed;
pub mod update;

use std::fmt;
use std::time::Duration;

use enhancer_shared::error::{Disposition, Retryable};

pub use timed::timed;

/// Where a job failed; the value of `x-stage` on dead letters and `enhancement_history.error_stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Decode,
    Claim,
    Tenant,
    Gather,
    Synthesize,
    Update,
    Record,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Decode => "decode",
            Stage::Claim => "claim",
            Stage::Tenant => "tenant",
            Stage::Gather => "gather",
            Stage::Synthesize => "synthesize",
            Stage::Update => "update",
            Stage::Record => "record",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed stage. The message is for operators (logs, history, dead-letter headers) and never holds
/// credentials: plugin and database errors are built not to.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{stage}: {message}")]
pub struct StageError {
    pub stage: Stage,
    pub disposition: Disposition,
    pub message: String,
}

impl StageError {
    pub fn new(stage: Stage, disposition: Disposition, message: impl Into<String>) -> Self {
        Self { stage, disposition, message: message.into() }
    }

    pub fn from_error(stage: Stage, error: &dyn Retryable) -> Self {
        Self::new(stage, error.disposition(), error.to_string())
    }
}

/// Stage time limits. Their sum, plus claim and record, stays well under RabbitMQ's default consumer
/// timeout (30 minutes), so the broker never cancels a consumer because of a slow job.
#[derive(Debug, Clone, Copy)]
pub struct StageTimeouts {
    pub gather: Duration,
    pub synthesize: Duration,
    pub update: Duration,
}

impl StageTimeouts {
    /// From the outbound and LLM timeouts: a stage gets room for its calls (with the HTTP client's own
    /// retries) plus a margin.
    pub fn from_config(config: &enhancer_shared::config::Config) -> Self {
        let outbound = Duration::from_secs(config.outbound.request_timeout_secs);
        Self {
            // The semantic ranking, when configured, is bounded by its own timeout and falls back to words.
            gather: outbound * 3
                + Duration::from_secs(10)
                + config
                    .embeddings
                    .base_url
                    .as_ref()
                    .map_or(Duration::ZERO, |_| Duration::from_secs(config.embeddings.timeout_secs)),
            synthesize: Duration::from_secs(config.llm.timeout_secs) + Duration::from_secs(5),
            update: outbound * 3 + Duration::from_secs(10),
        }
    }

    pub fn total(&self) -> Duration {
        self.gather + self.synthesize + self.update
    }
}
