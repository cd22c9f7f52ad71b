//! One job from delivery to acknowledgement: decode, claim, run the stages, record the outcome, and on
//! failure republish to a delay tier or the dead-letter queue. The message is acknowledged only once its
//! outcome is durable (a row in PostgreSQL, or a confirmed republish).

pub mod context;
pub mod failure;
pub mod history;
pub mod index;
pub mod process;
pub mod record;
pub mod tenant;

pub use context::{Faults, WorkerContext};
pub use process::{Disposal, process};
