//! One integration binary for black-box tests over real PostgreSQL, RabbitMQ and Redis.
//! Each test gets its own database (see `enhancer_tests::TestDb`) and its own queue prefix.

mod dlq_cli;
mod history_cli;
mod ingest_contract;
mod ingest_resilience;
mod key_rotation;
mod migrations;
mod queue;
mod tenant_cli;
mod trace_propagation;
mod worker_e2e;
