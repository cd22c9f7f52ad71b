//! The connection to Redis, which is an accelerator and never a dependency: ingest starts and keeps
//! answering while Redis is down. Until the first connection succeeds a background task keeps trying;
//! afterwards the connection manager reconnects by itself. Every call is bounded by `redis.timeout_ms`.

use std::sync::Arc;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use secrecy::ExposeSecret;
use tokio::sync::OnceCell;

use enhancer_shared::config::RedisConfig;

#[derive(Debug, thiserror::Error)]
pub enum RedisUnavailable {
    #[error("redis is not connected")]
    NotConnected,
    #[error("redis call timed out")]
    Timeout,
    #[error("redis error: {0}")]
    Command(#[from] redis::RedisError),
}

#[derive(Clone)]
pub struct RedisLink {
    connection: Arc<OnceCell<ConnectionManager>>,
    timeout: Duration,
}

impl std::fmt::Debug for RedisLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisLink").field("connected", &self.connection.initialized()).finish()
    }
}

impl RedisLink {
    /// Starts connecting in the background and returns at once.
    pub fn connect(config: &RedisConfig) -> RedisLink {
        let timeout = Duration::from_millis(config.timeout_ms);
        let link = RedisLink { connection: Arc::new(OnceCell::new()), timeout };
        let client = match redis::Client::open(config.url.expose_secret()) {
            Ok(client) => client,
            Err(err) => {
                // The URL was validated at start-up; an unparsable one leaves ingest running without Redis.
                tracing::error!(error = %err, "redis.url cannot be used; running without Redis");
                return link;
            }
        };
        let cell = Arc::clone(&link.connection);
        tokio::spawn(async move {
            let manager_config = ConnectionManagerConfig::new()
                // Short timeouts: a request never waits on Redis longer than it would on a cache miss.
                .set_connection_timeout(Some(Duration::from_secs(2)))
                .set_response_timeout(Some(timeout))
                // Reconnect attempts per failure; the manager backs off exponentially between them.
                .set_number_of_retries(6);
            loop {
                match client.get_connection_manager_with_config(manager_config.clone()).await {
                    Ok(manager) => {
                        let _ = cell.set(manager);
                        tracing::info!("connected to redis");
                        return;
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, "redis unreachable; dedup and rate limits fall back, retrying in 5s");
                        tokio::time::sleep(Duration::from_secs(5)).await;
                    }
                }
            }
        });
        link
    }

    /// A link that never connects (tests of the fallback paths).
    pub fn disconnected() -> RedisLink {
        RedisLink { connection: Arc::new(OnceCell::new()), timeout: Duration::from_millis(1) }
    }

    pub fn is_connected(&self) -> bool {
        self.connection.initialized()
    }

    /// Runs one command or script with the call timeout.
    pub async fn run<T, F, Fut>(&self, call: F) -> Result<T, RedisUnavailable>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let connection = self.connection.get().cloned().ok_or(RedisUnavailable::NotConnected)?;
        match tokio::time::timeout(self.timeout, call(connection)).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(RedisUnavailable::Timeout),
        }
    }
}
