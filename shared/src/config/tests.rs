//! Precedence and validation of the layered configuration.

use std::collections::HashMap;
use std::io::Write;

use secrecy::ExposeSecret;

use super::{Config, ConfigError, FloorsSource, LlmProvider};

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn toml_file(content: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().expect("temp file");
    file.write_all(content.as_bytes()).expect("write");
    file
}

fn error_of(file: Option<&std::path::Path>, pairs: &[(&str, &str)]) -> String {
    Config::load_from(file, env(pairs)).expect_err("must be refused").to_string()
}

#[test]
fn defaults_match_the_design_table() {
    let config = Config::load_from(None, HashMap::new()).expect("defaults are valid");
    assert_eq!(config.database.url.expose_secret(), "postgres://postgres@127.0.0.1:5432/enhancer");
    assert_eq!(config.amqp.url.expose_secret(), "amqp://guest:guest@127.0.0.1:5672/%2f");
    assert_eq!(config.redis.url.expose_secret(), "redis://127.0.0.1:6379");
    assert_eq!(config.queue.prefix, "enhancer");
    assert_eq!(config.ingest.listen.to_string(), "0.0.0.0:8080");
    assert_eq!(config.ingest.admin_listen.to_string(), "0.0.0.0:9091");
    assert_eq!(config.worker.listen.to_string(), "0.0.0.0:9090");
    assert_eq!(config.worker.concurrency, 64);
    assert_eq!(config.worker.lease_secs, 30, "a short lease, renewed by the heartbeat");
    assert_eq!(config.llm.provider, LlmProvider::Offline);
    assert!((config.llm.temperature - 0.3).abs() < f32::EPSILON);
    assert_eq!(config.llm.timeout_secs, 60);
    assert!(!config.outbound.allow_private_networks);
    assert!(config.master_key.is_none());
}

#[test]
fn file_overrides_defaults_and_environment_overrides_file() {
    let file =
        toml_file("[queue]\nprefix = \"from-file\"\n[worker]\nconcurrency = 8\n[ingest]\nbody_limit_bytes = 4096\n");
    let config = Config::load_from(
        Some(file.path()),
        env(&[("ENHANCER_QUEUE__PREFIX", "from-env"), ("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS", "true")]),
    )
    .expect("valid");
    assert_eq!(config.queue.prefix, "from-env", "environment beats file");
    assert_eq!(config.worker.concurrency, 8, "file beats default");
    assert_eq!(config.ingest.body_limit_bytes, 4096);
    assert!(config.outbound.allow_private_networks);
    assert_eq!(config.worker.drain_grace_secs, 30, "untouched keys keep their default");
}

#[test]
fn top_level_secrets_and_nested_keys_map_from_the_environment() {
    let config = Config::load_from(
        None,
        env(&[
            ("ENHANCER_MASTER_KEY", "a2V5"),
            ("ENHANCER_DATABASE__URL", "postgres://u:pw@db:5432/x"),
            ("ENHANCER_LLM__PROVIDER", "openai"),
            ("ENHANCER_LLM__BASE_URL", "http://127.0.0.1:11434/v1"),
            ("ENHANCER_LLM__MODEL", "llama3"),
            ("ENHANCER_LLM__API_KEY", "sk-secret"),
            // Not ours: ignored.
            ("PATH", "/usr/bin"),
            ("ENHANCER_CONFIG", "/nonexistent.toml"),
        ]),
    )
    .expect("valid");
    assert_eq!(config.master_key.as_ref().map(|k| k.expose_secret().to_owned()), Some("a2V5".to_owned()));
    assert_eq!(config.llm.provider, LlmProvider::Openai);
    let debug = format!("{config:?}");
    for secret in ["a2V5", "sk-secret", "pw@db"] {
        assert!(!debug.contains(secret), "Debug leaks {secret}: {debug}");
    }
}

#[test]
fn every_validation_error_names_its_key() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("ENHANCER_WORKER__CONCURRENCY", "lots")], "worker.concurrency"),
        (&[("ENHANCER_WORKER__CONCURRENCY", "0")], "worker.concurrency"),
        (&[("ENHANCER_WORKER__LEASE_SECS", "2")], "worker.lease_secs"),
        (&[("ENHANCER_WORKER__LEASE_SECS", "100000")], "worker.lease_secs"),
        (&[("ENHANCER_DATABASE__URL", "mysql://x")], "database.url"),
        (&[("ENHANCER_AMQP__URL", "http://x")], "amqp.url"),
        (&[("ENHANCER_REDIS__URL", "x")], "redis.url"),
        (&[("ENHANCER_QUEUE__PREFIX", "bad prefix")], "queue.prefix"),
        (&[("ENHANCER_QUEUE__MAX_ATTEMPTS", "0")], "queue.max_attempts"),
        (&[("ENHANCER_INGEST__LISTEN", "not-an-address")], "ingest.listen"),
        (&[("ENHANCER_INGEST__ADMIN_LISTEN", "not-an-address")], "ingest.admin_listen"),
        (&[("ENHANCER_INGEST__ADMIN_LISTEN", "0.0.0.0:8080")], "ingest.admin_listen"),
        (&[("ENHANCER_INGEST__ADMIN_LISTEN", "127.0.0.1:8080")], "ingest.admin_listen"),
        (&[("ENHANCER_INGEST__BODY_LIMIT_BYTES", "10")], "ingest.body_limit_bytes"),
        (&[("ENHANCER_LLM__TEMPERATURE", "3.5")], "llm.temperature"),
        (&[("ENHANCER_LLM__PROVIDER", "claude")], "llm.provider"),
        (&[("ENHANCER_LLM__PROVIDER", "openai")], "llm.base_url"),
        (&[("ENHANCER_LLM__PROVIDER", "openai"), ("ENHANCER_LLM__BASE_URL", "http://x/v1")], "llm.model"),
        (&[("ENHANCER_EMBEDDINGS__BASE_URL", "http://x/v1")], "embeddings.model"),
        (
            &[("ENHANCER_EMBEDDINGS__BASE_URL", "ftp://x/v1"), ("ENHANCER_EMBEDDINGS__MODEL", "m")],
            "embeddings.base_url",
        ),
        (&[("ENHANCER_EMBEDDINGS__TIMEOUT_SECS", "0")], "embeddings.timeout_secs"),
        (&[("ENHANCER_EMBEDDINGS__TIMEOUT_SECS", "61")], "embeddings.timeout_secs"),
        (&[("ENHANCER_EMBEDDINGS__NEAREST", "101")], "embeddings.nearest"),
        (&[("ENHANCER_EMBEDDINGS__TICKET_FLOOR", "1.5")], "embeddings.ticket_floor"),
        (&[("ENHANCER_EMBEDDINGS__ARTICLE_FLOOR", "NaN")], "embeddings.article_floor"),
        (&[("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS", "maybe")], "outbound.allow_private_networks"),
        (&[("ENHANCER_WORKER__CONCURENCY", "4")], "concurency"),
    ];
    for (pairs, key) in cases {
        let message = error_of(None, pairs);
        assert!(message.contains(key), "error for {pairs:?} should name {key}: {message}");
    }
}

#[test]
fn file_errors_name_the_file_and_key() {
    let file = toml_file("[worker]\nconcurrency = \"many\"\n");
    let message = error_of(Some(file.path()), &[]);
    assert!(message.contains("worker.concurrency"), "{message}");

    let message = error_of(Some(std::path::Path::new("/nonexistent/enhancer.toml")), &[]);
    assert!(message.contains("/nonexistent/enhancer.toml"), "{message}");
}

#[test]
fn url_errors_never_echo_the_url() {
    let message = error_of(None, &[("ENHANCER_DATABASE__URL", "mysql://root:hunter2@db/x")]);
    assert!(!message.contains("hunter2"), "{message}");
    assert!(matches!(
        Config::load_from(None, env(&[("ENHANCER_DATABASE__URL", "mysql://x")])),
        Err(ConfigError::Invalid { key: "database.url", .. })
    ));
}

#[test]
fn floors_follow_the_model_unless_set() {
    let floors = |pairs: &[(&str, &str)]| {
        let (floors, source) = Config::load_from(None, env(pairs)).expect("valid").embeddings.floors();
        ((floors.ticket, floors.article), source)
    };
    let served = ("ENHANCER_EMBEDDINGS__BASE_URL", "http://tei:8080/v1");
    let model = |name| ("ENHANCER_EMBEDDINGS__MODEL", name);
    let ticket = ("ENHANCER_EMBEDDINGS__TICKET_FLOOR", "0.7");
    let article = ("ENHANCER_EMBEDDINGS__ARTICLE_FLOOR", "0.9");
    use FloorsSource::{Configured, Measured, Unmeasured};

    assert_eq!(floors(&[served, model("nomic-embed-text-v1.5")]), ((0.75, 0.85), Measured));
    assert_eq!(floors(&[served, model("nomic-embed-text:v1.5")]), ((0.75, 0.85), Measured), "Ollama's tag");
    assert_eq!(floors(&[served, model("sentence-transformers/all-mpnet-base-v2")]), ((0.50, 0.65), Measured));
    assert_eq!(floors(&[served, model("sentence-transformers/all-MiniLM-L6-v2")]), ((0.55, 0.65), Measured));
    assert_eq!(floors(&[served, model("all-minilm:latest")]), ((0.55, 0.65), Measured), "Ollama's name");

    assert_eq!(floors(&[served, model("BAAI/bge-small-en-v1.5")]), ((0.55, 0.65), Unmeasured));
    assert_eq!(floors(&[served, model("all-MiniLM-L12-v2")]), ((0.55, 0.65), Unmeasured), "another MiniLM");
    assert_eq!(floors(&[served, model("bge-small-en-v1.5"), article]), ((0.55, 0.9), Unmeasured));
    assert_eq!(floors(&[served, model("bge-small-en-v1.5"), ticket, article]), ((0.7, 0.9), Configured));
    assert_eq!(floors(&[served, model("nomic-embed-text-v1.5"), ticket]), ((0.7, 0.85), Configured));
    // Empty variables (as deploy/compose.yaml passes an unset one) are unset.
    assert_eq!(
        floors(&[served, model("all-mpnet-base-v2"), ("ENHANCER_EMBEDDINGS__TICKET_FLOOR", "")]),
        ((0.50, 0.65), Measured)
    );
}
