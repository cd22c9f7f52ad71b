//! The accept loop, in place of `axum::serve`, for the connection-level limits it cannot set: a header read
//! timeout (hyper's, which needs a timer), a cap on open connections, and a shutdown bounded by a grace
//! period. A client that sends half its headers is disconnected after `ingest.header_read_timeout_ms`; one
//! that holds a connection at shutdown is disconnected after `ingest.shutdown_grace_secs`.
//!
//! HTTP/1.1 only: the tools deliver webhooks over HTTP/1.1, and a load balancer in front speaks it too.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use enhancer_shared::config::IngestConfig;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// The limits on connections.
#[derive(Debug, Clone)]
pub(crate) struct ConnectionLimits {
    pub(crate) header_read_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) shutdown_grace: Duration,
}

impl ConnectionLimits {
    pub(crate) fn from_config(config: &IngestConfig) -> Self {
        Self {
            header_read_timeout: Duration::from_millis(config.header_read_timeout_ms),
            max_connections: config.max_connections,
            shutdown_grace: Duration::from_secs(config.shutdown_grace_secs),
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, lets every connection finish
/// its request in flight (idle ones close at once) for at most the grace, and closes what is left.
pub(crate) async fn serve_connections(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut builder = http1::Builder::new();
    // The timer is what makes hyper enforce the header read timeout at all.
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        // At the cap, new connections wait in the kernel's listen backlog until one closes.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => stream,
                Err(err) => {
                    // Out of file descriptors and the like: back off instead of spinning on the error.
                    tracing::warn!(error = %err, "accept failed; retrying in 100 ms");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(app.clone()));
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let _permit = permit;
            tokio::pin!(connection);
            tokio::select! {
                served = connection.as_mut() => {
                    if let Err(err) = served {
                        tracing::debug!(error = %err, "connection ended with an error");
                    }
                    return;
                }
                _ = stopping.wait_for(|stop| *stop) => {}
            }
            // Finishes the request in flight, if any, then closes.
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let drained =
        tokio::time::timeout(limits.shutdown_grace, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(open = connections.len(), grace = ?limits.shutdown_grace, "closing connections still open after the shutdown grace");
        connections.shutdown().await;
    }
}
