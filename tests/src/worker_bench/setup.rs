//! One scenario's world: a fresh database (migrated, one generic tenant pointing at the local receiver), a
//! queue prefix of its own, the configuration the worker and ingest read, and the clean-up that removes
//! the database and the queues again.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context as _;
use enhancer_shared::config::Config;
use enhancer_shared::crypto::{KeyRing, MasterKey};
use enhancer_shared::domain::{TenantId, ToolKind};
use enhancer_shared::queue::{self, Topology};
use enhancer_shared::tenant::{NewTenant, TenantSecrets, TenantSettings, store};
use enhancer_tests::signing::GENERIC_SECRET;
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Executor as _, PgPool};

pub const TENANT: &str = "bench";

/// Where the services are and how the worker is sized; from the command line.
#[derive(Debug, Clone)]
pub struct Services {
    /// `postgres://user@host:port` without a database name.
    pub pg_server: String,
    pub amqp_url: String,
    pub redis_url: String,
    /// Queue prefix and database suffix of this scenario.
    pub prefix: String,
    pub concurrency: u32,
    /// `database.max_connections` of the worker's pool (and of ingest's, in the latency scenario).
    pub db_connections: u32,
    /// Whether the gather stage searches the tenant's corpus (which the jobs fill) for context.
    pub context: bool,
    /// Generated tickets loaded before the run (0: none), and the share of mass-incident jobs.
    pub corpus: usize,
    pub mass_jobs: f64,
    /// Re-rank by meaning with the fake tool's embedding server.
    pub embeddings: bool,
}

/// A prepared scenario.
#[derive(Debug)]
pub struct Bench {
    pub config: Config,
    /// A small pool of the benchmark's own, for polling and observations.
    pub pool: PgPool,
    pub database: String,
}

fn database_name(prefix: &str) -> String {
    format!("enhancer_{prefix}")
}

/// Creates and migrates the database, adds the tenant (generic tool, `receiver` as its base URL, the
/// rate limit far above anything this machine sends, context search as `services.context` says), and
/// builds the configuration. Any
/// `ENHANCER_*` variable of this process applies too, under the benchmark's own settings.
pub async fn prepare(services: &Services, receiver: SocketAddr) -> anyhow::Result<Bench> {
    let database = database_name(&services.prefix);
    let admin = PgPoolOptions::new().max_connections(1).connect(&format!("{}/postgres", services.pg_server)).await?;
    admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).await.context("create database")?;
    admin.close().await;

    let master = MasterKey::generate().1;
    let mut env: HashMap<String, String> = std::env::vars().filter(|(k, _)| k.starts_with("ENHANCER_")).collect();
    for (key, value) in [
        ("ENHANCER_DATABASE__URL", format!("{}/{database}", services.pg_server)),
        ("ENHANCER_DATABASE__MAX_CONNECTIONS", services.db_connections.to_string()),
        ("ENHANCER_AMQP__URL", services.amqp_url.clone()),
        ("ENHANCER_REDIS__URL", services.redis_url.clone()),
        ("ENHANCER_QUEUE__PREFIX", services.prefix.clone()),
        ("ENHANCER_WORKER__CONCURRENCY", services.concurrency.to_string()),
        ("ENHANCER_WORKER__ID", format!("bench-{}", services.prefix)),
        ("ENHANCER_MASTER_KEY", master.expose_secret().to_owned()),
        // The receiver listens on loopback.
        ("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS", "true".to_owned()),
    ] {
        env.insert(key.to_owned(), value);
    }
    env.remove("ENHANCER_PREVIOUS_MASTER_KEYS");
    if services.embeddings {
        // The fake tool's embedding server, on loopback like the receiver.
        env.insert("ENHANCER_EMBEDDINGS__BASE_URL".into(), format!("http://{receiver}/v1"));
        env.insert("ENHANCER_EMBEDDINGS__MODEL".into(), "hashed-words".into());
        env.insert("ENHANCER_EMBEDDINGS__ALLOW_PRIVATE_BASE_URL".into(), "true".into());
    }
    let config = Config::load_from(None, env).context("benchmark configuration")?;

    let pool = PgPoolOptions::new().max_connections(2).connect(&format!("{}/{database}", services.pg_server)).await?;
    enhancer_shared::db::migrate(&pool).await?;
    let keys = KeyRing::from_env_values(&master, None)?;
    let context = services.context;
    let settings = TenantSettings::from_json(serde_json::json!({
        "rate_limit": {"per_second": 1_000_000, "burst": 1_000_000},
        "stages": {"similar_tickets": context, "knowledge_base": context, "assets": context},
    }))?;
    let secrets = serde_json::json!({"webhook_secret": GENERIC_SECRET, "credentials": {}}).to_string();
    let tenant = NewTenant {
        id: TenantId::parse(TENANT)?,
        name: "Benchmark".into(),
        tool: ToolKind::Generic,
        base_url: url::Url::parse(&format!("http://{receiver}"))?,
        allow_insecure_url: true,
        settings,
        secrets: TenantSecrets::parse(secrets.as_bytes())?,
    };
    store::insert(&pool, &keys, &tenant).await?;
    Ok(Bench { config, pool, database })
}

/// Deletes the prefix's queues and drops the database; best effort, reported on stderr.
pub async fn cleanup(services: &Services) {
    let url = SecretString::from(services.amqp_url.clone());
    let deleted = async {
        let topology = Topology::new(services.prefix.clone())?;
        let connection = queue::connect(&url, "worker-bench-cleanup", Duration::from_secs(10)).await?;
        let channel = connection.create_channel().await?;
        queue::delete_all(&channel, &topology).await?;
        let _ = connection.close(200, "done".into()).await;
        anyhow::Ok(())
    }
    .await;
    if let Err(err) = deleted {
        eprintln!("worker-bench: could not delete the {} queues: {err:#}", services.prefix);
    }
    let dropped = async {
        let admin =
            PgPoolOptions::new().max_connections(1).connect(&format!("{}/postgres", services.pg_server)).await?;
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", database_name(&services.prefix));
        admin.execute(sqlx::AssertSqlSafe(sql)).await?;
        admin.close().await;
        anyhow::Ok(())
    }
    .await;
    if let Err(err) = dropped {
        eprintln!("worker-bench: could not drop the database of {}: {err:#}", services.prefix);
    }
}
