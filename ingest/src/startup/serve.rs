//! The two tasks of a running ingest: the HTTP servers (public and admin) until shutdown, and the topology
//! declaration, retried while the broker is away.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use enhancer_shared::queue::Publisher;
use tokio::sync::watch;

use super::Listeners;
use super::assemble::Assembled;
use super::connections::{ConnectionLimits, serve_connections};
use crate::edge::HttpLimits;
use crate::router::{admin_router, router};

/// Open connections on the admin listener at most: it serves a few probes and a scraper, never traffic, so
/// a small cap keeps a misbehaving client there from holding file descriptors the webhooks need.
const ADMIN_MAX_CONNECTIONS: usize = 64;

/// Declares the topology, retrying in the background while the broker is away. Publishing before it is
/// declared fails (mandatory messages to a missing queue come back), so nothing is lost meanwhile.
pub(super) fn spawn_topology_declaration(publisher: Publisher) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match publisher.declare_topology().await {
                Ok(()) => {
                    tracing::info!(prefix = publisher.topology().prefix(), "queue topology declared");
                    return;
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot declare the queue topology yet; retrying in 2s");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    })
}

/// Serves both listeners until `shutdown` resolves, then stops accepting on both, lets in-flight requests
/// finish (for at most the shutdown grace), closes the broker link and returns.
pub(crate) async fn serve(
    listeners: Listeners,
    assembled: Assembled,
    limits: &HttpLimits,
    connection_limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Assembled { publisher, state } = assembled;
    // Behind an Arc: axum clones the state for every request, and a clone of its many parts (strings,
    // pools, metric handles) showed up in the profile.
    let state = Arc::new(state);
    let app = router(Arc::clone(&state), limits);
    let admin = admin_router(state);
    // One shutdown future, two servers: it is awaited once here and fanned out.
    let (stop, stopped) = watch::channel(false);
    tokio::spawn(async move {
        shutdown.await;
        let _ = stop.send(true);
    });
    let admin_limits = ConnectionLimits { max_connections: ADMIN_MAX_CONNECTIONS, ..connection_limits.clone() };
    tokio::join!(
        serve_connections(listeners.public, app, connection_limits, stopping(stopped.clone())),
        serve_connections(listeners.admin, admin, admin_limits, stopping(stopped)),
    );
    publisher.close().await;
    Ok(())
}

/// Resolves once shutdown was signalled (or its sender is gone, which only a finished shutdown task does).
async fn stopping(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}
