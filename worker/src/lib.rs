//! `enhancer-worker`: the enhancement worker (`run`) and the operator commands (migrate, tenant, dlq,
//! history, import). The binary in `main.rs` only parses arguments and hands over to [`cli::execute`], so
//! tests drive every command in process with their own configuration, stdin and stdout.

pub mod cli;
pub mod consumer;
pub mod context;
pub mod corpus;
pub mod health;
pub mod job;
pub mod metrics;
pub mod retry_policy;
pub mod run;
pub mod service_client;
pub mod stages;
pub mod writer;
