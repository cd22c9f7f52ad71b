//! [`LocalStack`]: the whole product in one process on free loopback ports: `enhancer-ingest` (through its
//! one start-up function), the one fake ticketing tool, and workers on demand, all on one configuration
//! (database, queue prefix, master key). The demo, the benchmarks and the integration tests start the
//! product through it; the database belongs to the caller (a test's own, the demo's, a benchmark's).

use enhancer_shared::config::Config;
use enhancer_shared::crypto::KeyRing;
use enhancer_shared::domain::{TenantId, ToolKind};
use enhancer_shared::tenant::{NewTenant, TenantSecrets, TenantSettings, store};
use sqlx::PgPool;

use crate::fake_tool::{FakeTool, Recording};
use crate::ingest::TestIngest;
use crate::worker::TestWorker;

#[derive(Debug)]
pub struct LocalStack {
    /// What ingest runs with, and workers by default.
    pub config: Config,
    pub tool: FakeTool,
    pub ingest: TestIngest,
}

impl LocalStack {
    /// Starts the fake tool and ingest on `config`, whose database must be migrated; the queues are declared
    /// when this returns. Workers start with [`LocalStack::start_worker`].
    pub async fn start(config: Config, recording: Recording) -> anyhow::Result<LocalStack> {
        LocalStack::start_with_tool(config, FakeTool::start_with(recording).await).await
    }

    /// As [`LocalStack::start`], around a fake tool started earlier (whose address the tenants already have).
    pub async fn start_with_tool(config: Config, tool: FakeTool) -> anyhow::Result<LocalStack> {
        let ingest = TestIngest::start(config.clone()).await?;
        Ok(LocalStack { config, tool, ingest })
    }

    /// Adds a tenant of `tool` whose API is the fake tool (at [`FakeTool::base_url_for`] that tool), straight
    /// through the store (the URL policy is for operator-entered URLs; this one is on loopback). `secrets` is
    /// the `--secrets-file` document.
    pub async fn add_tenant(
        &self,
        pool: &PgPool,
        id: &str,
        tool: ToolKind,
        secrets: &str,
        settings: TenantSettings,
    ) -> anyhow::Result<()> {
        let base_path = self.tool.base_url_for(tool).trim_start_matches(&self.tool.base_url()).to_owned();
        self.add_tenant_at(pool, id, tool, &base_path, secrets, settings).await
    }

    /// As [`LocalStack::add_tenant`], with `base_path` appended to the fake tool's base URL: a tool whose
    /// routes the fake serves under a prefix (Freshservice under `/freshservice`).
    pub async fn add_tenant_at(
        &self,
        pool: &PgPool,
        id: &str,
        tool: ToolKind,
        base_path: &str,
        secrets: &str,
        settings: TenantSettings,
    ) -> anyhow::Result<()> {
        let master = self.config.master_key.as_ref().ok_or_else(|| anyhow::anyhow!("the stack needs a master key"))?;
        let keys = KeyRing::from_env_values(master, self.config.previous_master_keys.as_ref())?;
        let tenant = NewTenant {
            id: TenantId::parse(id).map_err(|err| anyhow::anyhow!("tenant id {id:?}: {err}"))?,
            name: id.to_owned(),
            tool,
            base_url: url::Url::parse(&format!("{}{base_path}", self.tool.base_url()))?,
            allow_insecure_url: true,
            settings,
            secrets: TenantSecrets::parse(secrets.as_bytes())?,
        };
        store::insert(pool, &keys, &tenant).await?;
        Ok(())
    }

    /// A worker on the stack's configuration, consuming when this returns.
    pub async fn start_worker(&self) -> TestWorker {
        TestWorker::spawn(&self.config).await
    }

    /// The URL of `path` on ingest.
    pub fn ingest_url(&self, path: &str) -> String {
        self.ingest.url(path)
    }
}
