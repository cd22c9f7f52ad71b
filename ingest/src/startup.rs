//! Start-up checks shared by the binary and the tests: configuration is loaded by the caller; here the
//! database is reached and its schema compared with this build's migrations.

use enhancer_shared::config::Config;
use enhancer_shared::db;
use sqlx::PgPool;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error(transparent)]
    Schema(#[from] db::SchemaError),
}

/// Connects to the database and refuses to go on when its schema is behind this build.
pub async fn open_database(config: &Config) -> Result<PgPool, StartupError> {
    let pool = db::connect(&config.database).await?;
    let status = db::ensure_schema_current(&pool).await?;
    if !status.unknown_applied.is_empty() {
        tracing::warn!(
            versions = ?status.unknown_applied,
            "the database has migrations this build does not know: a newer version migrated it"
        );
    }
    Ok(pool)
}
