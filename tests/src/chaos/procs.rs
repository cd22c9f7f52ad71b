//! The product's processes as children: two `enhancer-ingest` and three `enhancer-worker run`, each with its
//! own listen port (and worker id), all on the run's environment; killed with SIGKILL and started again on a
//! fault, their stderr appended to a log file each.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::Context as _;
use tokio::process::{Child, Command};

const INGESTS: usize = 2;
const WORKERS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Ingest,
    Worker,
}

#[derive(Debug)]
struct Proc {
    role: Role,
    slot: usize,
    port: u16,
    /// Where `/readyz` answers: ingest's admin listener, the worker's only one.
    ready_port: u16,
    /// Bumped on every restart: a restarted worker has a new `worker.id`.
    generation: u32,
    child: Option<Child>,
}

#[derive(Debug)]
pub struct Processes {
    bin_dir: PathBuf,
    log_dir: PathBuf,
    env: HashMap<String, String>,
    procs: Vec<Proc>,
    /// Which slot of each role the next kill hits (round robin).
    next_victim: HashMap<&'static str, usize>,
}

/// A loopback port free right now, for a process (or a private service) started next: one below the
/// kernel's ephemeral range (32768 and up on Linux), tried in turn from a start that differs per run. A port
/// the kernel picks for `bind(0)` is one it may also give the next outbound connection as its local end, and
/// one did take an ingest's port between the pick and the ingest's start (a CI run on 2026-12-03: "cannot
/// listen on 127.0.0.1:41137: Address already in use").
pub(crate) fn free_port() -> anyhow::Result<u16> {
    const FIRST: u32 = 20_000;
    const SPAN: u32 = 12_000;
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let start = std::process::id().wrapping_mul(7_919) % SPAN;
    for _ in 0..SPAN {
        let offset = (start + NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) % SPAN;
        let port = u16::try_from(FIRST + offset).expect("under 32768");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    anyhow::bail!("no free loopback port between {FIRST} and {}", FIRST + SPAN)
}

impl Processes {
    pub fn new(bin_dir: &Path, log_dir: &Path, env: HashMap<String, String>) -> Processes {
        Processes {
            bin_dir: bin_dir.to_owned(),
            log_dir: log_dir.to_owned(),
            env,
            procs: Vec::new(),
            next_victim: HashMap::new(),
        }
    }

    /// Starts every process and waits until each answers `/readyz`.
    pub async fn start_all(&mut self) -> anyhow::Result<()> {
        for slot in 0..INGESTS {
            let (port, ready_port) = (free_port()?, free_port()?);
            self.procs.push(Proc { role: Role::Ingest, slot, port, ready_port, generation: 0, child: None });
        }
        for slot in 0..WORKERS {
            let port = free_port()?;
            self.procs.push(Proc { role: Role::Worker, slot, port, ready_port: port, generation: 0, child: None });
        }
        for index in 0..self.procs.len() {
            self.spawn(index)?;
        }
        for index in 0..self.procs.len() {
            self.wait_ready(index, Duration::from_secs(60)).await?;
        }
        Ok(())
    }

    pub fn ingest_urls(&self) -> Vec<String> {
        self.procs.iter().filter(|p| p.role == Role::Ingest).map(|p| format!("http://127.0.0.1:{}", p.port)).collect()
    }

    fn spawn(&mut self, index: usize) -> anyhow::Result<()> {
        let proc = &mut self.procs[index];
        let (binary, name, mut command) = match proc.role {
            Role::Ingest => {
                let binary = self.bin_dir.join("enhancer-ingest");
                let mut command = Command::new(&binary);
                command.env("ENHANCER_INGEST__LISTEN", format!("127.0.0.1:{}", proc.port));
                // Its own admin port too (the default, 9091, is one for the machine).
                command.env("ENHANCER_INGEST__ADMIN_LISTEN", format!("127.0.0.1:{}", proc.ready_port));
                (binary, format!("ingest-{}", proc.slot + 1), command)
            }
            Role::Worker => {
                let binary = self.bin_dir.join("enhancer-worker");
                let mut command = Command::new(&binary);
                let id = format!("chaos-worker-{}-{}", proc.slot + 1, proc.generation);
                command.arg("run").env("ENHANCER_WORKER__LISTEN", format!("127.0.0.1:{}", proc.port));
                command.env("ENHANCER_WORKER__ID", &id);
                (binary, id, command)
            }
        };
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log_dir.join(format!("{name}.log")))
            .context("open a process log")?;
        command.envs(&self.env).stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log).kill_on_drop(true);
        let child = command.spawn().with_context(|| format!("start {}", binary.display()))?;
        proc.child = Some(child);
        Ok(())
    }

    async fn wait_ready(&mut self, index: usize, within: Duration) -> anyhow::Result<()> {
        let url = format!("http://127.0.0.1:{}/readyz", self.procs[index].ready_port);
        let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build()?;
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if client.get(&url).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            if let Some(child) = self.procs[index].child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                anyhow::bail!(
                    "{:?} {} exited during start-up: {status}",
                    self.procs[index].role,
                    self.procs[index].slot + 1
                );
            }
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "{url} not ready within {within:?}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// SIGKILLs the next process of `role` (round robin); returns its slot.
    pub async fn kill(&mut self, role: Role) -> anyhow::Result<usize> {
        let key = if role == Role::Ingest { "ingest" } else { "worker" };
        let count = if role == Role::Ingest { INGESTS } else { WORKERS };
        let next = self.next_victim.entry(key).or_default();
        let slot = *next % count;
        *next += 1;
        let index = self.index(role, slot);
        if let Some(mut child) = self.procs[index].child.take() {
            // tokio's kill is SIGKILL: no drain, no released claims, connections cut by the kernel.
            child.kill().await.context("kill -9")?;
        }
        Ok(slot)
    }

    /// Starts `role`'s process in `slot` again (a worker with a new id) and waits until it is ready.
    pub async fn restart(&mut self, role: Role, slot: usize) -> anyhow::Result<()> {
        let index = self.index(role, slot);
        self.procs[index].generation += 1;
        self.spawn(index)?;
        self.wait_ready(index, Duration::from_secs(60)).await
    }

    fn index(&self, role: Role, slot: usize) -> usize {
        self.procs.iter().position(|p| p.role == role && p.slot == slot).expect("a known process")
    }

    /// SIGTERM to everything still running, then wait (a worker drains for its grace).
    pub async fn stop_all(&mut self) {
        for proc in &mut self.procs {
            if let Some(child) = proc.child.as_mut()
                && let Some(pid) = child.id()
            {
                let _ = Command::new("kill").arg("-TERM").arg(pid.to_string()).status().await;
            }
        }
        for proc in &mut self.procs {
            if let Some(mut child) = proc.child.take()
                && tokio::time::timeout(Duration::from_secs(15), child.wait()).await.is_err()
            {
                let _ = child.kill().await;
            }
        }
    }
}
