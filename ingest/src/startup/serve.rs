//! The two tasks of a running ingest: the HTTP server until shutdown, and the topology declaration, retried
//! while the broker is away.

use std::future::Future;
use std::time::Duration;

use enhancer_shared::queue::Publisher;
use tokio::net::TcpListener;

use super::assemble::Assembled;
use super::connections::{ConnectionLimits, serve_connections};
use crate::edge::HttpLimits;
use crate::router::router;

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

/// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests finish (for at most the
/// shutdown grace), closes the broker link and returns.
pub(crate) async fn serve(
    listener: TcpListener,
    assembled: Assembled,
    limits: &HttpLimits,
    connection_limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let Assembled { publisher, state } = assembled;
    let app = router(state, limits);
    serve_connections(listener, app, connection_limits, shutdown).await;
    publisher.close().await;
    Ok(())
}
