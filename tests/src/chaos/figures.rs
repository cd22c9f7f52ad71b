//! The figures of a run: waiting for the pipeline to drain, then counting from the fake tool's notes and the
//! history table what was accepted, noted, noted twice, dead-lettered or lost, the webhook-to-note latency,
//! how fast throughput came back after each fault, and the targets met or missed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::faults::{Fault, Happened};
use crate::sender::{Outcome, Sent};
use crate::world::World;

/// The refused tenant's index in `World::tenants` (the generic one, behind the cuttable proxy).
const REFUSED_TENANT: usize = 2;
/// Throughput counts as recovered when a window of this long holds at least [`RECOVERED_SHARE`] of the
/// pre-fault rate.
const WINDOW: f64 = 2.0;
const RECOVERED_SHARE: f64 = 0.8;
/// The pre-fault rate is taken over this long before the fault.
const BASELINE: f64 = 5.0;
/// Issue 14: a worker kill costs at most this much throughput time.
const KILL_RECOVERY_TARGET_S: f64 = 45.0;

pub struct Report {
    pub json: Value,
    pub all_met: bool,
}

#[derive(Debug, Default)]
struct History {
    /// Ticket -> status of its row.
    status: HashMap<String, String>,
    /// Dead-lettered tickets -> "class/stage".
    dead: HashMap<String, String>,
}

async fn history(world: &World) -> anyhow::Result<History> {
    let rows: Vec<(String, String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT ticket_id, status, error_class, error_stage FROM enhancement_history")
            .fetch_all(&world.pool)
            .await?;
    let mut history = History::default();
    for (ticket, status, class, stage) in rows {
        if status == "dead_lettered" {
            let reason = format!("{}/{}", class.as_deref().unwrap_or("?"), stage.as_deref().unwrap_or("?"));
            history.dead.insert(ticket.clone(), reason);
        }
        history.status.insert(ticket, status);
    }
    Ok(history)
}

/// Waits up to `limit` until every accepted webhook has a note or a dead letter and no history row is
/// still open; returns how long that took, or `None` if it did not happen.
pub async fn drain(world: &World, sent: &[Sent], limit: Duration) -> anyhow::Result<Option<Duration>> {
    let began = Instant::now();
    let mut polls = 0u32;
    loop {
        polls += 1;
        let noted = world.tool.first_arrivals();
        let history = history(world).await?;
        let pending = sent
            .iter()
            .filter(|s| s.accepted() && !noted.contains_key(&s.ticket) && !history.dead.contains_key(&s.ticket))
            .count();
        let open = history.status.values().filter(|s| !is_final(s)).count();
        if pending == 0 && open == 0 {
            return Ok(Some(began.elapsed()));
        }
        if began.elapsed() >= limit {
            println!(
                "chaos: drain gave up after {} s: {pending} accepted webhooks pending, {open} open rows",
                limit.as_secs()
            );
            return Ok(None);
        }
        if polls.is_multiple_of(15) {
            println!("chaos: draining: {pending} accepted webhooks without note or dead letter, {open} open rows");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn is_final(status: &str) -> bool {
    matches!(status, "completed" | "dead_lettered" | "ignored")
}

fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

pub async fn report(
    world: &World,
    sent: &[Sent],
    timetable: &[Fault],
    happened: &[Happened],
    started: Instant,
    send_end: Duration,
    drained: Option<Duration>,
) -> anyhow::Result<Report> {
    let history = history(world).await?;
    let notes = world.tool.notes();
    let mut per_ticket: HashMap<&str, Vec<f64>> = HashMap::new();
    for note in &notes {
        per_ticket
            .entry(note.ticket_id.as_str())
            .or_default()
            .push(note.at.saturating_duration_since(started).as_secs_f64());
    }
    let tenant_of: HashMap<&str, usize> = sent.iter().map(|s| (s.ticket.as_str(), s.tenant)).collect();

    let accepted: Vec<&Sent> = sent.iter().filter(|s| s.accepted()).collect();
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for s in sent {
        let key = match s.outcome {
            Outcome::Rejected(code) => format!("rejected_{code}"),
            other => serde_json::to_value(other)?.as_str().unwrap_or("?").to_owned(),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    let retried = sent.iter().filter(|s| s.tries > 1).count();
    let duplicate_tickets = per_ticket.values().filter(|v| v.len() > 1).count();
    let extra_notes: usize = per_ticket.values().map(|v| v.len().saturating_sub(1)).sum();
    let mut dead_by_reason: BTreeMap<&str, usize> = BTreeMap::new();
    for reason in history.dead.values() {
        *dead_by_reason.entry(reason.as_str()).or_default() += 1;
    }
    let lost: Vec<&str> = accepted
        .iter()
        .filter(|s| !per_ticket.contains_key(s.ticket.as_str()) && !history.dead.contains_key(&s.ticket))
        .map(|s| s.ticket.as_str())
        .collect();
    let unfinished = history.status.values().filter(|s| !is_final(s)).count();
    let accepted_tickets: HashSet<&str> = accepted.iter().map(|s| s.ticket.as_str()).collect();
    let without_row = accepted_tickets.iter().filter(|t| !history.status.contains_key(**t)).count();

    let mut latencies: Vec<f64> = accepted
        .iter()
        .filter_map(|s| {
            let first = per_ticket.get(s.ticket.as_str())?.iter().copied().fold(f64::INFINITY, f64::min);
            Some(first - s.first_sent.as_secs_f64())
        })
        .collect();
    latencies.sort_by(f64::total_cmp);

    // Note arrival times per tenant, sorted, for the throughput windows.
    let mut note_times: Vec<Vec<f64>> = vec![Vec::new(); world.tenants.len()];
    for note in &notes {
        if let Some(&tenant) = tenant_of.get(note.ticket_id.as_str()) {
            note_times[tenant].push(note.at.saturating_duration_since(started).as_secs_f64());
        }
    }
    for times in &mut note_times {
        times.sort_by(f64::total_cmp);
    }
    let send_end_s = send_end.as_secs_f64();
    let mut recoveries = Vec::new();
    let mut kills_met = true;
    for (fault, what) in timetable.iter().zip(happened) {
        let scope = scope_of(fault, timetable, send_end_s);
        let count = |from: f64, to: f64| -> usize {
            scope.iter().map(|&t| note_times[t].iter().filter(|&&x| x >= from && x < to).count()).sum()
        };
        let is_kill = matches!(fault.kind, crate::faults::Kind::KillWorker | crate::faults::Kind::KillIngest);
        // A kill hurts from the moment it happens; a service restart from the moment the service accepts
        // connections again (until then the jobs already running finish, which would look like recovery);
        // a window from its end on.
        let from = if is_kill {
            what.started_s
        } else if fault.kind.is_service() {
            what.ended_s
        } else {
            fault.end().as_secs_f64()
        };
        let base_from = (what.started_s - BASELINE).max(0.0);
        let baseline = if what.started_s - base_from >= WINDOW {
            count(base_from, what.started_s) as f64 / (what.started_s - base_from)
        } else {
            0.0
        };
        let mut recovery = None;
        if baseline > 0.0 {
            let mut t = from;
            while t + WINDOW <= send_end_s {
                if count(t, t + WINDOW) as f64 / WINDOW >= RECOVERED_SHARE * baseline {
                    recovery = Some(t - from);
                    break;
                }
                t += 0.5;
            }
        }
        // Caught up: every in-scope webhook sent before `from` has its note or dead letter.
        let mut caught_up = Some(0.0f64);
        for s in accepted.iter().filter(|s| scope.contains(&s.tenant) && s.first_sent.as_secs_f64() < from) {
            match per_ticket.get(s.ticket.as_str()) {
                Some(times) => {
                    let first = times.iter().copied().fold(f64::INFINITY, f64::min);
                    caught_up = caught_up.map(|c| c.max(first - from));
                }
                None if history.dead.contains_key(&s.ticket) => {}
                None => caught_up = None,
            }
        }
        let mut entry = json!({
            "fault": what.fault, "started_s": round(what.started_s), "over_s": round(what.ended_s),
            "detail": what.detail, "scope_tenants": scope.iter().map(|&t| world.tenants[t].id.clone()).collect::<Vec<_>>(),
            "baseline_notes_per_s": round(baseline),
            "throughput_recovered_after_s": recovery.map(round),
            "caught_up_after_s": caught_up.map(round),
        });
        if fault.kind == crate::faults::Kind::KillWorker {
            let measured = recovery.or(caught_up);
            let met = measured.is_some_and(|r| r <= KILL_RECOVERY_TARGET_S) && !what.detail.starts_with("FAILED");
            kills_met &= met;
            entry["target_recovery_s"] = json!(KILL_RECOVERY_TARGET_S);
            entry["met"] = json!(met);
        }
        recoveries.push(entry);
    }

    let targets = json!({
        "zero_lost": lost.is_empty(),
        "zero_duplicate_notes": duplicate_tickets == 0,
        "every_job_finished_or_dead_lettered": unfinished == 0 && without_row == 0 && drained.is_some(),
        "worker_kill_recovery_within_45_s": kills_met,
    });
    let all_met = targets.as_object().is_some_and(|t| t.values().all(|v| v == &json!(true)));
    let json = json!({
        "date": chrono::Utc::now().to_rfc3339(),
        "sent": sent.len(),
        "send_seconds": round(send_end_s),
        "outcomes": outcomes,
        "accepted": accepted.len(),
        "retried_deliveries": retried,
        "notes_posted": notes.len(),
        "tickets_noted": per_ticket.len(),
        "duplicate_notes": {"tickets": duplicate_tickets, "extra_notes": extra_notes},
        "dead_letters": {"total": history.dead.len(), "by_reason": dead_by_reason},
        "lost": {"count": lost.len(), "tickets": lost.iter().take(20).collect::<Vec<_>>()},
        "history_rows_not_finished": unfinished,
        "accepted_without_history_row": without_row,
        "drained_after_s": drained.map(|d| round(d.as_secs_f64())),
        "webhook_to_note_s": {
            "p50": percentile(&latencies, 0.5).map(round),
            "p99": percentile(&latencies, 0.99).map(round),
            "max": latencies.last().copied().map(round),
        },
        "faults": recoveries,
        "targets": targets,
        "all_met": all_met,
    });
    print_summary(&json);
    Ok(Report { json, all_met })
}

/// The tenants whose notes measure a fault: the refused tenant alone for a refusal; for any other fault the
/// tenants no refusal touches while it is measured.
fn scope_of(fault: &Fault, timetable: &[Fault], send_end: f64) -> Vec<usize> {
    if fault.kind == crate::faults::Kind::Refuse {
        return vec![REFUSED_TENANT];
    }
    let from = fault.start.as_secs_f64() - BASELINE;
    let refused_meanwhile = timetable.iter().any(|f| {
        f.kind == crate::faults::Kind::Refuse
            && f.start.as_secs_f64() < send_end.max(fault.end().as_secs_f64())
            && f.end().as_secs_f64() > from
    });
    (0..3).filter(|&t| !(refused_meanwhile && t == REFUSED_TENANT)).collect()
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn print_summary(figures: &Value) {
    println!();
    println!("== chaos figures");
    for key in [
        "sent",
        "send_seconds",
        "outcomes",
        "accepted",
        "retried_deliveries",
        "notes_posted",
        "tickets_noted",
        "duplicate_notes",
        "dead_letters",
        "lost",
        "history_rows_not_finished",
        "accepted_without_history_row",
        "drained_after_s",
        "webhook_to_note_s",
    ] {
        println!("{key:<30} {}", figures[key]);
    }
    println!("faults:");
    for fault in figures["faults"].as_array().into_iter().flatten() {
        println!(
            "  {:>6}s {:<12} recovered after {} s, caught up after {} s (baseline {} notes/s, tenants {}){}",
            fault["started_s"],
            fault["fault"].as_str().unwrap_or("?"),
            fault["throughput_recovered_after_s"],
            fault["caught_up_after_s"],
            fault["baseline_notes_per_s"],
            fault["scope_tenants"],
            fault.get("met").map(|m| if m == &json!(true) { " [met]" } else { " [MISSED]" }).unwrap_or(""),
        );
    }
    println!("targets:");
    for (name, met) in figures["targets"].as_object().into_iter().flatten() {
        println!("  {name:<40} {}", if met == &json!(true) { "met" } else { "MISSED" });
    }
}
