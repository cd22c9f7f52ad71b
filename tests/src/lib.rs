//! Helpers for the black-box tests: a fresh PostgreSQL database per test, a configuration pointing at it,
//! and an in-process runner for the operator CLI.

mod cli;
mod test_db;

pub use cli::{CliRun, run_cli};
pub use test_db::TestDb;
