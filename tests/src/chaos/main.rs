//! `chaos`: the chaos run of docs/RELIABILITY.md. Two `enhancer-ingest` and three `enhancer-worker run`
//! processes (release binaries) on one fresh database and queue prefix, three tenants (Jira, ServiceDesk
//! Plus, generic) on the in-process fake tool, webhooks at a steady rate from a sender that retries as the
//! tools do, and faults on a timetable: `kill -9` of workers and an ingest, the tool answering 500 or 429
//! for a while, one tenant's tool refusing connections. At the end: what was lost, duplicated or
//! dead-lettered, webhook-to-note latency and how fast throughput recovered from each fault, against targets.

mod faults;
mod figures;
mod procs;
mod sender;
mod world;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

use crate::faults::Fault;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Profile {
    /// 3,000 webhooks at 100/s, every fault of the default timetable.
    Default,
    /// Under 3 minutes: 600 webhooks at 20/s, each non-service fault once, shorter outages.
    Short,
}

#[derive(Debug, Parser)]
#[command(
    name = "chaos",
    about = "Kill and disturb a running ticket-enhancer while webhooks arrive; count what survives"
)]
struct Cli {
    #[arg(long, value_enum, default_value = "default")]
    profile: Profile,
    /// Webhooks to send (default: the profile's).
    #[arg(long)]
    webhooks: Option<usize>,
    /// Webhooks per second (default: the profile's).
    #[arg(long)]
    rate: Option<f64>,
    /// The fault timetable, comma-separated `kind@start[+duration]` in seconds from the first send; kinds:
    /// kill-worker, kill-ingest, tool-500, tool-429, refuse (the generic tenant's tool), restart-rabbitmq,
    /// restart-postgres, restart-redis (these three need --restart-services). Default: the profile's.
    #[arg(long)]
    timetable: Option<String>,
    /// Also restart RabbitMQ, PostgreSQL and Redis (adds them to the default timetable). Disturbs every other
    /// user of the local services: never while tests run beside it.
    #[arg(long)]
    restart_services: bool,
    /// Seconds a killed process stays dead before it is started again (a worker with a new id).
    #[arg(long, default_value_t = 3.0)]
    restart_after: f64,
    /// After the last send and the last fault: how long to wait for every accepted webhook to end in a note or
    /// a dead letter before the rest counts as lost.
    #[arg(long)]
    drain_secs: Option<u64>,
    /// `worker.lease_secs` of the workers.
    #[arg(long, default_value_t = 10)]
    lease_secs: u64,
    /// Where the release binaries are.
    #[arg(long, env = "CHAOS_BIN_DIR")]
    bin_dir: Option<PathBuf>,
    /// Where the processes' logs go (default: a new temporary directory, kept).
    #[arg(long)]
    log_dir: Option<PathBuf>,
    /// Also write the figures as one JSON object to this file.
    #[arg(long)]
    json_out: Option<PathBuf>,
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pg_server: String,
    #[arg(long, default_value = "amqp://guest:guest@127.0.0.1:5672/%2f")]
    amqp_url: String,
    #[arg(long, default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
}

/// The profile's defaults: webhooks, rate, timetable, drain.
fn profile_defaults(profile: Profile, restart_services: bool) -> (usize, f64, String, u64) {
    let (webhooks, rate, mut timetable, drain) = match profile {
        // 30 s of sending. The kills come first, each with a clean pre-fault rate and time to recover before
        // the tool windows (a kill inside a 500 window has no throughput to measure); the 60 s refusal and the
        // 429 window outlast the sending, so they also hit the retries of everything the 500 window deferred.
        Profile::Default => (
            3_000,
            100.0,
            "kill-worker@3,kill-worker@6,kill-ingest@8,kill-worker@10,refuse@12+60,tool-500@14+20,tool-429@36+20"
                .to_owned(),
            300,
        ),
        // 30 s of sending, every fault once, outages short enough that their retries (5 s, 5 s, 30 s tiers)
        // finish within the drain.
        Profile::Short => {
            (600, 20.0, "kill-worker@4,kill-ingest@8,tool-500@12+8,tool-429@22+8,refuse@14+15".to_owned(), 100)
        }
    };
    if restart_services {
        timetable.push_str(",restart-redis@40,restart-rabbitmq@60,restart-postgres@90");
    }
    (webhooks, rate, timetable, drain)
}

/// The allocator the product's binaries use; the sender and the fake tool run here.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (webhooks, rate, timetable, drain) = profile_defaults(cli.profile, cli.restart_services);
    let webhooks = cli.webhooks.unwrap_or(webhooks);
    let rate = cli.rate.unwrap_or(rate);
    let timetable = faults::parse(cli.timetable.as_deref().unwrap_or(&timetable))?;
    let drain = Duration::from_secs(cli.drain_secs.unwrap_or(drain));
    anyhow::ensure!(webhooks > 0 && rate > 0.0, "--webhooks and --rate must be positive");
    anyhow::ensure!(cli.lease_secs >= 3, "--lease-secs must be at least 3");
    if !cli.restart_services {
        anyhow::ensure!(
            !timetable.iter().any(|f| f.kind.is_service()),
            "service restarts in the timetable need --restart-services"
        );
    }
    let bin_dir = match &cli.bin_dir {
        Some(dir) => dir.clone(),
        None => PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into())).join("release"),
    };
    let log_dir = match &cli.log_dir {
        Some(dir) => dir.clone(),
        None => tempfile::Builder::new().prefix("chaos-").tempdir()?.keep(),
    };
    std::fs::create_dir_all(&log_dir)?;

    let settings = world::Settings {
        pg_server: cli.pg_server.trim_end_matches('/').to_owned(),
        amqp_url: cli.amqp_url.clone(),
        redis_url: cli.redis_url.clone(),
        prefix: format!("chaos{}", &uuid::Uuid::new_v4().simple().to_string()[..12]),
        lease_secs: cli.lease_secs,
    };
    println!("chaos: prefix {}, logs in {}", settings.prefix, log_dir.display());
    let world = world::World::prepare(&settings).await?;
    let outcome = run(&cli, &settings, &world, &bin_dir, &log_dir, webhooks, rate, timetable, drain).await;
    world.cleanup(&settings).await;
    let report = outcome?;
    if let Some(path) = &cli.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&report.json)?)?;
    }
    if !report.all_met {
        anyhow::bail!("chaos: a target was missed");
    }
    Ok(())
}

#[expect(clippy::too_many_arguments, reason = "one call site: the run's resolved settings")]
async fn run(
    cli: &Cli,
    settings: &world::Settings,
    world: &world::World,
    bin_dir: &std::path::Path,
    log_dir: &std::path::Path,
    webhooks: usize,
    rate: f64,
    timetable: Vec<Fault>,
    drain: Duration,
) -> anyhow::Result<figures::Report> {
    let mut procs = procs::Processes::new(bin_dir, log_dir, world.env(settings));
    procs.start_all().await?;
    let ingests = procs.ingest_urls();
    let procs = Arc::new(tokio::sync::Mutex::new(procs));

    let started = Instant::now();
    let restart_after = Duration::from_secs_f64(cli.restart_after);
    let fault_log = faults::spawn(timetable.clone(), started, &procs, &world.tool, &world.refuse, restart_after);
    let sent = sender::send_all(&world.tenants, &ingests, webhooks, rate, started).await;
    let send_end = started.elapsed();
    let faults_end = timetable.iter().map(|f| f.end() + restart_after).max().unwrap_or_default();
    let wait = faults_end.saturating_sub(started.elapsed());
    println!(
        "chaos: sent {} webhooks in {:.1} s; waiting {:.0} s for the last fault",
        sent.len(),
        send_end.as_secs_f64(),
        wait.as_secs_f64()
    );
    tokio::time::sleep(wait).await;
    let fault_log = fault_log.await?;
    let drained = figures::drain(world, &sent, drain).await?;
    let report = figures::report(world, &sent, &timetable, &fault_log, started, send_end, drained).await?;
    procs.lock().await.stop_all().await;
    Ok(report)
}
