//! `dlq replay (--id | --tenant | --all) [--dry-run]`: republish dead jobs to the jobs queue with the
//! attempt count reset and `x-replayed-from`, removing each dead letter only after its republish was
//! confirmed. Dead letters that do not match, cannot be replayed, or whose republish failed stay.

use std::time::Duration;

use anyhow::{Context, bail};
use enhancer_shared::config::Config;
use enhancer_shared::queue::{JobHeaders, Publisher, PublisherOptions};
use indicatif::{ProgressBar, ProgressStyle};

use super::broker::DeadQueue;
use super::browse::Walk;
use super::dead_letter::{DeadLetter, Filter};
use crate::cli::CliIo;
use crate::cli::args::DlqReplayArgs;
use crate::cli::output::Table;

/// What a replay did, for the summary line.
#[derive(Debug, Default)]
struct Report {
    /// Dead letters the selection matched.
    matched: usize,
    replayed: usize,
    kept: usize,
    failed: usize,
    /// One line per dead letter that matched but stays (not a job, or the republish failed).
    notes: Vec<String>,
    /// `--dry-run`: what would be replayed.
    would_replay: Vec<DeadLetter>,
    unexamined: u32,
}

pub async fn replay(args: DlqReplayArgs, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    let filter = Filter { id: args.id.clone(), tenant: args.tenant.clone(), ..Filter::default() };
    let queue = DeadQueue::connect(config).await?;
    let publisher = if args.dry_run {
        None
    } else {
        let options = PublisherOptions {
            connection_name: "enhancer-worker-dlq".into(),
            confirm_timeout: Duration::from_millis(config.amqp.publish_timeout_ms),
            ..PublisherOptions::default()
        };
        Some(Publisher::connect(&config.amqp.url, queue.topology.clone(), options).await?)
    };
    let mut walk = Walk::start(&queue).await?;
    let progress = progress_bar(walk.ready());
    let mut report = Report::default();
    let walked = replay_matching(&mut walk, &filter, publisher.as_ref(), &progress, &mut report).await;
    progress.finish_and_clear();
    report.unexamined = walk.ready().saturating_sub(walk.taken());
    let finished = walk.finish().await;
    if let Some(publisher) = publisher {
        publisher.close().await;
    }
    queue.close().await;
    walked?;
    finished?;
    print(&report, &args, io)
}

async fn replay_matching(
    walk: &mut Walk,
    filter: &Filter,
    publisher: Option<&Publisher>,
    progress: &ProgressBar,
    report: &mut Report,
) -> anyhow::Result<()> {
    while let Some(taken) = walk.next().await? {
        progress.inc(1);
        let dead = &taken.dead;
        if !filter.matches(dead) {
            report.kept += 1;
            continue;
        }
        report.matched += 1;
        let job = match &dead.job {
            Ok(job) => job,
            Err(reason) => {
                report.kept += 1;
                report
                    .notes
                    .push(format!("kept {}: not a job that can be replayed ({reason}); fix or purge it", dead.id));
                continue;
            }
        };
        let Some(publisher) = publisher else {
            report.would_replay.push(taken.dead);
            continue;
        };
        // A fresh start: attempt 1, the original trace, and where it came from. RabbitMQ's `x-death` and
        // our dead-letter headers are left behind with the dead message.
        let headers = JobHeaders { attempt: 1, traceparent: dead.traceparent(), replayed_from: Some(dead.id.clone()) };
        let route = publisher.topology().jobs_route();
        match publisher.publish(&route, &job.job_id.to_string(), &dead.body, headers.to_field_table()).await {
            Ok(()) => {
                walk.remove(&taken).await.with_context(|| {
                    format!(
                        "dead letter {} was republished but could not be removed from the dead-letter queue; \
                         replaying it again makes a duplicate job, which the worker skips",
                        dead.id
                    )
                })?;
                report.replayed += 1;
            }
            Err(error) => {
                report.failed += 1;
                report.notes.push(format!("failed {}: {error}; it stays in the dead-letter queue", dead.id));
            }
        }
    }
    Ok(())
}

fn print(report: &Report, args: &DlqReplayArgs, io: &mut CliIo) -> anyhow::Result<()> {
    if let Some(id) = &args.id
        && report.matched == 0
    {
        bail!("no dead letter with id {id:?} in the dead-letter queue");
    }
    for note in &report.notes {
        io.println(note)?;
    }
    let unexamined = match report.unexamined {
        0 => String::new(),
        n => format!("; {n} not examined (too many kept at once), run again after dealing with these"),
    };
    if args.dry_run {
        if !report.would_replay.is_empty() {
            let mut table = Table::new(vec!["ID", "TENANT", "TICKET", "CLASS", "FAILED AT"]);
            for dead in &report.would_replay {
                table.push(vec![
                    dead.id.clone(),
                    dead.tenant_id.clone().unwrap_or_default(),
                    dead.ticket_id.clone().unwrap_or_default(),
                    dead.error_class.clone(),
                    dead.failed_at_text().unwrap_or_default(),
                ]);
            }
            io.println(table.render())?;
        }
        let would = report.would_replay.len();
        return io
            .println(format!("dry run: would replay {would}, keep {}; nothing was changed{unexamined}", report.kept));
    }
    io.println(format!("replayed {}, kept {}, failed {}{unexamined}", report.replayed, report.kept, report.failed))?;
    if report.failed > 0 {
        bail!(
            "{} dead letter(s) could not be republished and stay in the dead-letter queue; replay again once the \
             broker accepts publishes",
            report.failed
        );
    }
    if let Some(id) = &args.id
        && report.replayed == 0
    {
        bail!("dead letter {id:?} was not replayed");
    }
    Ok(())
}

/// A bar on stderr; indicatif draws nothing when stderr is not a terminal (scripts, tests).
fn progress_bar(len: u32) -> ProgressBar {
    let bar = ProgressBar::new(u64::from(len));
    if let Ok(style) = ProgressStyle::with_template("replaying {bar:40} {pos}/{len} dead letters ({elapsed})") {
        bar.set_style(style);
    }
    bar
}
