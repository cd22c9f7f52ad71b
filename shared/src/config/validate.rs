//! Start-up validation: every rule names the key it checks.

use std::net::SocketAddr;

use secrecy::ExposeSecret;

use super::{Config, ConfigError, LlmProvider};

fn invalid(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::Invalid { key, reason: reason.into() }
}

/// Checks a URL's scheme without echoing the URL (it may hold a password).
fn require_scheme(key: &'static str, url: &str, schemes: &[&str]) -> Result<(), ConfigError> {
    let scheme = url.split_once("://").map(|(scheme, _)| scheme).unwrap_or_default();
    if schemes.contains(&scheme) {
        Ok(())
    } else {
        Err(invalid(key, format!("must be a URL starting with {}", schemes.join(":// or ") + "://")))
    }
}

/// Two listeners on one port would fail to bind (or, worse, on different addresses of one host, serve the
/// probes where the webhooks are expected). Port 0 (any free port, as in tests) never collides.
fn listeners_collide(public: SocketAddr, admin: SocketAddr) -> bool {
    public.port() != 0
        && public.port() == admin.port()
        && (public.ip() == admin.ip() || public.ip().is_unspecified() || admin.ip().is_unspecified())
}

impl Config {
    pub fn validate(&self) -> Result<(), ConfigError> {
        require_scheme("database.url", self.database.url.expose_secret(), &["postgres", "postgresql"])?;
        require_scheme("amqp.url", self.amqp.url.expose_secret(), &["amqp", "amqps"])?;
        require_scheme("redis.url", self.redis.url.expose_secret(), &["redis", "rediss"])?;
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if self.amqp.publish_timeout_ms == 0 {
            return Err(invalid("amqp.publish_timeout_ms", "must be at least 1"));
        }
        let prefix = &self.queue.prefix;
        if prefix.is_empty()
            || prefix.len() > 64
            || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(invalid("queue.prefix", "must be 1 to 64 characters of a-z, A-Z, 0-9, '-', '_' or '.'"));
        }
        if !(1..=50).contains(&self.queue.max_attempts) {
            return Err(invalid("queue.max_attempts", "must be between 1 and 50"));
        }
        if self.ingest.body_limit_bytes < 1024 {
            return Err(invalid("ingest.body_limit_bytes", "must be at least 1024"));
        }
        let ingest = &self.ingest;
        if listeners_collide(ingest.listen, ingest.admin_listen) {
            return Err(invalid("ingest.admin_listen", "must not share its port with ingest.listen"));
        }
        for (key, value) in [
            ("ingest.header_read_timeout_ms", ingest.header_read_timeout_ms),
            ("ingest.body_read_timeout_ms", ingest.body_read_timeout_ms),
            ("ingest.request_timeout_ms", ingest.request_timeout_ms),
            ("ingest.max_connections", ingest.max_connections as u64),
            ("ingest.max_concurrent_requests", ingest.max_concurrent_requests as u64),
            ("ingest.verify_failure_burst", u64::from(ingest.verify_failure_burst)),
            ("ingest.verify_failure_window_secs", ingest.verify_failure_window_secs),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        if self.ingest.tenant_lookup_concurrency == Some(0) {
            return Err(invalid("ingest.tenant_lookup_concurrency", "must be at least 1"));
        }
        if !(1..=10_000).contains(&self.worker.concurrency) {
            return Err(invalid("worker.concurrency", "must be between 1 and 10000"));
        }
        // The heartbeat renews a claim every third of the lease, so 3 s means a renewal a second; shorter
        // leases would be lost to one slow statement. A day is far beyond any job: a typo, not a setting.
        if !(3..=86_400).contains(&self.worker.lease_secs) {
            return Err(invalid("worker.lease_secs", "must be between 3 and 86400 (the heartbeat renews every third)"));
        }
        if !(0.0..=2.0).contains(&self.llm.temperature) {
            return Err(invalid("llm.temperature", "must be between 0 and 2"));
        }
        if self.llm.timeout_secs == 0 {
            return Err(invalid("llm.timeout_secs", "must be at least 1"));
        }
        if self.llm.provider == LlmProvider::Openai {
            match &self.llm.base_url {
                None => return Err(invalid("llm.base_url", "is required when llm.provider is openai")),
                Some(url) => require_scheme("llm.base_url", url, &["http", "https"])?,
            }
            if self.llm.model.as_deref().is_none_or(str::is_empty) {
                return Err(invalid("llm.model", "is required when llm.provider is openai"));
            }
        }
        if let Some(url) = &self.embeddings.base_url {
            require_scheme("embeddings.base_url", url, &["http", "https"])?;
            if self.embeddings.model.as_deref().is_none_or(str::is_empty) {
                return Err(invalid("embeddings.model", "is required when embeddings.base_url is set"));
            }
        }
        if !(1..=60).contains(&self.embeddings.timeout_secs) {
            return Err(invalid("embeddings.timeout_secs", "must be between 1 and 60 (a note waits for it)"));
        }
        if self.embeddings.nearest > 100 {
            return Err(invalid("embeddings.nearest", "must be between 0 and 100"));
        }
        // A score is a cosine (at most 1) plus a fifth of a lexical share (at most 1): a floor above 1.2
        // hides everything, one below -1 nothing.
        for (key, floor) in [
            ("embeddings.ticket_floor", self.embeddings.ticket_floor),
            ("embeddings.article_floor", self.embeddings.article_floor),
        ] {
            if floor.is_some_and(|floor| !(-1.0..=1.2).contains(&floor)) {
                return Err(invalid(key, "must be between -1 and 1.2 (a cosine plus a fifth of the lexical share)"));
            }
        }
        if self.outbound.connect_timeout_secs == 0 || self.outbound.request_timeout_secs == 0 {
            return Err(invalid("outbound.request_timeout_secs", "timeouts must be at least 1 second"));
        }
        Ok(())
    }
}
