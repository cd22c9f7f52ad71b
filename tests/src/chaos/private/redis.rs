//! The run's own Redis: `redis-server` on a free loopback port without persistence, as
//! deploy/local/services.sh starts the machine's. A restart fault SIGKILLs it and starts it again on the
//! same port, empty: what ingest kept there (dedup markers, rate-limit buckets) is gone, as after a crash
//! of a cache without persistence.

use std::path::Path;
use std::time::Duration;

use super::daemon::{Daemon, DaemonSpec};

#[derive(Debug)]
pub struct Redis {
    /// Before `dir`: fields drop in order, so the server is dead before its directory goes. Crashed,
    /// restarted and torn down (also on drop) by the faults and the teardown.
    pub(super) daemon: Daemon,
    _dir: tempfile::TempDir,
}

impl Redis {
    pub async fn start(log_dir: &Path, port: u16) -> anyhow::Result<Redis> {
        let dir = tempfile::Builder::new().prefix("chaos-redis-").tempdir()?;
        let args = [
            "--bind",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            // No RDB snapshots and no AOF: a restart starts empty.
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            &dir.path().display().to_string(),
        ]
        .map(str::to_owned)
        .to_vec();
        let daemon = Daemon::new(DaemonSpec {
            name: "Redis",
            program: "redis-server".into(),
            args,
            env: Vec::new(),
            cwd: dir.path().to_owned(),
            log: log_dir.join("redis.log"),
            port,
            ready_within: Duration::from_secs(30),
        });
        daemon.start().await?;
        Ok(Redis { daemon, _dir: dir })
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.daemon.port())
    }
}
