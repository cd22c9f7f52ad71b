//! `loadgen`: the ingest benchmark's load generator (docs/BENCHMARKS.md). Sends uniquely signed webhooks to
//! `POST /webhooks/{tenant}` flat out or at a fixed rate, measures the broker ceiling with a minimal lapin
//! publisher, and purges or deletes the benchmark's queues. Results go to stdout, as text or one JSON object.

mod ceiling;
mod http_load;
mod payload;
mod procstat;
mod queues;
mod raw_http;
mod stats;

use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::http_load::{Target, Window};
use crate::payload::Tool;
use crate::procstat::SchedTimes;

#[derive(Debug, Parser)]
#[command(name = "loadgen", about = "Load generator and broker ceiling for the ingest benchmark")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Drive `POST /webhooks/{tenant}`: flat out (`--connections`) or open-loop (`--rate`).
    Http(HttpArgs),
    /// A minimal confirmed lapin publisher to `{prefix}.jobs`: the throughput ingest is compared with.
    Ceiling(CeilingArgs),
    /// Empty `{prefix}.jobs`.
    Purge(QueueArgs),
    /// Delete every queue of the `{prefix}` topology.
    Delete(QueueArgs),
    /// Print the `--secrets-file` document of a benchmark tenant of `--tool` (placeholder API credentials).
    TenantSecrets {
        #[arg(long, value_parser = payload::parse_tool)]
        tool: Tool,
        /// The webhook secret the requests will be signed with.
        #[arg(long, env = "LOADGEN_SECRET", hide_env_values = true)]
        secret: String,
    },
}

#[derive(Debug, Args)]
struct Timing {
    /// Seconds measured.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Seconds of load before measuring starts (not recorded).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

impl Timing {
    fn window(&self) -> anyhow::Result<Window> {
        anyhow::ensure!(
            self.duration > 0.0 && self.warmup >= 0.0,
            "--duration must be positive, --warmup not negative"
        );
        Ok(Window { warmup: Duration::from_secs_f64(self.warmup), measure: Duration::from_secs_f64(self.duration) })
    }
}

#[derive(Debug, Args)]
struct HttpArgs {
    /// Ingest's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    url: String,
    #[arg(long)]
    tenant: String,
    /// The tool whose webhooks to sign (any tool with a plugin).
    #[arg(long, value_parser = payload::parse_tool, default_value = "generic")]
    tool: Tool,
    /// The tenant's webhook secret (default: the test helpers' secret for the tool).
    #[arg(long, env = "LOADGEN_SECRET", hide_env_values = true)]
    secret: Option<String>,
    /// Requests per second on a fixed schedule (open loop); without it, flat out.
    #[arg(long, conflicts_with = "connections")]
    rate: Option<f64>,
    /// Concurrent connections when flat out.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    #[command(flatten)]
    timing: Timing,
}

#[derive(Debug, Args)]
struct CeilingArgs {
    #[arg(
        long,
        env = "ENHANCER_AMQP__URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f",
        hide_env_values = true
    )]
    amqp_url: String,
    /// Queue prefix: publishes to `{prefix}.jobs`, declared with the project's topology.
    #[arg(long)]
    prefix: String,
    /// Publisher confirms outstanding at once.
    #[arg(long, default_value_t = 64)]
    in_flight: usize,
    /// Publish at this many messages per second instead (the broker's confirm latency at a rate).
    #[arg(long, conflicts_with = "in_flight")]
    rate: Option<f64>,
    /// Whose job message to publish (its size and shape).
    /// The tool whose webhooks to sign (any tool with a plugin).
    #[arg(long, value_parser = payload::parse_tool, default_value = "generic")]
    tool: Tool,
    #[command(flatten)]
    timing: Timing,
}

#[derive(Debug, Args)]
struct QueueArgs {
    #[arg(
        long,
        env = "ENHANCER_AMQP__URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f",
        hide_env_values = true
    )]
    amqp_url: String,
    #[arg(long)]
    prefix: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Http(args) => http(args).await,
        Command::Ceiling(args) => {
            let url = SecretString::from(args.amqp_url);
            let pace = args.rate.map_or(ceiling::Pace::InFlight(args.in_flight), ceiling::Pace::Rate);
            let run = ceiling::run(&url, &args.prefix, args.tool, pace, args.timing.window()?).await?;
            report(run.to_json(), || run.print(), args.timing.json);
            Ok(())
        }
        Command::Purge(args) => {
            let purged = queues::purge_jobs(&SecretString::from(args.amqp_url), &args.prefix).await?;
            println!("purged {purged} messages from {}.jobs", args.prefix);
            Ok(())
        }
        Command::Delete(args) => {
            queues::delete_all(&SecretString::from(args.amqp_url), &args.prefix).await?;
            println!("deleted the {} queues", args.prefix);
            Ok(())
        }
        Command::TenantSecrets { tool, secret } => {
            println!("{}", enhancer_tests::tool_webhooks::secrets(tool, &secret));
            Ok(())
        }
    }
}

async fn http(args: HttpArgs) -> anyhow::Result<()> {
    let window = args.timing.window()?;
    let secret = args.secret.unwrap_or_else(|| enhancer_tests::tool_webhooks::default_secret(args.tool).to_owned());
    // The client's pool grows to the requests in flight at once: `connections` flat out, whatever the
    // answers' latency needs in open loop.
    let target = Arc::new(Target::new(&args.url, &args.tenant, args.tool, secret)?);
    let run = match args.rate {
        Some(rate) => http_load::open_loop(target, rate, window).await?,
        None => http_load::flat_out(target, args.connections, window).await,
    };
    report(run.to_json(), || run.print(), args.timing.json);
    Ok(())
}

/// Prints a run's report, with this process's own CPU time and time spent waiting for a CPU (warm-up included).
fn report(mut json: serde_json::Value, print: impl FnOnce(), as_json: bool) {
    let sched = SchedTimes::of_this_process();
    if as_json {
        json["loadgen"] = sched.map(SchedTimes::to_json).unwrap_or_default();
        println!("{json}");
    } else {
        print();
        if let Some(sched) = sched {
            println!(
                "  loadgen itself: {:.1} s on a CPU, {:.1} s waiting for one",
                sched.running.as_secs_f64(),
                sched.waiting.as_secs_f64()
            );
        }
    }
}
