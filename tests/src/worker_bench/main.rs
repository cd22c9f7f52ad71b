//! `worker-bench`: the worker benchmark of docs/BENCHMARKS.md. One `enhancer-worker` runs in this process
//! (`build_with_writer`) against local PostgreSQL and RabbitMQ, with a local ticket receiver that answers at
//! once. Three scenarios, one per invocation so that each process's peak memory is its own:
//! `instant` (preloaded jobs, offline writer), `slow` (preloaded jobs, a writer that sleeps), and
//! `latency` (webhooks through an in-process ingest at a fixed rate). Each makes its own database and
//! queues under `--prefix` and removes them at the end.

mod corpus;
mod latency;
mod observe;
mod preload;
mod setup;
mod stage_metrics;
mod throughput;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use enhancer_worker::writer::OfflineWriter;

use crate::setup::Services;

#[derive(Debug, Parser)]
#[command(name = "worker-bench", about = "Throughput and latency of one enhancer-worker process")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Subcommand)]
enum Scenario {
    /// Preload `--jobs`, then measure until every history row is `completed`; offline writer.
    Instant {
        #[arg(long, default_value_t = 20_000)]
        jobs: usize,
    },
    /// As `instant`, with a writer that sleeps `--synthesize-ms` per job.
    Slow {
        #[arg(long, default_value_t = 10_000)]
        jobs: usize,
        #[arg(long, default_value_t = 2_000)]
        synthesize_ms: u64,
    },
    /// Webhooks through ingest at `--rate` per second; webhook-to-note latency.
    Latency {
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
        /// Seconds measured.
        #[arg(long, default_value_t = 20.0)]
        duration: f64,
        /// Seconds sent before measuring (not recorded).
        #[arg(long, default_value_t = 2.0)]
        warmup: f64,
    },
}

#[derive(Debug, Args)]
struct Common {
    /// Queue prefix of this run, also the database's name after `enhancer_`: lower-case letters, digits, `_`.
    #[arg(long, global = true, default_value = "")]
    prefix: String,
    /// `ENHANCER_WORKER__CONCURRENCY`.
    #[arg(long, global = true, default_value_t = 64)]
    concurrency: u32,
    /// `ENHANCER_DATABASE__MAX_CONNECTIONS` of the worker's pool.
    #[arg(long, global = true, default_value_t = 20)]
    db_connections: u32,
    /// The PostgreSQL server, without a database name.
    #[arg(long, global = true, default_value = "postgres://postgres@127.0.0.1:5432")]
    pg_server: String,
    #[arg(long, global = true, default_value = "amqp://guest:guest@127.0.0.1:5672/%2f")]
    amqp_url: String,
    #[arg(long, global = true, default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
    /// Let the gather stage search the tenant's corpus (which the jobs fill) for similar tickets, articles
    /// and assets. Off by default, so that a job does what the Celery anchor's did: fetch the ticket,
    /// synthesize, post the note, record.
    #[arg(long, global = true)]
    context: bool,
    /// Before the run, load this many generated tickets (and the generator's articles and assets) into the
    /// tenant's corpus, and serve each job's ticket from the same generator (instant and slow only).
    #[arg(long, global = true, default_value_t = 0)]
    corpus: usize,
    /// With `--corpus`: the share of the jobs whose ticket belongs to the mass incident.
    #[arg(long, global = true, default_value_t = 0.0)]
    mass_jobs: f64,
    /// With `--context`: re-rank by meaning with the fake tool's embedding server (hashed words, 384
    /// dimensions; `[embeddings]` pointed at it), to measure what the semantic path costs.
    #[arg(long, global = true)]
    embeddings: bool,
    /// Also write the result as one JSON object to this file.
    #[arg(long, global = true)]
    json_out: Option<std::path::PathBuf>,
}

/// The allocator of the `enhancer-worker` binary, so the worker measured here allocates as in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The worker logs as in production (JSON lines on stderr, `info` for our crates): that costs too.
    let _telemetry = enhancer_shared::telemetry::init("enhancer-worker")?;
    let mut prefix = cli.common.prefix.clone();
    if prefix.is_empty() {
        prefix = format!("wb{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    }
    anyhow::ensure!(
        prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') && prefix.len() <= 40,
        "--prefix must be lower-case letters, digits and _ (at most 40)"
    );
    let services = Services {
        pg_server: cli.common.pg_server.trim_end_matches('/').to_owned(),
        amqp_url: cli.common.amqp_url.clone(),
        redis_url: cli.common.redis_url.clone(),
        prefix,
        concurrency: cli.common.concurrency,
        db_connections: cli.common.db_connections,
        context: cli.common.context,
        corpus: cli.common.corpus,
        mass_jobs: cli.common.mass_jobs,
        embeddings: cli.common.embeddings,
    };
    let outcome = match cli.scenario {
        Scenario::Instant { jobs } => {
            let timeout = Duration::from_secs(120.max(jobs as u64 / 50));
            throughput::run(&services, jobs, Arc::new(OfflineWriter), timeout).await
        }
        Scenario::Slow { jobs, synthesize_ms } => {
            let delay = Duration::from_millis(synthesize_ms);
            let writer = Arc::new(writer::SleepingWriter { delay });
            throughput::run(&services, jobs, writer, Duration::from_secs(120.max(jobs as u64 / 25))).await
        }
        Scenario::Latency { rate, duration, warmup } => {
            anyhow::ensure!(rate > 0.0 && duration > 0.0 && warmup >= 0.0, "rate and duration must be positive");
            let schedule = latency::Schedule {
                rate,
                warmup: Duration::from_secs_f64(warmup),
                measure: Duration::from_secs_f64(duration),
            };
            latency::run(&services, schedule).await
        }
    };
    setup::cleanup(&services).await;
    let result = outcome?;
    if let Some(path) = &cli.common.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&result)?)?;
    }
    Ok(())
}
