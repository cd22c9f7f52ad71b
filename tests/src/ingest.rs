//! An `enhancer-ingest` running in process on random ports (public and admin), with its own database and queue prefix, and a
//! broker channel to inspect what it published.

use std::net::SocketAddr;

use enhancer_ingest::startup::{self, RunningIngest};
use enhancer_shared::config::Config;
use enhancer_shared::domain::{EnhancementJob, TenantId, ToolKind};
use enhancer_shared::queue::Topology;
use enhancer_shared::tenant::{NewTenant, TenantSecrets, TenantSettings, store};
use lapin::types::FieldTable;
use tokio::sync::oneshot;

use crate::TestDb;
use crate::broker::TestBroker;
pub use crate::broker::unique_prefix;

#[derive(Debug)]
pub struct TestIngest {
    /// The public listener: webhooks.
    pub address: SocketAddr,
    /// The admin listener: probes, metrics, the OpenAPI document.
    pub admin_address: SocketAddr,
    pub config: Config,
    /// The running ingest, as `startup::spawn` returned it: `state.publisher` publishes on its broker link.
    pub state: RunningIngest,
    pub topology: Topology,
    /// The test's queues: what ingest published, and the check that nothing was left behind.
    pub broker: TestBroker,
    shutdown: Option<oneshot::Sender<()>>,
}

impl TestIngest {
    /// Starts ingest against `db` with a fresh queue prefix; `extra` are more `ENHANCER_*` variables.
    pub async fn spawn(db: &TestDb, extra: &[(&str, &str)]) -> TestIngest {
        let prefix = unique_prefix();
        let mut vars: Vec<(&str, &str)> = vec![
            ("ENHANCER_QUEUE__PREFIX", &prefix),
            ("ENHANCER_INGEST__LISTEN", "127.0.0.1:0"),
            ("ENHANCER_INGEST__ADMIN_LISTEN", "127.0.0.1:0"),
        ];
        vars.extend_from_slice(extra);
        TestIngest::start(db.config_with(&vars)).await.expect("ingest starts")
    }

    /// Starts ingest with `config` on free loopback ports and waits until its queues are declared.
    pub async fn start(config: Config) -> anyhow::Result<TestIngest> {
        let listeners = startup::Listeners {
            public: tokio::net::TcpListener::bind("127.0.0.1:0").await?,
            admin: tokio::net::TcpListener::bind("127.0.0.1:0").await?,
        };
        let (tx, rx) = oneshot::channel::<()>();
        let mut state = startup::spawn(&config, listeners, async {
            let _ = rx.await;
        })
        .await?;
        // Tests inspect the queues at once, so they must exist before the first request.
        tokio::time::timeout(std::time::Duration::from_secs(30), state.topology_declared())
            .await
            .map_err(|_| anyhow::anyhow!("the queue topology was not declared within 30 s (is RabbitMQ running?)"))?;
        let (address, admin_address) = (state.address, state.admin_address);
        let topology = state.topology().clone();
        let broker = TestBroker::connect(topology.clone()).await;
        Ok(TestIngest { address, admin_address, config, state, topology, broker, shutdown: Some(tx) })
    }

    /// `path` on the public listener (webhooks).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// `path` on the admin listener (`/healthz`, `/readyz`, `/metrics`, `/openapi.json`).
    pub fn admin_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.admin_address)
    }

    /// Takes the next job from `{prefix}.jobs`, with its headers; `None` when the queue is empty.
    pub async fn take_job(&self) -> Option<(EnhancementJob, FieldTable)> {
        self.broker.take_job().await
    }

    /// Messages ready in `{prefix}.jobs`.
    pub async fn jobs_ready(&self) -> u32 {
        self.broker.jobs_ready().await
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.state.stopped().await.expect("server result");
    }
}

impl Drop for TestIngest {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Adds a tenant straight through the store (no URL policy: tests point tenants at local mock servers).
pub async fn add_tenant(
    db: &TestDb,
    id: &str,
    tool: ToolKind,
    base_url: &str,
    secrets: &str,
    settings: TenantSettings,
) {
    let keys = enhancer_shared::crypto::KeyRing::from_env_values(&db.master_key, None).expect("ring");
    let tenant = NewTenant {
        id: TenantId::parse(id).expect("tenant id"),
        name: id.to_owned(),
        tool,
        base_url: url::Url::parse(base_url).expect("url"),
        allow_insecure_url: true,
        settings,
        secrets: TenantSecrets::parse(secrets.as_bytes()).expect("secrets"),
    };
    store::insert(&db.pool, &keys, &tenant).await.expect("insert tenant");
}
