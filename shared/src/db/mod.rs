//! PostgreSQL: the connection pool, the embedded migrations and the start-up schema check.
//!
//! Queries in this workspace are runtime-checked (`sqlx::query_as::<_, Row>` with `FromRow`) and covered by
//! integration tests against a real database; see `docs/ARCHITECTURE.md` for why.

mod migrations;
mod pool;

pub use migrations::{
    MIGRATOR, MigrationReport, SchemaError, SchemaStatus, ensure_schema_current, migrate, schema_status,
};
pub use pool::{DbError, connect, create_database_if_missing};
