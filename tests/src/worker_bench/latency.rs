//! The latency scenario: signed webhooks at a fixed rate through a real in-process ingest, RabbitMQ and the
//! worker, to the local receiver. Webhook-to-note latency is the time from sending a request to the
//! receiver getting that ticket's note; the mocks answer at once, so all of it is the pipeline's overhead.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use enhancer_tests::fake_tool::{FakeTool, Recording};
use enhancer_tests::signing::{self, GENERIC_SECRET};
use enhancer_tests::stack::LocalStack;
use serde_json::{Value, json};
use tokio::task::JoinSet;

use crate::observe::{self, CpuSnapshot};
use crate::setup::{self, Services, TENANT};
use crate::stage_metrics;

/// The open-loop schedule.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub rate: f64,
    pub warmup: Duration,
    pub measure: Duration,
}

/// One webhook sent.
#[derive(Debug)]
struct Sent {
    n: usize,
    ticket: String,
    at: Instant,
    status: Option<u16>,
    answered_in: Duration,
}

/// Nearest-rank percentiles in milliseconds: p50, p90, p99, max, mean.
fn percentiles(mut samples: Vec<Duration>) -> Value {
    if samples.is_empty() {
        return json!(null);
    }
    samples.sort_unstable();
    let ms = |d: Duration| (d.as_secs_f64() * 1e6).round() / 1e3;
    let rank = |q: f64| ms(samples[((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1]);
    let mean = samples.iter().sum::<Duration>() / u32::try_from(samples.len()).unwrap_or(u32::MAX);
    json!({
        "n": samples.len(), "p50": rank(0.5), "p90": rank(0.9), "p99": rank(0.99), "max": rank(1.0), "mean": ms(mean),
    })
}

async fn send(client: reqwest::Client, url: String, n: usize, run: String) -> Sent {
    let ticket = format!("LAT-{n}");
    let body = signing::generic_created(&ticket, "Latency probe: VPN drops every few minutes");
    let id = format!("lat-{run}-{n}");
    let mut request = client.post(url).header("content-type", "application/json");
    for (name, value) in signing::standard_webhook_headers(GENERIC_SECRET, &id, chrono::Utc::now().timestamp(), &body) {
        request = request.header(name, value);
    }
    let at = Instant::now();
    let status = request.body(body).send().await.ok().map(|r| r.status().as_u16());
    Sent { n, ticket, at, status, answered_in: at.elapsed() }
}

pub async fn run(services: &Services, schedule: Schedule) -> anyhow::Result<Value> {
    let tool = FakeTool::start_with(Recording::Light).await;
    let address = tool.address();
    let bench = setup::prepare(services, address).await?;
    let stack = LocalStack::start_with_tool(bench.config.clone(), tool).await.context("start the local stack")?;
    let ingest_address = stack.ingest.address;
    let worker = stack.start_worker().await;
    println!(
        "database {}, queue prefix {}, ingest http://{ingest_address}, receiver http://{address}, worker \
         concurrency {}, {} webhooks/s for {:?} after {:?} warm-up",
        bench.database,
        services.prefix,
        bench.config.worker.concurrency,
        schedule.rate,
        schedule.measure,
        schedule.warmup
    );

    let client = reqwest::Client::builder().pool_max_idle_per_host(256).build()?;
    let url = format!("http://{ingest_address}/webhooks/{TENANT}");
    let run = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    let warmup_count = (schedule.rate * schedule.warmup.as_secs_f64()) as usize;
    let total = warmup_count + (schedule.rate * schedule.measure.as_secs_f64()) as usize;
    let cpu_before = CpuSnapshot::take();
    let started = tokio::time::Instant::now();
    let mut sends = JoinSet::new();
    for n in 0..total {
        tokio::time::sleep_until(started + Duration::from_secs_f64(n as f64 / schedule.rate)).await;
        sends.spawn(send(client.clone(), url.clone(), n, run.clone()));
    }
    let mut sent: Vec<Sent> = sends.join_all().await;
    sent.sort_by_key(|s| s.n);
    let accepted: Vec<&Sent> = sent.iter().filter(|s| s.status == Some(202)).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut arrivals = stack.tool.first_arrivals();
    while accepted.iter().any(|s| !arrivals.contains_key(&s.ticket)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
        arrivals = stack.tool.first_arrivals();
    }
    let cpu = cpu_before.since(&CpuSnapshot::take());

    let measured: Vec<&&Sent> = accepted.iter().filter(|s| s.n >= warmup_count).collect();
    let to_note: Vec<Duration> =
        measured.iter().filter_map(|s| arrivals.get(&s.ticket).map(|at| at.duration_since(s.at))).collect();
    let missing = measured.len() - to_note.len();
    let answered: Vec<Duration> = measured.iter().map(|s| s.answered_in).collect();
    let not_accepted = sent.len() - accepted.len();

    let metrics = worker.worker.ctx.metrics.render();
    let pool = worker.worker.ctx.pool.clone();
    worker.stop().await;
    pool.close().await;
    let notes_posted = stack.tool.note_count();
    drop(stack);
    bench.pool.close().await;

    let (stage_text, stages) = stage_metrics::stage_table(&metrics);
    let worker_e2e = stage_metrics::histogram(&metrics, "enhancer_worker_webhook_to_note_seconds", "tool")
        .get("generic")
        .map(stage_metrics::Series::to_json);
    let result = json!({
        "rate": schedule.rate,
        "measured_seconds": schedule.measure.as_secs_f64(),
        "sent": sent.len(),
        "not_202": not_accepted,
        "measured": measured.len(),
        "notes_missing": missing,
        "notes_posted": notes_posted,
        "webhook_to_note_ms": percentiles(to_note),
        "ingest_answer_ms": percentiles(answered),
        "worker_metric_webhook_to_note": worker_e2e,
        "stages": stages,
        "concurrency": bench.config.worker.concurrency,
        "context_search": services.context,
        "cpu": cpu.to_json(),
        "rss_kib": observe::memory_kib().1,
    });
    println!(
        "sent {} webhooks ({not_accepted} not 202), {} measured, {missing} notes missing",
        sent.len(),
        measured.len()
    );
    println!("webhook -> note (ms): {}", result["webhook_to_note_ms"]);
    println!("webhook -> 202  (ms): {}", result["ingest_answer_ms"]);
    println!("\nworker stage histograms (enhancer_worker_stage_duration_seconds)\n{stage_text}");
    println!("cpu during the run\n{}", cpu.table());
    anyhow::ensure!(missing == 0 && not_accepted == 0, "{missing} notes missing, {not_accepted} webhooks not accepted");
    Ok(result)
}
