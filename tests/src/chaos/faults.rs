//! The fault timetable: parsed from `kind@start[+duration]` entries, each run by a task of its own at its
//! time (faults may overlap), and what actually happened, with times, for the figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use enhancer_tests::fake_tool::{Failure, FakeTool};
use enhancer_tests::proxy::CuttableProxy;
use tokio::sync::Mutex;

use crate::procs::{Processes, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    KillWorker,
    KillIngest,
    /// Every note post answers 500.
    Tool500,
    /// Every note post answers 429 with `Retry-After: 5`.
    Tool429,
    /// The generic tenant's tool refuses connections (open ones are cut).
    Refuse,
    RestartRabbitmq,
    RestartPostgres,
    RestartRedis,
}

impl Kind {
    fn parse(word: &str) -> anyhow::Result<Kind> {
        Ok(match word {
            "kill-worker" => Kind::KillWorker,
            "kill-ingest" => Kind::KillIngest,
            "tool-500" => Kind::Tool500,
            "tool-429" => Kind::Tool429,
            "refuse" => Kind::Refuse,
            "restart-rabbitmq" => Kind::RestartRabbitmq,
            "restart-postgres" => Kind::RestartPostgres,
            "restart-redis" => Kind::RestartRedis,
            other => anyhow::bail!("unknown fault {other:?}"),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::KillWorker => "kill-worker",
            Kind::KillIngest => "kill-ingest",
            Kind::Tool500 => "tool-500",
            Kind::Tool429 => "tool-429",
            Kind::Refuse => "refuse",
            Kind::RestartRabbitmq => "restart-rabbitmq",
            Kind::RestartPostgres => "restart-postgres",
            Kind::RestartRedis => "restart-redis",
        }
    }

    pub fn is_service(self) -> bool {
        matches!(self, Kind::RestartRabbitmq | Kind::RestartPostgres | Kind::RestartRedis)
    }

    /// Whether the fault lasts a period (`+duration` required).
    fn is_window(self) -> bool {
        matches!(self, Kind::Tool500 | Kind::Tool429 | Kind::Refuse)
    }
}

#[derive(Debug, Clone)]
pub struct Fault {
    pub kind: Kind,
    pub start: Duration,
    /// Windows only.
    pub duration: Duration,
}

impl Fault {
    /// When the fault is over, restarts not counted.
    pub fn end(&self) -> Duration {
        self.start + self.duration
    }
}

pub fn parse(text: &str) -> anyhow::Result<Vec<Fault>> {
    let mut faults = Vec::new();
    for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (kind, when) = entry.split_once('@').ok_or_else(|| anyhow::anyhow!("{entry:?}: kind@start[+duration]"))?;
        let kind = Kind::parse(kind)?;
        let (start, duration) = match when.split_once('+') {
            Some((start, duration)) => (start.parse::<f64>()?, duration.parse::<f64>()?),
            None => (when.parse::<f64>()?, 0.0),
        };
        anyhow::ensure!(start >= 0.0 && duration >= 0.0, "{entry:?}: negative time");
        anyhow::ensure!(!kind.is_window() || duration > 0.0, "{entry:?}: a window needs +duration");
        faults.push(Fault { kind, start: Duration::from_secs_f64(start), duration: Duration::from_secs_f64(duration) });
    }
    faults.sort_by_key(|f| f.start);
    Ok(faults)
}

/// What a fault did, in seconds from the first send.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Happened {
    pub fault: &'static str,
    pub started_s: f64,
    /// When the disturbance was over: the window's end, or the moment a killed or restarted process was
    /// ready again.
    pub ended_s: f64,
    pub detail: String,
}

/// Runs every fault at its time; the handle yields what happened, in timetable order.
pub fn spawn(
    timetable: Vec<Fault>,
    started: Instant,
    procs: &Arc<Mutex<Processes>>,
    tool: &FakeTool,
    refuse: &Arc<CuttableProxy>,
    restart_after: Duration,
) -> tokio::task::JoinHandle<Vec<Happened>> {
    let tasks: Vec<_> = timetable
        .into_iter()
        .map(|fault| {
            let (procs, tool, refuse) = (Arc::clone(procs), tool.clone(), Arc::clone(refuse));
            tokio::spawn(async move {
                tokio::time::sleep((started + fault.start).saturating_duration_since(Instant::now())).await;
                let at = started.elapsed().as_secs_f64();
                let detail = match run(&fault, &procs, &tool, &refuse, restart_after).await {
                    Ok(detail) => detail,
                    Err(err) => format!("FAILED: {err:#}"),
                };
                let happened = Happened {
                    fault: fault.kind.name(),
                    started_s: at,
                    ended_s: started.elapsed().as_secs_f64(),
                    detail,
                };
                println!(
                    "chaos: {:>6.1} s {} ({}), over at {:.1} s",
                    at, happened.fault, happened.detail, happened.ended_s
                );
                happened
            })
        })
        .collect();
    tokio::spawn(async move {
        let mut happened = Vec::new();
        for task in tasks {
            if let Ok(h) = task.await {
                happened.push(h);
            }
        }
        happened
    })
}

async fn run(
    fault: &Fault,
    procs: &Mutex<Processes>,
    tool: &FakeTool,
    refuse: &CuttableProxy,
    restart_after: Duration,
) -> anyhow::Result<String> {
    match fault.kind {
        Kind::KillWorker | Kind::KillIngest => {
            let role = if fault.kind == Kind::KillWorker { Role::Worker } else { Role::Ingest };
            let slot = procs.lock().await.kill(role).await?;
            tokio::time::sleep(restart_after).await;
            procs.lock().await.restart(role, slot).await?;
            Ok(format!("{role:?} {} killed with SIGKILL, restarted", slot + 1))
        }
        Kind::Tool500 => {
            tool.fail_notes_for(Failure::status(500), fault.duration);
            tokio::time::sleep(fault.duration).await;
            Ok(format!("note posts answered 500 for {:.0} s", fault.duration.as_secs_f64()))
        }
        Kind::Tool429 => {
            tool.fail_notes_for(Failure::status(429).retry_after("5"), fault.duration);
            tokio::time::sleep(fault.duration).await;
            Ok(format!("note posts answered 429, Retry-After: 5, for {:.0} s", fault.duration.as_secs_f64()))
        }
        Kind::Refuse => {
            refuse.cut();
            tokio::time::sleep(fault.duration).await;
            refuse.restore();
            Ok(format!("chaos-generic's tool refused connections for {:.0} s", fault.duration.as_secs_f64()))
        }
        Kind::RestartRabbitmq => restart_service(&["rabbitmqctl", "stop"], 5672).await,
        Kind::RestartRedis => restart_service(&["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], 6379).await,
        Kind::RestartPostgres => {
            let version = std::fs::read_dir("/etc/postgresql")?
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .min()
                .ok_or_else(|| anyhow::anyhow!("no cluster under /etc/postgresql"))?;
            shell(&["pg_ctlcluster", "--skip-systemctl-redirect", &version, "main", "restart"]).await?;
            Ok(format!("PostgreSQL {version} restarted"))
        }
    }
}

/// Stops a service with `stop`, then starts it again the way deploy/local/services.sh does.
async fn restart_service(stop: &[&str], port: u16) -> anyhow::Result<String> {
    shell(stop).await?;
    shell(&["bash", "deploy/local/services.sh"]).await?;
    Ok(format!("{} then deploy/local/services.sh; port {port} open again", stop.join(" ")))
}

async fn shell(argv: &[&str]) -> anyhow::Result<()> {
    let status = tokio::process::Command::new(argv[0]).args(&argv[1..]).status().await?;
    anyhow::ensure!(status.success(), "{} exited with {status}", argv.join(" "));
    Ok(())
}
