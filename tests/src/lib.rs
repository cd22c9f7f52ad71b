//! Helpers for the black-box tests: a fresh PostgreSQL database per test, a configuration pointing at it,
//! an in-process runner for the operator CLI, an in-process ingest, webhook signing per tool, and the
//! synthetic corpus of the search benchmark.

pub mod broker;
mod cli;
pub mod corpus_gen;
pub mod fake_tool;
pub mod ingest;
pub mod proxy;
pub mod signing;
pub mod stack;
mod test_db;
pub mod tool_webhooks;
pub mod worker;

pub use cli::{CliRun, run_cli};
pub use test_db::{TestDb, assert_no_secret_stored, insert_placeholder_tenant};
