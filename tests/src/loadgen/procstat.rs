//! This process's own scheduler statistics (Linux `/proc/self/task/*/schedstat`): the time its threads ran on
//! a CPU and the time they were runnable but waited for one. On a 2-core machine shared by the load generator,
//! ingest, the broker and Redis, the waiting time is part of every latency the generator measures.

use std::time::Duration;

use serde_json::{Value, json};

/// Time on a CPU and time waiting for one, summed over the threads alive now.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchedTimes {
    pub running: Duration,
    pub waiting: Duration,
}

impl SchedTimes {
    /// `None` where the kernel does not expose per-thread schedstat.
    pub fn of_this_process() -> Option<SchedTimes> {
        let mut total = SchedTimes::default();
        for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
            let Ok(line) = std::fs::read_to_string(task.path().join("schedstat")) else { continue };
            let mut fields = line.split_whitespace().map(|field| field.parse::<u64>().unwrap_or(0));
            total.running += Duration::from_nanos(fields.next().unwrap_or(0));
            total.waiting += Duration::from_nanos(fields.next().unwrap_or(0));
        }
        Some(total)
    }

    pub fn to_json(self) -> Value {
        let round = |d: Duration| (d.as_secs_f64() * 1000.0).round() / 1000.0;
        json!({"cpu_s": round(self.running), "cpu_wait_s": round(self.waiting)})
    }
}
