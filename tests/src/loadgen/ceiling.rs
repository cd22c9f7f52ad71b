//! The ceiling ingest is compared with: a minimal lapin publisher on one confirm-mode channel, keeping a
//! fixed number of confirms in flight, publishing messages like ingest's (persistent, mandatory, the size
//! and properties of a job message) to `{prefix}.jobs`, a quorum queue declared with the project's
//! topology. No HTTP, no signature check, no Redis: only what every accepted webhook costs the broker.
//!
//! With `--rate` it publishes on a fixed timetable instead, to give the broker's own confirm latency at the
//! rate of ingest's latency phase: the floor under ingest's latency, since ingest answers after the confirm.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use enhancer_shared::queue::{self, JobHeaders, Topology};
use futures_util::StreamExt as _;
use futures_util::stream::FuturesUnordered;
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Confirmation};
use secrecy::SecretString;
use serde_json::{Value, json};

use crate::http_load::Window;
use crate::payload::{Tool, job_body};
use crate::stats::Recorder;

/// How publishes are paced.
#[derive(Debug, Clone, Copy)]
pub enum Pace {
    /// Keep this many confirms outstanding (throughput).
    InFlight(usize),
    /// This many publishes per second, whatever the confirms do (latency at a rate).
    Rate(f64),
}

/// The measured window of one ceiling run.
#[derive(Debug)]
pub struct CeilingRun {
    pub pace: Pace,
    pub message_bytes: usize,
    pub measure: Duration,
    /// Confirm latency per message, by the broker's answer: `ack`, `nack`, `returned`, `error`.
    pub confirms: Recorder,
}

pub async fn run(
    amqp_url: &SecretString,
    prefix: &str,
    tool: Tool,
    pace: Pace,
    window: Window,
) -> anyhow::Result<CeilingRun> {
    let topology = Topology::new(prefix)?;
    let connection = queue::connect(amqp_url, "loadgen-ceiling", Duration::from_secs(10)).await?;
    let channel = connection.create_channel().await?;
    channel.confirm_select(ConfirmSelectOptions::default()).await?;
    queue::declare(&channel, &topology).await.context("declaring the topology")?;

    let body = job_body(tool)?;
    let routing_key = topology.jobs_queue();
    let headers = JobHeaders::first(None).to_field_table();
    // The properties ingest's publisher sets (message id and timestamp per message).
    let base = BasicProperties::default()
        .with_content_type("application/json".into())
        .with_delivery_mode(2)
        .with_app_id("loadgen-ceiling".into())
        .with_headers(headers);
    let options = BasicPublishOptions { mandatory: true, immediate: false };

    let measure_from = Instant::now() + window.warmup;
    let end = measure_from + window.measure;
    let mut pending = FuturesUnordered::new();
    let mut confirms = Recorder::default();
    let (in_flight, period) = match pace {
        Pace::InFlight(n) => (n.max(1), None),
        Pace::Rate(per_second) => {
            anyhow::ensure!(per_second > 0.0, "--rate must be positive");
            (usize::MAX, Some(Duration::from_secs_f64(1.0 / per_second)))
        }
    };
    let started = Instant::now();
    let mut sent_count: u32 = 0;
    loop {
        // In rate mode the next publish is due at a fixed time from the start, so rounding never drifts.
        let next_due = period.map(|p| started + p * sent_count);
        let may_send = pending.len() < in_flight && Instant::now() < end;
        if may_send && next_due.is_none_or(|due| due <= Instant::now()) {
            let sent = Instant::now();
            let properties = base
                .clone()
                .with_message_id(uuid::Uuid::now_v7().to_string().into())
                .with_timestamp(u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0));
            let confirm = channel
                .basic_publish("".into(), routing_key.as_str().into(), options, &body, properties)
                .await
                .context("basic.publish")?;
            pending.push(async move { (confirm.await, sent) });
            sent_count += 1;
            continue;
        }
        let answered = match next_due.filter(|_| may_send) {
            Some(due) => tokio::select! {
                answered = pending.next(), if !pending.is_empty() => answered,
                () = tokio::time::sleep_until(due.into()) => continue,
            },
            None => pending.next().await,
        };
        let Some((confirmation, sent)) = answered else { break };
        if sent < measure_from {
            continue;
        }
        let outcome = match confirmation {
            Ok(Confirmation::Ack(None)) => "ack",
            Ok(Confirmation::Ack(Some(_)) | Confirmation::Nack(Some(_))) => "returned",
            Ok(Confirmation::Nack(None)) => "nack",
            Ok(Confirmation::NotRequested) | Err(_) => "error",
        };
        confirms.record(outcome, sent.elapsed());
    }
    let _ = channel.close(200, "done".into()).await;
    let _ = connection.close(200, "done".into()).await;
    Ok(CeilingRun { pace, message_bytes: body.len(), measure: window.measure, confirms })
}

impl CeilingRun {
    pub fn messages_per_second(&self) -> f64 {
        self.confirms.count("ack") as f64 / self.measure.as_secs_f64()
    }

    pub fn to_json(&self) -> Value {
        let (in_flight, rate) = match self.pace {
            Pace::InFlight(n) => (Some(n), None),
            Pace::Rate(r) => (None, Some(r)),
        };
        json!({
            "mode": "ceiling",
            "in_flight": in_flight,
            "rate": rate,
            "message_bytes": self.message_bytes,
            "duration_s": self.measure.as_secs_f64(),
            "confirmed": self.confirms.count("ack"),
            "msg_per_s": (self.messages_per_second() * 10.0).round() / 10.0,
            "outcomes": self.confirms.outcomes(),
            "confirm_latency_ms": self.confirms.latency().to_json(),
        })
    }

    pub fn print(&self) {
        let pace = match self.pace {
            Pace::InFlight(n) => format!("{n} confirms in flight"),
            Pace::Rate(r) => format!("{r} msg/s"),
        };
        println!(
            "ceiling: lapin publisher, {pace}, {}-byte persistent mandatory messages, {:.1} s measured",
            self.message_bytes,
            self.measure.as_secs_f64()
        );
        println!("  confirmed {} = {:.1} msg/s", self.confirms.count("ack"), self.messages_per_second());
        println!("  outcomes {:?}", self.confirms.outcomes());
        println!("  confirm latency: {}", self.confirms.latency().line());
    }
}
