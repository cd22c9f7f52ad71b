//! `enhancer-worker`: parse arguments, load configuration, hand over to the library.

use std::process::ExitCode;

use clap::Parser;
use enhancer_shared::config::Config;
use enhancer_worker::cli::{self, Cli, CliIo};

/// mimalloc rather than glibc's malloc: allocation was about a tenth of the process's CPU under load
/// (docs/BENCHMARKS.md). The container sets `MIMALLOC_ARENA_EAGER_COMMIT=0` to keep the resident set small.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // One process-wide TLS provider, chosen before any client is built: with none installed, crates that
    // do not name one (redis, jsonwebtoken) panic at their first TLS use.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let cli = Cli::parse();
    let config = match Config::load() {
        Ok(config) => config,
        Err(err) => return fail(&err),
    };
    let _telemetry = match enhancer_shared::telemetry::init("enhancer-worker") {
        Ok(guard) => guard,
        Err(err) => return fail(&err),
    };
    match cli::execute(cli, &config, &mut CliIo::process()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail(&*err),
    }
}

/// Prints the error and its causes for the operator.
fn fail(err: &(dyn std::error::Error + 'static)) -> ExitCode {
    #[expect(clippy::print_stderr, reason = "the binary's edge: errors go to stderr for the operator")]
    {
        eprintln!("{}", cli::render_error(err));
    }
    ExitCode::FAILURE
}
