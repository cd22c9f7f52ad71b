//! One job from delivery to acknowledgement: decode, claim, run the stages, record the outcome, and on
//! failure republish to a delay tier or the dead-letter queue. The message is acknowledged only once its
//! outcome is durable (a row in PostgreSQL, or a confirmed republish).
//!
//! - [`process`](mod@process): the delivery, its span, and the [`Settlement`] the consumer acts on.
//! - `enhance.rs`: the job as a sequence of named steps (tenant, claim, gather, synthesize, note, update,
//!   record); `tool.rs`: the tenant's plugin and API handle, built in one place.
//! - [`tenant`], [`history`], `record.rs`, [`index`]: the steps' own files; [`failure`]: retry or dead letter.
//! - [`lease`]: the heartbeat that renews a running job's claim, and the check before the note is posted.

pub mod context;
mod enhance;
pub mod failure;
pub mod history;
pub mod index;
pub mod lease;
pub mod process;
mod record;
pub mod running;
pub mod tenant;
mod tool;

#[cfg(feature = "fault-injection")]
pub use context::Faults;
pub use context::WorkerContext;
pub use process::{Settlement, process};
