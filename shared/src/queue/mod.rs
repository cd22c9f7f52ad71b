//! The RabbitMQ layer shared by ingest and the worker (docs/DESIGN.md section 5): topology names and declaration,
//! retry tiers, typed headers, connecting, and the confirmed publisher. Consuming is the worker's.
//!
//! Which error to use where: [`QueueError`] for connecting and declaring (start-up, readiness),
//! [`PublishError`] for a publish the broker did not confirm. Both implement
//! [`crate::error::Retryable`].

mod connection;
mod declare;
mod error;
pub mod headers;
mod publisher;
mod retry_tier;
mod topology;

pub use connection::{DEFAULT_HEARTBEAT_SECS, connect, with_default_heartbeat};
pub use declare::{DEAD_DELIVERY_LIMIT, declare, delete_all};
pub use error::{PublishError, QueueError};
pub use headers::{DeadLetterHeaders, HeaderError, JobHeaders};
pub use publisher::{Publisher, PublisherOptions};
pub use retry_tier::RetryTier;
pub use topology::{Route, Topology};
