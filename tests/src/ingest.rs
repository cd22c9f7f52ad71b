//! An `enhancer-ingest` running in process on a random port, with its own database and queue prefix, and a
//! broker channel to inspect what it published.

use std::net::SocketAddr;

use enhancer_ingest::startup::{self, RunningIngest};
use enhancer_shared::config::Config;
use enhancer_shared::domain::{EnhancementJob, TenantId, ToolKind};
use enhancer_shared::queue::{self, Topology};
use enhancer_shared::tenant::{NewTenant, TenantSecrets, TenantSettings, store};
use lapin::options::{BasicAckOptions, BasicGetOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use tokio::sync::oneshot;

use crate::TestDb;

/// A unique queue prefix, so tests sharing the broker never see each other's messages.
pub fn unique_prefix() -> String {
    format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12])
}

#[derive(Debug)]
pub struct TestIngest {
    pub address: SocketAddr,
    pub config: Config,
    /// The running ingest, as `startup::spawn` returned it: `state.publisher` publishes on its broker link.
    pub state: RunningIngest,
    pub topology: Topology,
    pub inspect: lapin::Channel,
    _connection: lapin::Connection,
    shutdown: Option<oneshot::Sender<()>>,
}

impl TestIngest {
    /// Starts ingest against `db` with a fresh queue prefix; `extra` are more `ENHANCER_*` variables.
    pub async fn spawn(db: &TestDb, extra: &[(&str, &str)]) -> TestIngest {
        let prefix = unique_prefix();
        let mut vars: Vec<(&str, &str)> =
            vec![("ENHANCER_QUEUE__PREFIX", &prefix), ("ENHANCER_INGEST__LISTEN", "127.0.0.1:0")];
        vars.extend_from_slice(extra);
        let config = db.config_with(&vars);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let (tx, rx) = oneshot::channel::<()>();
        let mut state = startup::spawn(&config, listener, async {
            let _ = rx.await;
        })
        .await
        .expect("ingest starts");
        // Tests inspect the queues at once, so they must exist before the first request.
        tokio::time::timeout(std::time::Duration::from_secs(30), state.topology_declared())
            .await
            .expect("the topology is declared within 30 s");
        let address = state.address;
        let connection = queue::connect(
            &secrecy::SecretString::from("amqp://guest:guest@127.0.0.1:5672/%2f"),
            "test-inspect",
            std::time::Duration::from_secs(10),
        )
        .await
        .expect("inspection connection");
        let inspect = connection.create_channel().await.expect("channel");
        let topology = state.topology().clone();
        TestIngest { address, config, state, topology, inspect, _connection: connection, shutdown: Some(tx) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Takes the next job from `{prefix}.jobs`, with its headers; `None` when the queue is empty.
    pub async fn take_job(&self) -> Option<(EnhancementJob, FieldTable)> {
        let message = self
            .inspect
            .basic_get(self.topology.jobs_queue().as_str().into(), BasicGetOptions::default())
            .await
            .expect("basic_get")?;
        message.delivery.acker.ack(BasicAckOptions::default()).await.expect("ack");
        let headers = message.delivery.properties.headers().clone().unwrap_or_default();
        Some((EnhancementJob::from_json(&message.delivery.data).expect("a valid job body"), headers))
    }

    /// Messages ready in `{prefix}.jobs`.
    pub async fn jobs_ready(&self) -> u32 {
        let queue = self
            .inspect
            .queue_declare(
                self.topology.jobs_queue().as_str().into(),
                QueueDeclareOptions { passive: true, ..QueueDeclareOptions::default() },
                FieldTable::default(),
            )
            .await
            .expect("passive declare");
        queue.message_count()
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
        delete_queues(&self.topology);
    }
}

/// Deletes a test's queues and exchange before the test returns. Leftover quorum queues are each a Raft
/// group the broker keeps running, and hundreds of them slow every later test's declarations.
pub fn delete_queues(topology: &Topology) {
    let topology = topology.clone();
    // Drop runs outside async context (or at the end of the test's runtime, which would never run a
    // spawned task): a short-lived runtime on its own thread does the work.
    let cleanup = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async move {
            let url = secrecy::SecretString::from("amqp://guest:guest@127.0.0.1:5672/%2f");
            if let Ok(connection) = queue::connect(&url, "test-cleanup", std::time::Duration::from_secs(10)).await {
                if let Ok(channel) = connection.create_channel().await {
                    let _ = queue::delete_all(&channel, &topology).await;
                }
                let _ = connection.close(200, "cleanup".into()).await;
            }
        });
    });
    let _ = cleanup.join();
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
