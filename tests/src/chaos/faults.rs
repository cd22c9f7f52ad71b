//! The fault timetable: parsed from `kind@start[+duration]` entries, each run by a task of its own at its
//! time (faults may overlap), and what actually happened, with times, for the figures.

use std::sync::Arc;
use std::time::{Duration, Instant};

use enhancer_tests::fake_tool::{Failure, FakeTool};
use enhancer_tests::proxy::CuttableProxy;
use tokio::sync::Mutex;
use tokio::task::JoinSet;

use crate::private::PrivateServices;
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
    /// The run's own RabbitMQ node SIGKILLed, booted again after the restart delay.
    RestartRabbitmq,
    /// The run's own PostgreSQL stopped with `-m immediate` (a crash), started again after the delay.
    RestartPostgres,
    /// The run's own Redis SIGKILLed, started again empty after the delay.
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

/// What the faults act on.
pub struct Targets {
    pub procs: Arc<Mutex<Processes>>,
    pub tool: FakeTool,
    pub refuse: Arc<CuttableProxy>,
    /// The run's own services; `None` on shared ones (no restart faults then).
    pub services: Option<Arc<PrivateServices>>,
}

/// The running timetable. Dropped before [`Running::join`], it aborts every fault still under way, so an
/// interrupted run restarts nothing after its teardown.
pub struct Running {
    set: JoinSet<(usize, Happened)>,
}

impl Running {
    /// Waits for every fault to be over; what happened, in timetable order.
    pub async fn join(mut self) -> Vec<Happened> {
        let mut happened = Vec::new();
        while let Some(done) = self.set.join_next().await {
            if let Ok(entry) = done {
                happened.push(entry);
            }
        }
        happened.sort_by_key(|(index, _)| *index);
        happened.into_iter().map(|(_, h)| h).collect()
    }
}

/// Runs every fault at its time, each in a task of its own.
pub fn spawn(timetable: Vec<Fault>, started: Instant, targets: Targets, restart_after: Duration) -> Running {
    let targets = Arc::new(targets);
    let mut set = JoinSet::new();
    for (index, fault) in timetable.into_iter().enumerate() {
        let targets = Arc::clone(&targets);
        set.spawn(async move {
            tokio::time::sleep((started + fault.start).saturating_duration_since(Instant::now())).await;
            let at = started.elapsed().as_secs_f64();
            let detail = match run(&fault, &targets, restart_after).await {
                Ok(detail) => detail,
                Err(err) => format!("FAILED: {err:#}"),
            };
            let happened =
                Happened { fault: fault.kind.name(), started_s: at, ended_s: started.elapsed().as_secs_f64(), detail };
            println!(
                "chaos: {:>6.1} s {} ({}), over at {:.1} s",
                at, happened.fault, happened.detail, happened.ended_s
            );
            (index, happened)
        });
    }
    Running { set }
}

async fn run(fault: &Fault, targets: &Targets, restart_after: Duration) -> anyhow::Result<String> {
    match fault.kind {
        Kind::KillWorker | Kind::KillIngest => {
            let role = if fault.kind == Kind::KillWorker { Role::Worker } else { Role::Ingest };
            let slot = targets.procs.lock().await.kill(role).await?;
            tokio::time::sleep(restart_after).await;
            targets.procs.lock().await.restart(role, slot).await?;
            Ok(format!("{role:?} {} killed with SIGKILL, restarted", slot + 1))
        }
        Kind::Tool500 => {
            targets.tool.fail_notes_for(Failure::status(500), fault.duration);
            tokio::time::sleep(fault.duration).await;
            Ok(format!("note posts answered 500 for {:.0} s", fault.duration.as_secs_f64()))
        }
        Kind::Tool429 => {
            targets.tool.fail_notes_for(Failure::status(429).retry_after("5"), fault.duration);
            tokio::time::sleep(fault.duration).await;
            Ok(format!("note posts answered 429, Retry-After: 5, for {:.0} s", fault.duration.as_secs_f64()))
        }
        Kind::Refuse => {
            targets.refuse.cut();
            tokio::time::sleep(fault.duration).await;
            targets.refuse.restore();
            Ok(format!("chaos-generic's tool refused connections for {:.0} s", fault.duration.as_secs_f64()))
        }
        Kind::RestartRabbitmq | Kind::RestartPostgres | Kind::RestartRedis => {
            let services = targets.services.as_ref().ok_or_else(|| anyhow::anyhow!("no private services"))?;
            services.restart(fault.kind, restart_after).await
        }
    }
}
