//! The throughput scenarios: N jobs waiting in the queue, one worker started, the clock running until all
//! N history rows are `completed`. With the offline writer this is the "instant mocks" case; with the
//! sleeping writer, the "2 s synthesize" case.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use enhancer_tests::fake_tool::{FakeTool, Recording};
use enhancer_worker::corpus::search::semantic::backfill;
use enhancer_worker::run::build_with_writer;
use enhancer_worker::writer::Writer;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::observe::{self, CpuSnapshot, DbCounters};
use crate::setup::{self, Services};
use crate::{corpus, preload, stage_metrics};

/// How often the completed rows are counted.
const POLL: Duration = Duration::from_millis(100);

/// The first sample at or above `target` completed rows: (seconds since start, rows).
fn reached(timeline: &[(f64, i64)], target: i64) -> Option<(f64, i64)> {
    timeline.iter().copied().find(|(_, n)| *n >= target)
}

/// Runs one throughput scenario; the returned JSON is also what is printed.
pub async fn run(
    services: &Services,
    jobs: usize,
    writer: Arc<dyn Writer>,
    timeout: Duration,
) -> anyhow::Result<Value> {
    let tool = FakeTool::start_with(Recording::Light).await;
    let address = tool.address();
    let bench = setup::prepare(services, address).await?;
    println!(
        "database {}, queue prefix {}, receiver http://{address}, concurrency {}, db pool {}, context search {}{}",
        bench.database,
        services.prefix,
        bench.config.worker.concurrency,
        bench.config.database.max_connections,
        if services.context { "on" } else { "off" },
        if bench.config.embeddings.base_url.is_some() { ", re-ranked by meaning (hashed-word embeddings)" } else { "" }
    );

    if services.corpus > 0 {
        corpus::load(&bench.pool, &tool, services.corpus, jobs, services.mass_jobs).await?;
    }
    let took = preload::publish_jobs(&bench.config, jobs).await?;
    println!("preloaded {jobs} jobs in {:.1}s ({:.0}/s)", took.as_secs_f64(), jobs as f64 / took.as_secs_f64());

    let worker = Arc::new(build_with_writer(&bench.config, writer).await.context("build the worker")?);
    if let Some(semantic) = worker.ctx.search.semantic() {
        // The corpus embedded first, as a worker's backfill leaves it: the run measures notes, not the backfill.
        let began = Instant::now();
        let embedded = backfill::complete(semantic, &worker.ctx.pool, setup::TENANT).await?;
        let took = began.elapsed().as_secs_f64();
        println!("backfilled {embedded} embeddings in {took:.1}s ({:.0}/s)", embedded as f64 / took);
    }
    let jobs_i64 = i64::try_from(jobs)?;
    let counters_before = DbCounters::read(&bench.pool, &bench.database).await;
    let cpu_before = CpuSnapshot::take();
    let (sample_tx, sample_rx) = watch::channel(false);
    let sampler = observe::sample(worker.ctx.pool.clone(), bench.pool.clone(), bench.database.clone(), sample_rx);

    let started = Instant::now();
    let (worker_tx, worker_rx) = watch::channel(false);
    let running = Arc::clone(&worker);
    let worker_task = tokio::spawn(async move { running.run(worker_rx).await });
    let mut timeline: Vec<(f64, i64)> = Vec::new();
    let finished = loop {
        tokio::time::sleep(POLL).await;
        let completed: i64 = sqlx::query_scalar("SELECT count(*) FROM enhancement_history WHERE status = 'completed'")
            .fetch_one(&bench.pool)
            .await?;
        timeline.push((started.elapsed().as_secs_f64(), completed));
        if completed >= jobs_i64 {
            break true;
        }
        if started.elapsed() > timeout {
            break false;
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_before.since(&CpuSnapshot::take());

    let _ = sample_tx.send(true);
    let samples = sampler.finish().await;
    let _ = worker_tx.send(true);
    worker_task.await.context("worker task")?;
    let metrics = worker.ctx.metrics.render();
    // Closing the worker's connections flushes their statistics to pg_stat_database.
    worker.ctx.pool.close().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let counters_after = DbCounters::read(&bench.pool, &bench.database).await;
    let statuses: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, count(*) FROM enhancement_history GROUP BY status ORDER BY status")
            .fetch_all(&bench.pool)
            .await?;
    // The database's own clock: from the claim statement to the completion statement of each job, and the
    // stage durations it recorded; what the worker spends outside that window is the rest of a job's time.
    let (claim_to_complete, claim_to_complete_p99, recorded_stages): (f64, f64, f64) = sqlx::query_as(
        "SELECT coalesce(avg(ms), 0), coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms), 0), \
                coalesce(avg(stages), 0)::float8 \
         FROM (SELECT extract(epoch FROM finished_at - started_at)::float8 * 1000 AS ms, \
                      coalesce(gather_ms, 0) + coalesce(synthesize_ms, 0) + coalesce(update_ms, 0) AS stages \
               FROM enhancement_history WHERE status = 'completed') AS t",
    )
    .fetch_one(&bench.pool)
    .await?;
    bench.pool.close().await;

    let completed = timeline.last().map_or(0, |(_, n)| *n);
    let rate = completed as f64 / elapsed;
    // The middle 80 %: without the start (connections, first prefetch) and the tail (last jobs draining).
    let steady = match (reached(&timeline, jobs_i64 / 10), reached(&timeline, jobs_i64 * 9 / 10)) {
        (Some((t1, n1)), Some((t2, n2))) if t2 > t1 => (n2 - n1) as f64 / (t2 - t1),
        _ => 0.0,
    };
    let first = timeline.iter().find(|(_, n)| *n > 0).map_or(0.0, |(t, _)| *t);
    let concurrency = f64::from(bench.config.worker.concurrency);
    let (stage_text, stages) = stage_metrics::stage_table(&metrics);
    let (rss_now, hwm) = observe::memory_kib();
    let result = json!({
        "jobs": jobs,
        "completed": completed,
        "finished": finished,
        "seconds": elapsed,
        "jobs_per_s": rate,
        "steady_jobs_per_s": steady,
        "first_completed_after_s": first,
        "concurrency": bench.config.worker.concurrency,
        "db_max_connections": bench.config.database.max_connections,
        "context_search": services.context,
        "embeddings": bench.config.embeddings.base_url.is_some(),
        "corpus": services.corpus,
        "mass_jobs": services.mass_jobs,
        "implied_ms_per_job_in_flight": concurrency / steady.max(1e-9) * 1e3,
        "claim_to_complete_ms": {"mean": claim_to_complete, "p99": claim_to_complete_p99},
        "recorded_stages_ms_mean": recorded_stages,
        "notes_posted": tool.note_count(),
        "tickets_served": tool.tickets_served(),
        "statuses": statuses.iter().cloned().collect::<std::collections::BTreeMap<_, _>>(),
        "outcomes": stage_metrics::outcomes(&metrics),
        "stages": stages,
        "rss_kib": {"vmhwm_process": hwm, "peak_sampled_during_run": samples.peak_rss_kib, "end": rss_now},
        "samples": samples.to_json(),
        "db_per_job": counters_before.per_job(&counters_after, u64::try_from(completed).unwrap_or(0)),
        "cpu": cpu.to_json(),
        "preload_seconds": took.as_secs_f64(),
    });

    println!(
        "{completed} of {jobs} completed in {elapsed:.2}s: {rate:.0} jobs/s end to end, {steady:.0} jobs/s over the \
         middle 80%, first after {first:.2}s"
    );
    println!("notes posted {}, tickets served {}, history {statuses:?}", tool.note_count(), tool.tickets_served());
    println!(
        "implied time per job in flight (concurrency / steady rate): {:.1} ms",
        concurrency / steady.max(1e-9) * 1e3
    );
    println!(
        "claim -> completion statement (database clock): mean {claim_to_complete:.1} ms, p99 \
         {claim_to_complete_p99:.1} ms, of which gather + synthesize + update {recorded_stages:.1} ms"
    );
    println!("\nworker stage histograms (enhancer_worker_stage_duration_seconds)\n{stage_text}");
    println!(
        "worker db pool in use: mean {:.1}, max {} of {}",
        samples.pool_in_use_mean(),
        samples.pool_in_use_max,
        bench.config.database.max_connections
    );
    println!("{}", samples.waits_table());
    println!("database per completed job: {}", result["db_per_job"]);
    println!("\ncpu during the run\n{}", cpu.table());
    println!(
        "memory of this process: VmHWM {:.1} MiB (whole process: preload publisher, receiver, worker), peak \
         VmRSS while the worker ran {:.1} MiB",
        hwm as f64 / 1024.0,
        samples.peak_rss_kib as f64 / 1024.0
    );
    anyhow::ensure!(finished, "only {completed} of {jobs} jobs completed within {timeout:?}");
    Ok(result)
}
