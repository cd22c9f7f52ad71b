//! The embedded migrations (`migrations/` at the workspace root), `migrate`, and the check both binaries
//! run at start-up: a process refuses to run against a schema older than the one it was built for.

use std::collections::BTreeSet;

use sqlx::PgPool;
use sqlx::migrate::{MigrateError, Migrator};

/// Every migration this build knows, compiled in so that the binary needs no files at run time.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "the database schema is behind this build ({applied} of {known} migrations applied; missing {missing}): run `enhancer-worker migrate` first"
    )]
    Behind { applied: usize, known: usize, missing: String },
    #[error("cannot read the schema version: {0}")]
    Query(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] MigrateError),
}

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    pub applied_now: Vec<String>,
    pub already_applied: usize,
}

/// Where the database stands relative to this build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    pub known: usize,
    pub applied: BTreeSet<i64>,
    /// Known to this build and not applied: the schema is behind.
    pub missing: Vec<String>,
    /// Applied but unknown to this build: a newer build migrated it (fine during a rolling upgrade).
    pub unknown_applied: Vec<i64>,
}

async fn applied_versions(pool: &PgPool) -> Result<BTreeSet<i64>, sqlx::Error> {
    let table_exists: bool =
        sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL").fetch_one(pool).await?;
    if !table_exists {
        return Ok(BTreeSet::new());
    }
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success").fetch_all(pool).await?;
    Ok(versions.into_iter().collect())
}

pub async fn schema_status(pool: &PgPool) -> Result<SchemaStatus, SchemaError> {
    let applied = applied_versions(pool).await?;
    let known: Vec<_> = MIGRATOR.iter().filter(|m| m.migration_type.is_up_migration()).collect();
    let missing = known
        .iter()
        .filter(|m| !applied.contains(&m.version))
        .map(|m| format!("{}_{}", m.version, m.description))
        .collect();
    let known_versions: BTreeSet<i64> = known.iter().map(|m| m.version).collect();
    let unknown_applied = applied.iter().copied().filter(|v| !known_versions.contains(v)).collect();
    Ok(SchemaStatus { known: known.len(), applied, missing, unknown_applied })
}

/// Applies every pending migration. Safe to run again: applied migrations are skipped (and checked
/// against their recorded checksum, so an edited migration is reported instead of silently ignored).
pub async fn migrate(pool: &PgPool) -> Result<MigrationReport, SchemaError> {
    let before = schema_status(pool).await?;
    MIGRATOR.run(pool).await?;
    Ok(MigrationReport { applied_now: before.missing, already_applied: before.applied.len() })
}

/// The start-up check of both binaries.
pub async fn ensure_schema_current(pool: &PgPool) -> Result<SchemaStatus, SchemaError> {
    let status = schema_status(pool).await?;
    if !status.missing.is_empty() {
        return Err(SchemaError::Behind {
            applied: status.known - status.missing.len(),
            known: status.known,
            missing: status.missing.join(", "),
        });
    }
    Ok(status)
}
