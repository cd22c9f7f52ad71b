//! [`HttpConfig`]: the knobs of the outbound client, with defaults sized for ticketing-tool REST APIs.

use std::time::Duration;

/// Outbound client settings. The defaults suit every built-in tool; tests shrink the timeouts.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// TCP + TLS handshake. Short: a tool that cannot accept a connection in 5 s is down, and the job is
    /// better off in a retry tier than holding a worker slot.
    pub connect_timeout: Duration,
    /// The whole exchange including the response body. Ticketing APIs answer in well under a second; 30 s
    /// leaves room for a slow on-prem ServiceDesk Plus while staying far below the broker's consumer timeout.
    pub request_timeout: Duration,
    /// Responses are streamed and cut off beyond this. A ticket or a page of notes is a few KiB; 2 MiB stops a
    /// misbehaving or hostile endpoint from filling worker memory.
    pub max_response_bytes: usize,
    /// Extra attempts for idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS) after a transient failure.
    /// Kept small because the worker's delay tiers retry the whole job as well; POST is never retried here.
    pub max_retries: u32,
    /// First backoff step; attempt n waits a random time in `0..=min(max_backoff, base_backoff * 2^n)`
    /// ("full jitter", so replicas that failed together do not retry together).
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// A `Retry-After` longer than this is not waited out in-process: the error carries it to the worker,
    /// which parks the job in a delay tier instead of blocking a slot.
    pub max_retry_after: Duration,
    /// `User-Agent` on every request; tools' access logs then show who called.
    pub user_agent: String,
    /// `ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS`: host names may resolve to loopback and private
    /// addresses (on-prem tools). Link-local and metadata addresses are refused regardless.
    pub allow_private_networks: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            max_response_bytes: 2 * 1024 * 1024,
            max_retries: 2,
            base_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(10),
            user_agent: format!("ticket-enhancer/{}", env!("CARGO_PKG_VERSION")),
            allow_private_networks: false,
        }
    }
}
