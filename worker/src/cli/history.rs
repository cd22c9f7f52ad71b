//! `enhancer-worker history`: enhancement runs from `enhancement_history`, newest first, filtered by
//! tenant, ticket, status and age. Read-only.

use anyhow::bail;
use chrono::{DateTime, SecondsFormat, Utc};
use enhancer_shared::config::Config;
use enhancer_shared::db;
use serde::Serialize;
use uuid::Uuid;

use super::CliIo;
use super::args::HistoryArgs;
use super::output::Table;
use super::since;

/// The statuses of `enhancement_history.status` (its CHECK constraint).
const STATUSES: [&str; 6] = ["queued", "running", "completed", "failed", "dead_lettered", "ignored"];

/// Upper bound on `--limit`: the output is for reading, bulk exports belong in SQL.
const MAX_LIMIT: i64 = 10_000;

/// One fixed statement: every filter is a bound parameter that is either NULL (no filter) or a value, so
/// no SQL is ever assembled from input. The CLI runs it once per process, so PostgreSQL plans it with the
/// actual values and can use the (tenant_id, created_at) index, and for `failed` and `dead_lettered` the
/// partial index of runs with an error (every such run has an `error_class`; the redundant condition lets
/// the planner see that). `status` itself is not indexed, so that a completion is a HOT update.
const QUERY: &str = "\
    SELECT job_id, tenant_id, ticket_id, tool, event_kind, status, attempts, gather_ms, synthesize_ms, update_ms, \
           model, prompt_tokens, completion_tokens, note_ref, error_class, error_stage, error_message, \
           ignored_reason, created_at, started_at, finished_at \
    FROM enhancement_history \
    WHERE ($1::text IS NULL OR tenant_id = $1) \
      AND ($2::text IS NULL OR ticket_id = $2) \
      AND ($3::text IS NULL OR status = $3) \
      AND ($3::text IS NULL OR $3 NOT IN ('failed', 'dead_lettered') OR error_class IS NOT NULL) \
      AND ($4::timestamptz IS NULL OR created_at >= $4) \
    ORDER BY created_at DESC, job_id DESC \
    LIMIT $5";

/// One row as `--json` prints it (`job_id`, `tenant_id`, `ticket_id`, `status`, `attempts`, `error_class`
/// are the contract of docs/DESIGN.md section 8).
#[derive(Debug, Serialize, sqlx::FromRow)]
struct HistoryRow {
    job_id: Uuid,
    tenant_id: String,
    ticket_id: String,
    tool: String,
    event_kind: String,
    status: String,
    attempts: i32,
    gather_ms: Option<i32>,
    synthesize_ms: Option<i32>,
    update_ms: Option<i32>,
    model: Option<String>,
    prompt_tokens: Option<i32>,
    completion_tokens: Option<i32>,
    note_ref: Option<String>,
    error_class: Option<String>,
    error_stage: Option<String>,
    error_message: Option<String>,
    ignored_reason: Option<String>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

pub async fn run(args: HistoryArgs, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    // Every input is checked before the database is touched.
    if let Some(status) = &args.status
        && !STATUSES.contains(&status.as_str())
    {
        bail!("invalid --status {status:?}: expected one of {}", STATUSES.join(", "));
    }
    if !(1..=MAX_LIMIT).contains(&args.limit) {
        bail!("invalid --limit {}: expected 1 to {MAX_LIMIT}", args.limit);
    }
    let since = args.since.as_deref().map(|raw| since::parse(raw, Utc::now())).transpose()?;
    let pool = db::connect(&config.database).await?;
    db::ensure_schema_current(&pool).await?;
    let rows: Vec<HistoryRow> = sqlx::query_as(QUERY)
        .bind(args.tenant.as_ref().map(|tenant| tenant.as_str()))
        .bind(args.ticket.as_deref())
        .bind(args.status.as_deref())
        .bind(since)
        .bind(args.limit)
        .fetch_all(&pool)
        .await?;
    pool.close().await;
    if args.json {
        return io.println(serde_json::to_string_pretty(&rows)?);
    }
    if rows.is_empty() {
        return io.println("no enhancement runs match");
    }
    io.println(table(&rows).render())
}

fn table(rows: &[HistoryRow]) -> Table {
    let mut table = Table::new(vec![
        "CREATED",
        "JOB",
        "TENANT",
        "TICKET",
        "STATUS",
        "ATTEMPTS",
        "GATHER",
        "SYNTH",
        "UPDATE",
        "NOTE / ERROR",
    ]);
    for row in rows {
        table.push(vec![
            row.created_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            row.job_id.to_string(),
            row.tenant_id.clone(),
            row.ticket_id.clone(),
            row.status.clone(),
            row.attempts.to_string(),
            millis(row.gather_ms),
            millis(row.synthesize_ms),
            millis(row.update_ms),
            outcome(row),
        ]);
    }
    table
}

fn millis(value: Option<i32>) -> String {
    value.map_or_else(|| "-".to_owned(), |ms| format!("{ms}ms"))
}

/// The note posted, or what went wrong, on one line.
fn outcome(row: &HistoryRow) -> String {
    if let Some(class) = &row.error_class {
        let stage = row.error_stage.as_deref().unwrap_or("?");
        let message = row.error_message.as_deref().unwrap_or_default();
        return shorten(&format!("{class} at {stage}: {message}"), 80);
    }
    if let Some(reason) = &row.ignored_reason {
        return shorten(reason, 80);
    }
    row.note_ref.clone().unwrap_or_default()
}

/// `text` on one line, cut to `max` characters with an ellipsis.
pub(super) fn shorten(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max {
        return line;
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shorten_keeps_one_line_within_the_width() {
        assert_eq!(shorten("ticket\n  gone (404)", 80), "ticket gone (404)");
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("éééé", 4), "éééé");
    }
}
