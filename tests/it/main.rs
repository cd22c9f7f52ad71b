//! One integration binary for black-box tests over real PostgreSQL, RabbitMQ and Redis.
//! Each test gets its own database (see `enhancer_tests::TestDb`) and its own queue prefix.

mod migrations;
mod key_rotation;
mod tenant_cli;
mod queue;
mod ingest_contract;
mod ingest_resilience;
