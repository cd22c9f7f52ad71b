//! Start-up: [`spawn`] is the one way to run ingest, for the binary and the tests alike. It assembles the
//! state from configuration (`assemble`), starts declaring the queue topology and serves on the given
//! listeners (public: webhooks; admin: probes, metrics, the OpenAPI document) until the shutdown future
//! resolves (`serve`).

mod assemble;
mod connections;
mod serve;

use std::future::Future;
use std::net::SocketAddr;

use enhancer_shared::config::Config;
use enhancer_shared::crypto::KeyError;
use enhancer_shared::db;
use enhancer_shared::queue::{Publisher, QueueError, Topology};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::edge::HttpLimits;
use assemble::build_state;
pub use assemble::open_database;
use connections::ConnectionLimits;
use serve::serve;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] db::DbError),
    #[error(transparent)]
    Schema(#[from] db::SchemaError),
    #[error("ENHANCER_MASTER_KEY is not set: ingest needs it to read the tenants' webhook secrets")]
    MissingMasterKey,
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("cannot listen on {address}: {source}")]
    Listen { address: SocketAddr, source: std::io::Error },
    #[error("cannot read the listener's local address: {0}")]
    ListenerAddress(#[source] std::io::Error),
}

/// The two listeners ingest serves on.
#[derive(Debug)]
pub struct Listeners {
    /// `ingest.listen`: webhooks only, the port a tool (through the ingress) reaches.
    pub public: TcpListener,
    /// `ingest.admin_listen`: `/healthz`, `/readyz`, `/metrics`, `/openapi.json`; never exposed publicly.
    pub admin: TcpListener,
}

/// Binds the configured addresses.
pub async fn bind(config: &Config) -> Result<Listeners, StartupError> {
    Ok(Listeners { public: bind_one(config.ingest.listen).await?, admin: bind_one(config.ingest.admin_listen).await? })
}

async fn bind_one(address: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(address).await.map_err(|source| StartupError::Listen { address, source })
}

/// Assembles ingest from `config`, starts declaring the queue topology (retried in the background while the
/// broker is away) and serves on `listeners` until `shutdown` resolves. Fails only on what a restart cannot
/// fix by waiting: the database schema, the master key, the queue prefix.
pub async fn spawn(
    config: &Config,
    listeners: Listeners,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<RunningIngest, StartupError> {
    let assembled = build_state(config).await?;
    let address = listeners.public.local_addr().map_err(StartupError::ListenerAddress)?;
    let admin_address = listeners.admin.local_addr().map_err(StartupError::ListenerAddress)?;
    let publisher = assembled.publisher.clone();
    let declaration = serve::spawn_topology_declaration(publisher.clone());
    let stop_declaring = declaration.abort_handle();
    let limits = HttpLimits::from_config(&config.ingest);
    let connection_limits = ConnectionLimits::from_config(&config.ingest);
    let server = tokio::spawn(async move {
        let served = serve(listeners, assembled, &limits, connection_limits, shutdown).await;
        // A broker that never came back must not keep a stopped ingest retrying.
        stop_declaring.abort();
        served
    });
    Ok(RunningIngest { address, admin_address, publisher, declaration: Some(declaration), server: Some(server) })
}

/// A serving ingest, as [`spawn`] returns it.
#[derive(Debug)]
pub struct RunningIngest {
    /// The address the public listener is bound to (the actual port when it was bound to port 0).
    pub address: SocketAddr,
    /// The address the admin listener is bound to.
    pub admin_address: SocketAddr,
    /// The broker publisher the handlers publish with; tests also publish on it directly.
    pub publisher: Publisher,
    declaration: Option<JoinHandle<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningIngest {
    pub fn topology(&self) -> &Topology {
        self.publisher.topology()
    }

    /// Resolves once the queue topology is declared, or the server stopped before it could be.
    pub async fn topology_declared(&mut self) {
        if let Some(declaration) = self.declaration.take() {
            let _ = declaration.await;
        }
    }

    /// Waits until the server stopped: `shutdown` resolved, in-flight requests finished, the broker link is
    /// closed. Answers at once if it was already awaited.
    pub async fn stopped(&mut self) -> std::io::Result<()> {
        match self.server.take() {
            None => Ok(()),
            Some(server) => server.await.unwrap_or_else(|err| Err(std::io::Error::other(err))),
        }
    }
}
