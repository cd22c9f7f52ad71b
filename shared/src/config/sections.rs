//! The configuration tree and its documented defaults (docs/DESIGN.md section 7 is the contract for the names).

use std::net::SocketAddr;

use secrecy::SecretString;
use serde::Deserialize;

use super::floors::{self, Floors, FloorsSource};

/// Everything both binaries can be configured with. Every section has defaults that work against the
/// local services of a development machine; production sets URLs and the master key.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub database: DatabaseConfig,
    pub amqp: AmqpConfig,
    pub redis: RedisConfig,
    pub queue: QueueConfig,
    pub ingest: IngestConfig,
    pub worker: WorkerConfig,
    pub llm: LlmConfig,
    pub embeddings: EmbeddingsConfig,
    pub outbound: OutboundConfig,
    /// `ENHANCER_MASTER_KEY`: base64 of 32 bytes; encrypts tenant secrets at rest.
    pub master_key: Option<SecretString>,
    /// `ENHANCER_PREVIOUS_MASTER_KEYS`: comma-separated base64 keys still accepted for reading during a
    /// rotation, never used to encrypt.
    pub previous_master_keys: Option<SecretString>,
    /// `ENHANCER_LEGACY_FERNET_KEY`: the earlier platform's Fernet key (comma-separated if it used several),
    /// read only by `tenant import-legacy`; set it for the migration and remove it afterwards.
    pub legacy_fernet_key: Option<SecretString>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: SecretString,
    /// Per process. Ingest needs few (tenant lookups are cached); a worker holds one per job stage at most.
    pub max_connections: u32,
    /// How long a caller waits for a pooled connection before the attempt counts as a transient failure.
    pub acquire_timeout_secs: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: SecretString::from("postgres://postgres@127.0.0.1:5432/enhancer"),
            max_connections: 20,
            acquire_timeout_secs: 5,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmqpConfig {
    pub url: SecretString,
    /// Upper bound on waiting for a publisher confirm: a publish can hang when the broker goes away.
    pub publish_timeout_ms: u64,
}

impl Default for AmqpConfig {
    fn default() -> Self {
        Self { url: SecretString::from("amqp://guest:guest@127.0.0.1:5672/%2f"), publish_timeout_ms: 5_000 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    pub url: SecretString,
    /// Redis is an accelerator: a slow Redis must not slow webhooks down, so calls give up quickly.
    pub timeout_ms: u64,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self { url: SecretString::from("redis://127.0.0.1:6379"), timeout_ms: 250 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueConfig {
    /// Prefix of every queue and exchange name, so several installations can share a broker.
    pub prefix: String,
    /// Attempts before a transiently failing job is dead-lettered.
    pub max_attempts: u32,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self { prefix: "enhancer".into(), max_attempts: 5 }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// The public listener: `POST /webhooks/{tenant_id}` only, the port the ingress routes to.
    pub listen: SocketAddr,
    /// The admin listener: `/healthz`, `/readyz`, `/metrics` and `/openapi.json`. On all interfaces by
    /// default so that Kubernetes probes and Prometheus reach it inside the pod; it must never be exposed
    /// through the ingress or a public Service (docs/OPERATIONS.md, "Ports").
    pub admin_listen: SocketAddr,
    /// Webhook bodies above this are refused with 413 before they are read in full.
    pub body_limit_bytes: usize,
    /// Tenant configs are cached this long per ingest process (changes also invalidate the cache).
    pub tenant_cache_ttl_secs: u64,
    /// How long dedup keys live in Redis: longer than any tool's redelivery window.
    pub dedup_ttl_secs: u64,
    /// How long "no such tenant" is remembered per process. Short, since unknown ids cost an attacker
    /// nothing; a tenant created meanwhile is also announced by `tenant_changed` and found at once.
    pub negative_cache_ttl_secs: u64,
    /// At most this many "no such tenant" entries per process; beyond it the oldest are dropped.
    pub negative_cache_max_entries: usize,
    /// Tenant lookups that may query the database at once; a miss beyond it is answered 503 at once.
    /// Unset: half of `database.max_connections` (at least 1), so unauthenticated traffic can never hold
    /// the whole pool and cached tenants, `/readyz` and the change listener keep their connections.
    pub tenant_lookup_concurrency: Option<u32>,
    /// A connection must deliver a request's complete headers within this, or it is closed (slow clients
    /// would otherwise hold connections, and shutdown, for ever).
    pub header_read_timeout_ms: u64,
    /// A request's whole body must arrive within this after its headers (a deadline, not an idle timeout);
    /// beyond it: 408.
    pub body_read_timeout_ms: u64,
    /// A webhook must be answered within this (above `amqp.publish_timeout_ms` plus the in-flight wait);
    /// beyond it: 503.
    pub request_timeout_ms: u64,
    /// Open connections per process at most; beyond it new ones wait in the listen backlog.
    pub max_connections: usize,
    /// Webhooks handled at once per process; one more is answered 503 `Retry-After: 1` at once.
    pub max_concurrent_requests: usize,
    /// On SIGTERM, open connections get this long to finish their requests; then they are closed.
    /// Below Kubernetes' default termination grace (30 s).
    pub shutdown_grace_secs: u64,
    /// Failed signature checks per tenant per window before further failures are answered 429 (per
    /// replica, in memory); valid requests are never refused by it.
    pub verify_failure_burst: u32,
    /// The window of `verify_failure_burst`, and the interval of the rate-limited warning line.
    pub verify_failure_window_secs: u64,
}

impl IngestConfig {
    /// `tenant_lookup_concurrency`, or its default for a pool of `pool_size`.
    pub fn tenant_lookups(&self, pool_size: u32) -> u32 {
        self.tenant_lookup_concurrency.unwrap_or(pool_size / 2).max(1)
    }
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            admin_listen: SocketAddr::from(([0, 0, 0, 0], 9091)),
            body_limit_bytes: 1024 * 1024,
            tenant_cache_ttl_secs: 30,
            dedup_ttl_secs: 24 * 3600,
            negative_cache_ttl_secs: 10,
            negative_cache_max_entries: 10_000,
            tenant_lookup_concurrency: None,
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 10_000,
            request_timeout_ms: 30_000,
            max_connections: 4096,
            max_concurrent_requests: 1024,
            shutdown_grace_secs: 20,
            verify_failure_burst: 20,
            verify_failure_window_secs: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorkerConfig {
    /// Health and metrics listener.
    pub listen: SocketAddr,
    /// Jobs in flight per process; the consumer prefetch matches it.
    pub concurrency: u32,
    /// On SIGTERM, in-flight jobs get this long to finish before the rest return to the queue.
    pub drain_grace_secs: u64,
    /// This worker's label in logs, metrics and `enhancement_history.claimed_by`. Defaults to the host name
    /// (the pod name on Kubernetes). Only a label: claims belong to a random token each process makes at
    /// start-up, so replicas may share an id.
    pub id: Option<String>,
    /// How long a claim holds past its last renewal before another worker may take the job over (a dead
    /// worker's jobs resume within about this long). The worker renews it every third of this while the job
    /// runs, so it need not cover the job's duration. At least 3.
    pub lease_secs: u64,
    /// Tenant configs are cached this long per worker process (changes also invalidate the cache).
    pub tenant_cache_ttl_secs: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 9090)),
            concurrency: 64,
            drain_grace_secs: 30,
            id: None,
            lease_secs: 30,
            tenant_cache_ttl_secs: 30,
        }
    }
}

/// Which writer produces the enhancement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LlmProvider {
    /// Deterministic, no network: built from the gathered context.
    #[default]
    Offline,
    /// Any OpenAI-compatible server (OpenAI, Azure, Ollama, vLLM).
    Openai,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    pub provider: LlmProvider,
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub api_key: Option<SecretString>,
    pub temperature: f32,
    pub max_tokens: u32,
    /// Well inside the broker's consumer timeout: a hung LLM call fails the attempt, not the consumer.
    pub timeout_secs: u64,
    /// `base_url` may be (or resolve to) a loopback or private address: a local Ollama or vLLM. Off by
    /// default so that a mistyped or hijacked name cannot send ticket text into the internal network;
    /// metadata and link-local addresses are refused regardless.
    pub allow_private_base_url: bool,
}

impl Default for LlmConfig {
    fn default() -> Self {
        Self {
            provider: LlmProvider::Offline,
            base_url: None,
            model: None,
            api_key: None,
            temperature: 0.3,
            max_tokens: 1024,
            timeout_secs: 60,
            allow_private_base_url: false,
        }
    }
}

/// The sentence-embedding server that re-ranks similar tickets and articles by meaning: any
/// OpenAI-compatible `/embeddings` endpoint (vLLM, Ollama, Hugging Face TEI, OpenAI). Off while `base_url`
/// is unset: the ranking is then lexical alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddingsConfig {
    /// Up to and including the version path, e.g. `http://tei:8080/v1`.
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub api_key: Option<SecretString>,
    /// The whole call. A note waits for it, so it is short: a slow or absent server costs the note its
    /// semantic ranking (the lexical one is used), never the job.
    pub timeout_secs: u64,
    /// As `llm.allow_private_base_url`: the server may be on loopback or a private network.
    pub allow_private_base_url: bool,
    /// Tickets and articles nearest in meaning, across the tenant's whole corpus, added to each note's
    /// candidates (0 to 100; 0 re-ranks the word search's candidates only). A scan of every stored vector
    /// per note: its cost grows with the corpus (docs/BENCHMARKS.md).
    pub nearest: usize,
    /// The least score (cosine + a fifth of the lexical share) of a similar ticket a note shows, when ranked
    /// by meaning. Unset: the floor measured for `model` ([`super::floors`]), or all-MiniLM-L6-v2's for a
    /// model never measured (the worker warns). `quality --calibrate --embeddings ...` prints a model's
    /// (docs/OPERATIONS.md, "Embedding server").
    pub ticket_floor: Option<f32>,
    /// As `ticket_floor`, for knowledge-base articles.
    pub article_floor: Option<f32>,
}

impl EmbeddingsConfig {
    /// The floors a note is cut at, and where they came from: each one set wins, then the model's measured
    /// one, then all-MiniLM-L6-v2's.
    pub fn floors(&self) -> (Floors, FloorsSource) {
        floors::resolve(self.model.as_deref(), self.ticket_floor, self.article_floor)
    }
}

impl Default for EmbeddingsConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            model: None,
            api_key: None,
            timeout_secs: 5,
            allow_private_base_url: false,
            nearest: 20,
            ticket_floor: None,
            article_floor: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboundConfig {
    /// Tenant base URLs on loopback or private ranges (on-prem tools) are refused unless this is set.
    /// Link-local and cloud metadata addresses are refused always.
    pub allow_private_networks: bool,
    pub connect_timeout_secs: u64,
    /// Total time of one outbound call to a ticketing tool, retries excluded.
    pub request_timeout_secs: u64,
}

impl Default for OutboundConfig {
    fn default() -> Self {
        Self { allow_private_networks: false, connect_timeout_secs: 5, request_timeout_secs: 20 }
    }
}
