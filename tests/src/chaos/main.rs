//! `chaos`: the chaos run of docs/RELIABILITY.md. Two `enhancer-ingest` and three `enhancer-worker run`
//! processes on one fresh database and queue prefix, on the run's own PostgreSQL, RabbitMQ and Redis (or
//! the machine's, without their restarts), three tenants (Jira, ServiceDesk Plus, generic) on the
//! in-process fake tool, webhooks at a steady rate from a sender that retries as the tools do, and faults on
//! a timetable: `kill -9` of workers and an ingest, crash restarts of the three services, the tool answering
//! 500 or 429 for a while, one tenant's tool refusing connections. At the end: what was lost, duplicated or
//! dead-lettered, webhook-to-note latency and how fast throughput recovered from each fault, against targets.

mod faults;
mod figures;
mod private;
mod procs;
mod sender;
mod world;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

use crate::faults::Fault;
use crate::private::PrivateServices;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Profile {
    /// 8,000 webhooks at 100/s (80 s), every fault of the issue while they arrive.
    Default,
    /// Under 3 minutes: 900 webhooks at 20/s, each fault once, shorter outages.
    Short,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Services {
    /// The run's own PostgreSQL, RabbitMQ and Redis on free ports, restarted by the restart faults and
    /// removed at the end: safe beside anything else using the machine's services.
    Private,
    /// The services at --pg-server, --amqp-url and --redis-url, never restarted (the restart faults are
    /// left out of the profiles and refused in a --timetable).
    Shared,
}

#[derive(Debug, Parser)]
#[command(
    name = "chaos",
    about = "Kill and disturb a running ticket-enhancer while webhooks arrive; count what survives"
)]
struct Cli {
    #[arg(long, value_enum, default_value = "default")]
    profile: Profile,
    #[arg(long, value_enum, default_value = "private")]
    services: Services,
    /// Webhooks to send (default: the profile's).
    #[arg(long)]
    webhooks: Option<usize>,
    /// Webhooks per second (default: the profile's).
    #[arg(long)]
    rate: Option<f64>,
    /// The fault timetable, comma-separated `kind@start[+duration]` in seconds from the first send; kinds:
    /// kill-worker, kill-ingest, tool-500, tool-429, refuse (the generic tenant's tool), restart-rabbitmq,
    /// restart-postgres, restart-redis (private services only). Default: the profile's.
    #[arg(long)]
    timetable: Option<String>,
    /// Seconds a killed process or a crashed service stays down before it is started again (a worker with
    /// a new id).
    #[arg(long, default_value_t = 3.0)]
    restart_after: f64,
    /// After the last send and the last fault: how long to wait for every accepted webhook to end in a note or
    /// a dead letter before the rest counts as lost.
    #[arg(long)]
    drain_secs: Option<u64>,
    /// `worker.lease_secs` of the workers.
    #[arg(long, default_value_t = 10)]
    lease_secs: u64,
    /// Where the enhancer-ingest and enhancer-worker binaries are.
    #[arg(long, env = "CHAOS_BIN_DIR")]
    bin_dir: Option<PathBuf>,
    /// Where the processes' logs go (default: a new temporary directory, kept).
    #[arg(long)]
    log_dir: Option<PathBuf>,
    /// Also write the figures as one JSON object to this file.
    #[arg(long)]
    json_out: Option<PathBuf>,
    /// --services shared: the PostgreSQL server.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
    pg_server: String,
    /// --services shared: the broker.
    #[arg(long, default_value = "amqp://guest:guest@127.0.0.1:5672/%2f")]
    amqp_url: String,
    /// --services shared: Redis.
    #[arg(long, default_value = "redis://127.0.0.1:6379")]
    redis_url: String,
}

/// The profile's defaults: webhooks, rate, timetable, drain.
fn profile_defaults(profile: Profile) -> (usize, f64, &'static str, u64) {
    match profile {
        // 80 s of sending, every fault starting while webhooks arrive. The worker kills come first and apart,
        // each with a few seconds of undisturbed throughput before it to measure against and none of the
        // tool windows after it (a kill inside a 500 window has no throughput to measure); the three
        // service crashes follow (RabbitMQ last: its boot takes about 10 s, and the backlog it leaves is
        // the largest); the tool windows last. The 60 s refusal and the 429 window outlast the sending, so
        // they also hit the retries of what came before.
        Profile::Default => (
            8_000,
            100.0,
            "kill-worker@5,kill-ingest@9,kill-worker@13,restart-redis@17,kill-worker@21,restart-postgres@27,\
             refuse@30+60,restart-rabbitmq@33,tool-500@48+20,tool-429@68+20",
            300,
        ),
        // 45 s of sending, every fault once, outages short enough that their retries (the 5 s, 5 s and 30 s
        // tiers) finish within the drain.
        Profile::Short => (
            900,
            20.0,
            "kill-worker@4,kill-ingest@8,restart-redis@11,restart-postgres@14,refuse@17+15,restart-rabbitmq@20,\
             tool-500@30+8,tool-429@37+8",
            120,
        ),
    }
}

/// The allocator the product's binaries use; the sender and the fake tool run here.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (webhooks, rate, default_timetable, drain) = profile_defaults(cli.profile);
    let webhooks = cli.webhooks.unwrap_or(webhooks);
    let rate = cli.rate.unwrap_or(rate);
    let mut timetable = faults::parse(cli.timetable.as_deref().unwrap_or(default_timetable))?;
    if cli.services == Services::Shared {
        anyhow::ensure!(
            cli.timetable.is_none() || !timetable.iter().any(|f| f.kind.is_service()),
            "service restarts need --services private: the shared services are never restarted"
        );
        timetable.retain(|f| !f.kind.is_service());
    }
    let drain = Duration::from_secs(cli.drain_secs.unwrap_or(drain));
    anyhow::ensure!(webhooks > 0 && rate > 0.0, "--webhooks and --rate must be positive");
    anyhow::ensure!(cli.lease_secs >= 3, "--lease-secs must be at least 3");
    let bin_dir = match &cli.bin_dir {
        Some(dir) => dir.clone(),
        None => PathBuf::from(std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into())).join("release"),
    };
    let log_dir = match &cli.log_dir {
        Some(dir) => dir.clone(),
        None => tempfile::Builder::new().prefix("chaos-").tempdir()?.keep(),
    };
    std::fs::create_dir_all(&log_dir)?;
    let prefix = format!("chaos{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    println!("chaos: prefix {prefix}, logs in {}", log_dir.display());

    // Filled as the run gets that far, for the teardown below, which runs however the run ends.
    let services: OnceLock<Arc<PrivateServices>> = OnceLock::new();
    let world: OnceLock<(world::World, world::Settings)> = OnceLock::new();
    let plan = Plan { webhooks, rate, timetable, drain, bin_dir, log_dir, prefix };
    let outcome = tokio::select! {
        outcome = session(&cli, &plan, &services, &world) => outcome,
        signal = interrupted() => Err(anyhow::anyhow!("chaos: interrupted by {signal}")),
    };
    // The session is over (or was dropped mid-way, its fault tasks aborted and its product processes killed
    // with it): remove what it made. The private services go whole; on shared ones, the run's queues, keys
    // and database.
    if let Some((world, settings)) = world.get() {
        if cli.services == Services::Shared {
            world.cleanup(settings).await;
        } else {
            world.pool.close().await;
        }
    }
    if let Some(services) = services.get() {
        services.teardown();
        println!("chaos: private services stopped and removed");
    }
    let report = outcome?;
    if let Some(path) = &cli.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&report.json)?)?;
    }
    if !report.all_met {
        anyhow::bail!("chaos: a target was missed");
    }
    Ok(())
}

/// The run's resolved settings.
struct Plan {
    webhooks: usize,
    rate: f64,
    timetable: Vec<Fault>,
    drain: Duration,
    bin_dir: PathBuf,
    log_dir: PathBuf,
    prefix: String,
}

/// SIGINT, SIGTERM or SIGHUP: the run stops and still tears down what it started.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term), Ok(mut hup)) =
        (signal(SignalKind::interrupt()), signal(SignalKind::terminate()), signal(SignalKind::hangup()))
    else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
        _ = hup.recv() => "SIGHUP",
    }
}

/// Services, world, processes, sending and faults, figures.
async fn session(
    cli: &Cli,
    plan: &Plan,
    services_cell: &OnceLock<Arc<PrivateServices>>,
    world_cell: &OnceLock<(world::World, world::Settings)>,
) -> anyhow::Result<figures::Report> {
    let (pg_server, amqp_url, redis_url, services) = match cli.services {
        Services::Private => {
            let services = Arc::new(PrivateServices::start(&plan.log_dir).await?);
            let _ = services_cell.set(Arc::clone(&services));
            (services.postgres.url(), services.rabbitmq.url(), services.redis.url(), Some(services))
        }
        Services::Shared => (cli.pg_server.clone(), cli.amqp_url.clone(), cli.redis_url.clone(), None),
    };
    let settings = world::Settings {
        pg_server: pg_server.trim_end_matches('/').to_owned(),
        amqp_url,
        redis_url,
        prefix: plan.prefix.clone(),
        lease_secs: cli.lease_secs,
    };
    let prepared = world::World::prepare(&settings).await?;
    let (world, settings) = world_cell.get_or_init(|| (prepared, settings));

    let mut procs = procs::Processes::new(&plan.bin_dir, &plan.log_dir, world.env(settings));
    procs.start_all().await?;
    let ingests = procs.ingest_urls();
    let procs = Arc::new(tokio::sync::Mutex::new(procs));

    let started = Instant::now();
    let restart_after = Duration::from_secs_f64(cli.restart_after);
    let targets = faults::Targets {
        procs: Arc::clone(&procs),
        tool: world.tool.clone(),
        refuse: Arc::clone(&world.refuse),
        services,
    };
    let fault_log = faults::spawn(plan.timetable.clone(), started, targets, restart_after);
    let sent = sender::send_all(&world.tenants, &ingests, plan.webhooks, plan.rate, started).await;
    let send_end = started.elapsed();
    let faults_end = plan.timetable.iter().map(|f| f.end() + restart_after).max().unwrap_or_default();
    let wait = faults_end.saturating_sub(started.elapsed());
    println!(
        "chaos: sent {} webhooks in {:.1} s; waiting {:.0} s for the last fault",
        sent.len(),
        send_end.as_secs_f64(),
        wait.as_secs_f64()
    );
    tokio::time::sleep(wait).await;
    let fault_log = fault_log.join().await;
    let drained = figures::drain(world, &sent, plan.drain).await?;
    let report = figures::report(world, &sent, &plan.timetable, &fault_log, started, send_end, drained).await?;
    procs.lock().await.stop_all().await;
    Ok(report)
}
