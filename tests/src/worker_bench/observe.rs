//! What the machine did during a measured window: CPU seconds by process (this one, PostgreSQL, RabbitMQ,
//! Redis, everything else), this process's memory, the worker's database pool, what the database's
//! sessions were waiting on, and the database's own counters.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use sqlx::PgPool;
use tokio::sync::watch;

/// This process's memory from `/proc/self/status`, in KiB: (`VmRSS`, `VmHWM`).
pub fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// CPU ticks used so far, by process.
#[derive(Debug, Clone, Default)]
pub struct CpuSnapshot {
    /// pid -> (command name, user + system ticks).
    processes: HashMap<u32, (String, u64)>,
    /// All CPUs: busy ticks (everything but idle and iowait), of which interrupt handling (`irq`,
    /// `softirq`: loopback TCP is processed there and charged to no process) and `steal` (the hypervisor).
    busy: u64,
    interrupts: u64,
    steal: u64,
    total: u64,
}

impl CpuSnapshot {
    pub fn take() -> CpuSnapshot {
        let mut processes = HashMap::new();
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
                let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
                // `pid (comm) state ...`: the name may hold spaces, so split at the last parenthesis.
                let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
                let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
                // Fields 14 and 15 of the line (utime, stime) are 11 and 12 after the state field.
                let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
                processes.insert(pid, (stat[open + 1..close].to_owned(), ticks(11) + ticks(12)));
            }
        }
        let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let cpu: Vec<u64> =
            stat.lines().next().unwrap_or_default().split_whitespace().skip(1).filter_map(|v| v.parse().ok()).collect();
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        let at = |i: usize| cpu.get(i).copied().unwrap_or(0);
        let total: u64 = cpu.iter().take(8).sum();
        CpuSnapshot {
            processes,
            busy: total.saturating_sub(at(3) + at(4)),
            interrupts: at(5) + at(6),
            steal: at(7),
            total,
        }
    }

    /// CPU seconds between `self` and `later`, grouped; processes that started in between count whole.
    pub fn since(&self, later: &CpuSnapshot) -> CpuUse {
        let hz = 100.0; // USER_HZ: 100 on every Linux this runs on.
        let me = std::process::id();
        let mut groups: BTreeMap<&'static str, f64> = BTreeMap::new();
        let mut known = 0.0;
        for (pid, (comm, ticks)) in &later.processes {
            let before = self.processes.get(pid).filter(|(c, _)| c == comm).map_or(0, |(_, t)| *t);
            let group = match comm.as_str() {
                _ if *pid == me => "worker-bench",
                "postgres" => "postgres",
                "beam.smp" | "erl_child_setup" | "inet_gethost" | "epmd" => "rabbitmq",
                "redis-server" => "redis",
                _ => continue,
            };
            let seconds = ticks.saturating_sub(before) as f64 / hz;
            *groups.entry(group).or_default() += seconds;
            known += seconds;
        }
        let busy = later.busy.saturating_sub(self.busy) as f64 / hz;
        let interrupts = later.interrupts.saturating_sub(self.interrupts) as f64 / hz;
        let steal = later.steal.saturating_sub(self.steal) as f64 / hz;
        groups.insert("irq+softirq", interrupts);
        groups.insert("steal", steal);
        groups.insert("other processes", (busy - known - interrupts - steal).max(0.0));
        CpuUse { groups, busy, capacity: later.total.saturating_sub(self.total) as f64 / hz }
    }
}

#[derive(Debug, Clone)]
pub struct CpuUse {
    pub groups: BTreeMap<&'static str, f64>,
    pub busy: f64,
    /// CPU seconds the machine had in the window (wall time x cores).
    pub capacity: f64,
}

impl CpuUse {
    pub fn table(&self) -> String {
        let mut out = format!("{:<16} {:>8} {:>7}\n", "process", "cpu s", "share");
        for (group, seconds) in &self.groups {
            out.push_str(&format!("{group:<16} {seconds:>8.1} {:>6.0}%\n", 100.0 * seconds / self.capacity.max(1e-9)));
        }
        out.push_str(&format!(
            "{:<16} {:>8.1} {:>6.0}% of {:.1} cpu s\n",
            "machine busy",
            self.busy,
            100.0 * self.busy / self.capacity.max(1e-9),
            self.capacity
        ));
        out
    }

    pub fn to_json(&self) -> Value {
        json!({"seconds": self.groups, "busy": self.busy, "capacity": self.capacity})
    }
}

/// Samples taken while the worker runs.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    pub peak_rss_kib: u64,
    /// Connections of the worker's pool in use: sum and count of samples, and the maximum seen.
    pool_in_use_sum: u64,
    pool_samples: u64,
    pub pool_in_use_max: u32,
    /// `state / wait_event_type:wait_event` of the database's sessions -> times seen.
    pub waits: BTreeMap<String, u64>,
    pub wait_samples: u64,
}

impl Samples {
    pub fn pool_in_use_mean(&self) -> f64 {
        self.pool_in_use_sum as f64 / self.pool_samples.max(1) as f64
    }

    pub fn to_json(&self) -> Value {
        json!({
            "peak_rss_kib": self.peak_rss_kib,
            "pool_in_use_mean": self.pool_in_use_mean(),
            "pool_in_use_max": self.pool_in_use_max,
            "db_session_waits": self.waits,
            "db_wait_samples": self.wait_samples,
        })
    }

    /// The database's sessions, as a share of samples: how many sessions were in each state on average.
    pub fn waits_table(&self) -> String {
        let mut rows: Vec<_> = self.waits.iter().collect();
        rows.sort_by(|a, b| b.1.cmp(a.1));
        let mut out = format!("{:<52} {:>9}\n", "db sessions: state / wait", "mean n");
        for (wait, seen) in rows.into_iter().take(10) {
            out.push_str(&format!("{wait:<52} {:>9.2}\n", *seen as f64 / self.wait_samples.max(1) as f64));
        }
        out
    }
}

/// Samples memory and the worker's pool every 100 ms and the database's sessions every 500 ms until
/// `stop` flips; the result is in the returned handle.
pub fn sample(worker_pool: PgPool, own: PgPool, database: String, mut stop: watch::Receiver<bool>) -> SampleTask {
    let samples = Arc::new(Mutex::new(Samples::default()));
    let out = Arc::clone(&samples);
    let handle = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        let mut n: u64 = 0;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => break,
            }
            let in_use = worker_pool.size().saturating_sub(u32::try_from(worker_pool.num_idle()).unwrap_or(0));
            {
                let mut s = out.lock().expect("samples lock");
                s.peak_rss_kib = s.peak_rss_kib.max(memory_kib().0);
                s.pool_in_use_sum += u64::from(in_use);
                s.pool_samples += 1;
                s.pool_in_use_max = s.pool_in_use_max.max(in_use);
            }
            n += 1;
            if n.is_multiple_of(5) {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    "SELECT coalesce(state, '?'), coalesce(wait_event_type || ':' || wait_event, '-') \
                     FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                )
                .bind(&database)
                .fetch_all(&own)
                .await
                .unwrap_or_default();
                let mut s = out.lock().expect("samples lock");
                s.wait_samples += 1;
                for (state, wait) in rows {
                    *s.waits.entry(format!("{state} / {wait}")).or_default() += 1;
                }
            }
        }
    });
    SampleTask { handle, samples }
}

#[derive(Debug)]
pub struct SampleTask {
    handle: tokio::task::JoinHandle<()>,
    samples: Arc<Mutex<Samples>>,
}

impl SampleTask {
    pub async fn finish(self) -> Samples {
        let _ = self.handle.await;
        self.samples.lock().expect("samples lock").clone()
    }
}

/// The database's counters (`pg_stat_database` for it, `pg_stat_wal` for the server).
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct DbCounters {
    pub xact_commit: i64,
    pub tup_inserted: i64,
    pub tup_updated: i64,
    pub wal_records: i64,
    pub wal_bytes: i64,
    pub wal_sync: i64,
    /// Index and sequential scans of `tenant_configs` (tenant lookups and foreign-key checks).
    pub tenant_scans: i64,
    /// Updates of `enhancement_history` that needed no new index entries.
    pub history_hot_updates: i64,
}

impl DbCounters {
    pub async fn read(pool: &PgPool, database: &str) -> DbCounters {
        sqlx::query_as(
            "SELECT d.xact_commit, d.tup_inserted, d.tup_updated, w.wal_records, w.wal_bytes::bigint AS wal_bytes, \
                    w.wal_sync, \
                    (SELECT coalesce(sum(coalesce(idx_scan, 0) + seq_scan), 0)::bigint FROM pg_stat_user_tables \
                     WHERE relname = 'tenant_configs') AS tenant_scans, \
                    (SELECT coalesce(sum(n_tup_hot_upd), 0)::bigint FROM pg_stat_user_tables \
                     WHERE relname = 'enhancement_history') AS history_hot_updates \
             FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = $1",
        )
        .bind(database)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|err| {
            eprintln!("worker-bench: cannot read the database's counters: {err}");
            DbCounters::default()
        })
    }

    /// Per job, between `self` and `later` (statistics are flushed lazily: read after the pool went idle).
    pub fn per_job(&self, later: &DbCounters, jobs: u64) -> Value {
        let per = |a: i64, b: i64| ((b - a) as f64 / jobs.max(1) as f64 * 100.0).round() / 100.0;
        json!({
            "commits": per(self.xact_commit, later.xact_commit),
            "rows_inserted": per(self.tup_inserted, later.tup_inserted),
            "rows_updated": per(self.tup_updated, later.tup_updated),
            "wal_records": per(self.wal_records, later.wal_records),
            "wal_bytes": per(self.wal_bytes, later.wal_bytes),
            "wal_syncs": per(self.wal_sync, later.wal_sync),
            "tenant_configs_scans": per(self.tenant_scans, later.tenant_scans),
            "history_hot_updates": per(self.history_hot_updates, later.history_hot_updates),
        })
    }
}
