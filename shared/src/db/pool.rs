//! The connection pool, configured from `database.*`.

use std::time::Duration;

use secrecy::ExposeSecret;
use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};

use crate::config::DatabaseConfig;
use crate::error::{Disposition, Retryable};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The URL is echoed nowhere: it may hold a password.
    #[error("database.url is not a valid PostgreSQL URL: {0}")]
    BadUrl(sqlx::Error),
    #[error("cannot reach the database: {0}")]
    Connect(sqlx::Error),
}

impl Retryable for DbError {
    fn disposition(&self) -> Disposition {
        match self {
            DbError::BadUrl(_) => Disposition::Permanent,
            DbError::Connect(err) => err.disposition(),
        }
    }
}

/// Opens the pool and checks that the database answers.
pub async fn connect(config: &DatabaseConfig) -> Result<PgPool, DbError> {
    let options: PgConnectOptions = config.url.expose_secret().parse().map_err(DbError::BadUrl)?;
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        // Waiting longer than this for a connection means the database is overloaded or gone; the caller
        // turns that into a transient failure (503 in ingest, a delayed retry in the worker).
        .acquire_timeout(Duration::from_secs(config.acquire_timeout_secs))
        // Idle connections are closed so that a scaled-down deployment gives connections back.
        .idle_timeout(Duration::from_secs(300))
        // sqlx pings every connection before handing it out by default: a second round trip per statement,
        // measured at 20% of a worker job's database cost (docs/BENCHMARKS.md). A connection that died in
        // the pool fails its statement instead, which every caller already treats as transient (a 503 or
        // a delayed retry); idle ones are closed above, well before a server or proxy would drop them.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(DbError::Connect)
}

/// `migrate` on a fresh machine: the database named in the URL may not exist yet. Returns whether it was
/// created.
pub async fn create_database_if_missing(config: &DatabaseConfig) -> Result<bool, DbError> {
    let url = config.url.expose_secret();
    if Postgres::database_exists(url).await.map_err(DbError::Connect)? {
        return Ok(false);
    }
    Postgres::create_database(url).await.map_err(DbError::Connect)?;
    Ok(true)
}
