//! Driving `POST /webhooks/{tenant}`: flat out with a fixed number of connections, or open-loop at a target
//! rate. Open-loop sends are scheduled on a fixed timetable by a dedicated OS thread and each latency is
//! measured from its scheduled time, so a slow answer delays no later send and is not hidden by one
//! (coordinated omission). The thread sleeps with `std::thread::sleep` (tens of microseconds of jitter)
//! rather than tokio's timer, whose millisecond ticks would add up to a millisecond to every send.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::payload::{RequestFactory, Tool};
use crate::raw_http::RawClient;
use crate::stats::Recorder;

/// Where and what to send.
#[derive(Debug)]
pub struct Target {
    pub client: RawClient,
    pub factory: RequestFactory,
    pub tool: Tool,
}

impl Target {
    pub fn new(base_url: &str, tenant: &str, tool: Tool, secret: String) -> anyhow::Result<Self> {
        let url = format!("{}/webhooks/{tenant}", base_url.trim_end_matches('/'));
        // A stuck request is counted as a transport error, not waited on forever.
        let client = RawClient::new(&url, Duration::from_secs(10))?;
        Ok(Self { client, factory: RequestFactory::new(tool, secret)?, tool })
    }

    /// Signs and sends one request; returns the outcome label and when the request left (after signing).
    async fn send(&self) -> (String, Instant) {
        let request = self.factory.next();
        let sent = Instant::now();
        let outcome = match self.client.post(&request).await {
            Ok(status) => status.to_string(),
            Err(_) => "transport_error".to_owned(),
        };
        (outcome, sent)
    }
}

/// A warm-up (sent, not recorded: connections open, the tenant cache fills) followed by the measured window.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub warmup: Duration,
    pub measure: Duration,
}

/// The measured window of one HTTP run.
#[derive(Debug)]
pub struct HttpRun {
    pub mode: &'static str,
    pub tool: Tool,
    pub connections: Option<usize>,
    pub rate: Option<f64>,
    pub measure: Duration,
    /// Latency per request: from its scheduled time (open-loop) or from when it was sent (flat out).
    pub latency: Recorder,
    /// Open-loop only: from when the request actually left to its answer (the server's part).
    pub service: Option<Recorder>,
    /// Open-loop only: how late each request left after its scheduled time (the generator's own lag).
    pub lag: Option<Recorder>,
}

/// `connections` tasks, each sending its next request as soon as the previous one is answered.
pub async fn flat_out(target: Arc<Target>, connections: usize, window: Window) -> HttpRun {
    let measure_from = Instant::now() + window.warmup;
    let end = measure_from + window.measure;
    let mut tasks = JoinSet::new();
    for _ in 0..connections.max(1) {
        let target = Arc::clone(&target);
        tasks.spawn(async move {
            let mut recorder = Recorder::default();
            loop {
                let began = Instant::now();
                if began >= end {
                    return recorder;
                }
                let (outcome, _) = target.send().await;
                if began >= measure_from {
                    recorder.record(&outcome, began.elapsed());
                }
            }
        });
    }
    let mut latency = Recorder::default();
    while let Some(joined) = tasks.join_next().await {
        latency.merge(joined.expect("a load task never panics"));
    }
    HttpRun {
        mode: "flat_out",
        tool: target.tool,
        connections: Some(connections),
        rate: None,
        measure: window.measure,
        latency,
        service: None,
        lag: None,
    }
}

/// One open-loop request's timings.
struct Sample {
    outcome: String,
    scheduled: Instant,
    sent: Instant,
    answered: Instant,
}

/// `per_second` requests on a fixed timetable, whatever the answers do.
pub async fn open_loop(target: Arc<Target>, per_second: f64, window: Window) -> anyhow::Result<HttpRun> {
    anyhow::ensure!(per_second > 0.0, "--rate must be positive");
    let warmup_count = (window.warmup.as_secs_f64() * per_second).round() as u64;
    let measured_count = (window.measure.as_secs_f64() * per_second).round() as u64;
    let (tx, mut rx) = mpsc::unbounded_channel::<Sample>();
    let runtime = tokio::runtime::Handle::current();
    let pacer_target = Arc::clone(&target);
    let pacer = std::thread::Builder::new().name("loadgen-pacer".into()).spawn(move || {
        let start = Instant::now() + Duration::from_millis(10);
        for i in 0..warmup_count + measured_count {
            // From the start each time, so rounding never accumulates into drift.
            let scheduled = start + Duration::from_secs_f64(i as f64 / per_second);
            let now = Instant::now();
            if scheduled > now {
                std::thread::sleep(scheduled - now);
            }
            let (target, tx) = (Arc::clone(&pacer_target), tx.clone());
            let measured = i >= warmup_count;
            runtime.spawn(async move {
                let (outcome, sent) = target.send().await;
                if measured {
                    let _ = tx.send(Sample { outcome, scheduled, sent, answered: Instant::now() });
                }
            });
        }
    })?;
    let (mut latency, mut service, mut lag) = (Recorder::default(), Recorder::default(), Recorder::default());
    // Ends when the pacer and every request task have dropped their senders.
    while let Some(sample) = rx.recv().await {
        latency.record(&sample.outcome, sample.answered - sample.scheduled);
        service.record(&sample.outcome, sample.answered - sample.sent);
        lag.record("sent", sample.sent.saturating_duration_since(sample.scheduled));
    }
    pacer.join().map_err(|_| anyhow::anyhow!("the pacer thread panicked"))?;
    Ok(HttpRun {
        mode: "rate",
        tool: target.tool,
        connections: None,
        rate: Some(per_second),
        measure: window.measure,
        latency,
        service: Some(service),
        lag: Some(lag),
    })
}

impl HttpRun {
    pub fn accepted_per_second(&self) -> f64 {
        self.latency.count("202") as f64 / self.measure.as_secs_f64()
    }

    pub fn to_json(&self) -> Value {
        let accepted_per_s = (self.accepted_per_second() * 10.0).round() / 10.0;
        let mut report = json!({
            "mode": self.mode,
            "tool": self.tool.as_str(),
            "connections": self.connections,
            "rate": self.rate,
            "duration_s": self.measure.as_secs_f64(),
            "requests": self.latency.total(),
            "accepted": self.latency.count("202"),
            "accepted_per_s": accepted_per_s,
            "outcomes": self.latency.outcomes(),
            "latency_ms": self.latency.latency().to_json(),
        });
        if let Some(service) = &self.service {
            report["service_ms"] = service.latency().to_json();
        }
        if let Some(lag) = &self.lag {
            report["schedule_lag_ms"] = lag.latency().to_json();
        }
        report
    }

    pub fn print(&self) {
        let shape = match (self.connections, self.rate) {
            (Some(n), _) => format!("flat out, {n} connections"),
            (_, Some(rate)) => format!("open loop, {rate} req/s"),
            _ => String::new(),
        };
        println!("ingest {}: {shape}, {:.1} s measured", self.tool, self.measure.as_secs_f64());
        println!(
            "  requests {}  accepted (202) {}  = {:.1}/s",
            self.latency.total(),
            self.latency.count("202"),
            self.accepted_per_second()
        );
        println!("  outcomes {:?}", self.latency.outcomes());
        let from = if self.rate.is_some() { "from schedule" } else { "per request" };
        println!("  latency {from}: {}", self.latency.latency().line());
        if let Some(service) = &self.service {
            println!("  service time:    {}", service.latency().line());
        }
        if let Some(lag) = &self.lag {
            println!("  schedule lag:    {}", lag.latency().line());
        }
    }
}
