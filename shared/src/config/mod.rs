//! The one layered configuration of both binaries: built-in defaults < `enhancer.toml` (path in
//! `ENHANCER_CONFIG`) < `ENHANCER_*` environment variables, with `__` between levels
//! (`ENHANCER_DATABASE__URL` is `database.url`). Loaded and validated once at start-up; a wrong value fails
//! with a message naming its key. Connection URLs may carry passwords, so they are secrets like the keys.

pub mod floors;
mod load;
mod sections;
mod validate;

pub use floors::{Floors, FloorsSource};
pub use load::ConfigError;
pub use sections::{
    AmqpConfig, Config, DatabaseConfig, EmbeddingsConfig, IngestConfig, LlmConfig, LlmProvider, OutboundConfig,
    QueueConfig, RedisConfig, WorkerConfig,
};

#[cfg(test)]
mod tests;
