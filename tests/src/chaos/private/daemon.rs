//! A service run as a child of the chaos process (Redis, the RabbitMQ node): started in a process group of
//! its own, killed as a crash would kill it (SIGKILL to the whole group, so no helper process of the
//! Erlang VM survives it) and started again with the same command, port and data.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context as _;
use tokio::process::{Child, Command};

/// How to start one service; `port` is the one it listens on (its readiness).
#[derive(Debug)]
pub struct DaemonSpec {
    pub name: &'static str,
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
    /// stdout and stderr are appended here (kept with the run's logs).
    pub log: PathBuf,
    pub port: u16,
    /// A RabbitMQ node boots in about 10 s on an idle 2-core machine; a loaded one needs more.
    pub ready_within: Duration,
}

#[derive(Debug)]
pub struct Daemon {
    spec: DaemonSpec,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    child: Option<Child>,
    /// Set by the teardown: a restart still under way must not start the service again after it.
    torn_down: bool,
}

impl Daemon {
    pub fn new(spec: DaemonSpec) -> Daemon {
        Daemon { spec, state: Mutex::new(State::default()) }
    }

    pub fn port(&self) -> u16 {
        self.spec.port
    }

    /// Starts the service and waits until its port accepts connections.
    pub async fn start(&self) -> anyhow::Result<()> {
        {
            let mut state = self.lock();
            anyhow::ensure!(!state.torn_down, "{} was torn down", self.spec.name);
            let log = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.spec.log)
                .with_context(|| format!("open {}", self.spec.log.display()))?;
            let child = Command::new(&self.spec.program)
                .args(&self.spec.args)
                .envs(self.spec.env.iter().map(|(k, v)| (k, v)))
                .current_dir(&self.spec.cwd)
                .stdin(Stdio::null())
                .stdout(log.try_clone()?)
                .stderr(log)
                // Its own group: a Ctrl-C at the terminal reaches the chaos process only (which tears the
                // services down itself), and a kill of the group takes every helper process with it.
                .process_group(0)
                .spawn()
                .with_context(|| format!("start {} ({})", self.spec.name, self.spec.program.display()))?;
            state.child = Some(child);
        }
        let deadline = tokio::time::Instant::now() + self.spec.ready_within;
        loop {
            if tokio::net::TcpStream::connect(("127.0.0.1", self.spec.port)).await.is_ok() {
                return Ok(());
            }
            if let Some(child) = self.lock().child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                anyhow::bail!("{} exited during start-up ({status}); see {}", self.spec.name, self.spec.log.display());
            }
            anyhow::ensure!(
                tokio::time::Instant::now() < deadline,
                "{} did not open 127.0.0.1:{} within {:?}; see {}",
                self.spec.name,
                self.spec.port,
                self.spec.ready_within,
                self.spec.log.display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// SIGKILLs the service's process group and waits until its main process is gone (its port free).
    pub async fn kill(&self) -> anyhow::Result<()> {
        let child = self.lock().child.take();
        let Some(mut child) = child else { anyhow::bail!("{} is not running", self.spec.name) };
        if let Some(pid) = child.id() {
            kill_group(pid);
        }
        child.wait().await.with_context(|| format!("wait for {}", self.spec.name))?;
        Ok(())
    }

    /// A crash and a recovery: SIGKILL, `down_for`, then the same service again on the same port and data;
    /// returns once it accepts connections.
    pub async fn crash_and_restart(&self, down_for: Duration) -> anyhow::Result<()> {
        self.kill().await?;
        tokio::time::sleep(down_for).await;
        self.start().await
    }

    /// Synchronous, for the teardown (also from `Drop`): kills the group and forbids further starts.
    pub fn teardown(&self) {
        let mut state = self.lock();
        state.torn_down = true;
        if let Some(mut child) = state.child.take() {
            if let Some(pid) = child.id() {
                kill_group(pid);
            }
            // Reaped here when it is already gone; otherwise tokio reaps the orphan in the background.
            let _ = child.try_wait();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `kill -KILL -- -<pgid>`: the group was made with the child's pid as its id.
/// A service is never left running past its owner, also on an error or a panic.
impl Drop for Daemon {
    fn drop(&mut self) {
        self.teardown();
    }
}

fn kill_group(pid: u32) {
    let _ = std::process::Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
