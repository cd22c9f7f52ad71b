//! `enhancer-ingest`: load configuration, bind, start (checking the database) and serve webhooks until
//! SIGTERM or Ctrl-C. `enhancer-ingest probe` instead asks the running one's admin port for `/readyz`
//! (compose's healthcheck).

use std::process::ExitCode;

use anyhow::Context;
use enhancer_ingest::{probe, startup};
use enhancer_shared::config::Config;
use enhancer_shared::shutdown;

/// mimalloc rather than glibc's malloc: allocation was about a tenth of the process's CPU under load
/// (docs/BENCHMARKS.md). The container sets `MIMALLOC_ARENA_EAGER_COMMIT=0` to keep the resident set small.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // One process-wide TLS provider before any client is built (see docs/ARCHITECTURE.md).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            #[expect(clippy::print_stderr, reason = "the binary's edge: errors go to stderr for the operator")]
            {
                eprintln!("error: {err:#}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run() -> anyhow::Result<()> {
    let config = Config::load()?;
    match std::env::args().nth(1).as_deref() {
        None => {}
        Some("probe") => return Ok(probe::readyz(probe::target(config.ingest.admin_listen))?),
        Some(other) => anyhow::bail!("unknown argument {other:?}: run without arguments, or `probe`"),
    }
    let _telemetry = enhancer_shared::telemetry::init("enhancer-ingest")?;
    let listeners = startup::bind(&config).await?;
    let mut ingest = startup::spawn(&config, listeners, shutdown::signal()).await.context("start-up failed")?;
    tracing::info!(address = %ingest.address, admin_address = %ingest.admin_address, "enhancer-ingest listening");
    ingest.stopped().await?;
    tracing::info!("enhancer-ingest stopped");
    Ok(())
}
