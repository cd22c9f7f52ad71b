//! The run's world: a fresh database (migrated), a queue prefix of its own, the fake tool in this process,
//! a cuttable proxy in front of it for the tenant whose tool will refuse connections, three tenants, the
//! environment every child process starts with, and the clean-up that removes database, queues and keys.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context as _;
use enhancer_shared::crypto::{KeyRing, MasterKey};
use enhancer_shared::domain::{TenantId, ToolKind};
use enhancer_shared::queue::{self, Topology};
use enhancer_shared::tenant::{NewTenant, TenantSecrets, TenantSettings, store};
use enhancer_tests::fake_tool::{FakeTool, Recording};
use enhancer_tests::proxy::CuttableProxy;
use enhancer_tests::tool_webhooks;
use secrecy::{ExposeSecret as _, SecretString};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Executor as _, PgPool};

/// Where the services are; from the command line.
#[derive(Debug, Clone)]
pub struct Settings {
    pub pg_server: String,
    pub amqp_url: String,
    pub redis_url: String,
    /// Queue prefix, Redis key prefix and database suffix of this run.
    pub prefix: String,
    pub lease_secs: u64,
}

/// One tenant the sender posts for.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub tool: ToolKind,
    pub secret: String,
}

#[derive(Debug)]
pub struct World {
    pub database: String,
    pub pool: PgPool,
    pub tool: FakeTool,
    /// In front of the fake tool for the last tenant (generic): cut, that tenant's tool refuses connections.
    pub refuse: std::sync::Arc<CuttableProxy>,
    pub tenants: Vec<Tenant>,
    master: SecretString,
}

impl World {
    pub async fn prepare(settings: &Settings) -> anyhow::Result<World> {
        let database = format!("enhancer_{}", settings.prefix);
        let admin =
            PgPoolOptions::new().max_connections(1).connect(&format!("{}/postgres", settings.pg_server)).await?;
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {database}"))).await.context("create database")?;
        admin.close().await;
        let pool =
            PgPoolOptions::new().max_connections(2).connect(&format!("{}/{database}", settings.pg_server)).await?;
        enhancer_shared::db::migrate(&pool).await?;

        // Light recording: thousands of notes, only their times and markers matter here.
        let tool = FakeTool::start_with(Recording::Light).await;
        let refuse = std::sync::Arc::new(CuttableProxy::start(tool.address()).await);
        let master = MasterKey::generate().1;
        let keys = KeyRing::from_env_values(&master, None)?;
        // Checked on every webhook, never refusing: the sender's rate is far below it.
        let settings_json = TenantSettings::from_json(serde_json::json!({
            "rate_limit": {"per_second": 100_000, "burst": 100_000},
        }))?;
        let mut tenants = Vec::new();
        for (id, tool_kind) in [
            ("chaos-jira", ToolKind::Jira),
            ("chaos-sdp", ToolKind::ServicedeskPlus),
            ("chaos-generic", ToolKind::Generic),
        ] {
            let secret = tool_webhooks::default_secret(tool_kind).to_owned();
            let address = if tool_kind == ToolKind::Generic { refuse.address } else { tool.address() };
            let tenant = NewTenant {
                id: TenantId::parse(id)?,
                name: id.to_owned(),
                tool: tool_kind,
                base_url: url::Url::parse(&format!("http://{address}"))?,
                allow_insecure_url: true,
                settings: settings_json.clone(),
                secrets: TenantSecrets::parse(tool_webhooks::secrets(tool_kind, &secret).as_bytes())?,
            };
            store::insert(&pool, &keys, &tenant).await?;
            tenants.push(Tenant { id: id.to_owned(), tool: tool_kind, secret });
        }
        Ok(World { database, pool, tool, refuse, tenants, master })
    }

    /// The environment of every child process (each adds its own listen address and worker id).
    pub fn env(&self, settings: &Settings) -> HashMap<String, String> {
        HashMap::from([
            ("ENHANCER_DATABASE__URL".into(), format!("{}/{}", settings.pg_server, self.database)),
            // Five processes (and, on the machine's server, other users): 10 each instead of 20.
            ("ENHANCER_DATABASE__MAX_CONNECTIONS".into(), "10".into()),
            ("ENHANCER_AMQP__URL".into(), settings.amqp_url.clone()),
            ("ENHANCER_REDIS__URL".into(), settings.redis_url.clone()),
            ("ENHANCER_QUEUE__PREFIX".into(), settings.prefix.clone()),
            ("ENHANCER_MASTER_KEY".into(), self.master.expose_secret().to_owned()),
            // The fake tool listens on loopback.
            ("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS".into(), "true".into()),
            // A killed worker's jobs resume about one lease later: short, so the run sees it.
            ("ENHANCER_WORKER__LEASE_SECS".into(), settings.lease_secs.to_string()),
            // A killed worker's in-flight jobs are what a kill costs: a modest number per process.
            ("ENHANCER_WORKER__CONCURRENCY".into(), "16".into()),
            ("ENHANCER_WORKER__DRAIN_GRACE_SECS".into(), "5".into()),
            ("PGSSLMODE".into(), "disable".into()),
            ("RUST_LOG".into(), std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into())),
        ])
    }

    /// Deletes the prefix's queues and Redis keys and drops the database; best effort, reported on stderr.
    pub async fn cleanup(&self, settings: &Settings) {
        self.pool.close().await;
        let url = SecretString::from(settings.amqp_url.clone());
        let deleted = async {
            let topology = Topology::new(settings.prefix.clone())?;
            let connection = queue::connect(&url, "chaos-cleanup", Duration::from_secs(10)).await?;
            let channel = connection.create_channel().await?;
            queue::delete_all(&channel, &topology).await?;
            let _ = connection.close(200, "done".into()).await;
            anyhow::Ok(())
        }
        .await;
        if let Err(err) = deleted {
            eprintln!("chaos: could not delete the {} queues: {err:#}", settings.prefix);
        }
        let keys = async {
            let client = redis::Client::open(settings.redis_url.as_str())?;
            let mut conn = redis::aio::ConnectionManager::new(client).await?;
            let found: Vec<String> =
                redis::cmd("KEYS").arg(format!("{}:*", settings.prefix)).query_async(&mut conn).await?;
            for chunk in found.chunks(1000) {
                let _: () = redis::cmd("DEL").arg(chunk).query_async(&mut conn).await?;
            }
            anyhow::Ok(())
        }
        .await;
        if let Err(err) = keys {
            eprintln!("chaos: could not delete the {} Redis keys: {err:#}", settings.prefix);
        }
        let dropped = async {
            let admin =
                PgPoolOptions::new().max_connections(1).connect(&format!("{}/postgres", settings.pg_server)).await?;
            admin
                .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database)))
                .await?;
            admin.close().await;
            anyhow::Ok(())
        }
        .await;
        if let Err(err) = dropped {
            eprintln!("chaos: could not drop {}: {err:#}", self.database);
        }
    }
}
