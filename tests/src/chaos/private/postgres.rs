//! The run's own PostgreSQL: `initdb` into a temporary directory, one server on a free loopback port with
//! trust authentication, started and stopped with `pg_ctl`. A restart fault stops it the way a crash would
//! (`pg_ctl stop -m immediate`: no checkpoint, crash recovery at the next start) and starts it again on the
//! same port and data. PostgreSQL refuses to run as root; as root its commands run as the `postgres` user.

use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;

#[derive(Debug)]
pub struct Postgres {
    bin: PathBuf,
    /// Holds `data/` and the Unix socket; removed when the run ends.
    dir: tempfile::TempDir,
    log: PathBuf,
    port: u16,
    /// `Some((uid, gid))` of `postgres` when this process is root.
    run_as: Option<(u32, u32)>,
    torn_down: AtomicBool,
}

impl Postgres {
    /// `initdb`, then the first start.
    pub async fn start(log_dir: &Path, port: u16) -> anyhow::Result<Postgres> {
        let bin = bin_dir()?;
        let run_as = if std::fs::metadata("/proc/self")?.uid() == 0 { Some(postgres_user()?) } else { None };
        let dir = tempfile::Builder::new().prefix("chaos-postgres-").tempdir()?;
        let log = log_dir.join("postgres.log");
        std::fs::File::create(&log)?;
        if let Some((uid, gid)) = run_as {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))?;
            std::os::unix::fs::chown(&log, Some(uid), Some(gid))?;
        }
        let postgres = Postgres { bin, dir, log, port, run_as, torn_down: AtomicBool::new(false) };
        let data = postgres.data().display().to_string();
        // --no-sync: a throwaway cluster; trust: loopback only, a run of a few minutes.
        postgres.run("initdb", &["-D", &data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]).await?;
        postgres.start_server().await?;
        Ok(postgres)
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    async fn start_server(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.torn_down.load(Ordering::SeqCst), "PostgreSQL was torn down");
        let options = format!(
            // Loopback only, the socket in the run's directory (not the shared server's). fsync off: the
            // faults are process crashes, after which the OS still has every write, and a shared machine's
            // disk is not what this run measures. 200 connections: five processes with 10 each, restarts
            // overlapping with their predecessors' connections, and the run's own.
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={} -c fsync=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let data = self.data().display().to_string();
        self.run("pg_ctl", &["start", "-D", &data, "-w", "-t", "120", "-o", &options]).await
    }

    /// Stopped as by a crash, started again on the same port and data.
    pub async fn crash_and_restart(&self, down_for: std::time::Duration) -> anyhow::Result<()> {
        let data = self.data().display().to_string();
        self.run("pg_ctl", &["stop", "-D", &data, "-m", "immediate", "-w"]).await?;
        tokio::time::sleep(down_for).await;
        self.start_server().await
    }

    /// Synchronous, for the teardown (also from `Drop`): an immediate stop; the directory goes with `self`.
    pub fn teardown(&self) {
        if self.torn_down.swap(true, Ordering::SeqCst) {
            return;
        }
        let mut command = std::process::Command::new(self.bin.join("pg_ctl"));
        command.args(["stop", "-D"]).arg(self.data()).args(["-m", "immediate", "-w"]);
        command.current_dir(self.dir.path()).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::process::CommandExt::uid(&mut command, uid);
            std::os::unix::process::CommandExt::gid(&mut command, gid);
        }
        let _ = command.status();
    }

    async fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let log = std::fs::OpenOptions::new().append(true).open(&self.log)?;
        let mut command = tokio::process::Command::new(self.bin.join(program));
        // The server started by `pg_ctl start` inherits these: its log is the run's postgres.log.
        command.args(args).stdin(Stdio::null()).stdout(log.try_clone()?).stderr(log);
        // As `postgres`, the chaos process's own directory may not be readable.
        command.current_dir(self.dir.path());
        if let Some((uid, gid)) = self.run_as {
            command.uid(uid).gid(gid);
        }
        let status = command.status().await.with_context(|| format!("run {program}"))?;
        anyhow::ensure!(
            status.success(),
            "{program} {} exited with {status}; see {}",
            args.join(" "),
            self.log.display()
        );
        Ok(())
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.teardown();
    }
}

/// `CHAOS_PG_BIN`, else the newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), else `PATH`.
fn bin_dir() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("CHAOS_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let newest = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse::<u32>().ok()?, entry.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").exists())
        .max_by_key(|(version, _)| *version);
    if let Some((_, bin)) = newest {
        return Ok(bin);
    }
    let on_path = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).find(|dir| dir.join("initdb").exists()))
        .context("no PostgreSQL server binaries (initdb): set CHAOS_PG_BIN")?;
    Ok(on_path)
}

/// The uid and gid of the `postgres` user, from `id`.
fn postgres_user() -> anyhow::Result<(u32, u32)> {
    let id = |flag: &str| -> anyhow::Result<u32> {
        let out = std::process::Command::new("id").args([flag, "postgres"]).output()?;
        anyhow::ensure!(out.status.success(), "running as root needs a `postgres` user for the private PostgreSQL");
        Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
    };
    Ok((id("-u")?, id("-g")?))
}
