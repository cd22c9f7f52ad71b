//! `enhancer-worker history` against a real database: newest first, every filter, the JSON contract of
//! docs/DESIGN.md section 8, and bad input refused with a clear message.

use chrono::{DateTime, TimeDelta, Utc};
use enhancer_tests::{TestDb, run_cli};
use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

async fn add_tenant(pool: &PgPool, id: &str) {
    enhancer_tests::insert_placeholder_tenant(pool, id, "jira").await;
}

/// One history row; returns its job id.
async fn add_run(pool: &PgPool, tenant: &str, ticket: &str, status: &str, created_at: DateTime<Utc>) -> Uuid {
    let job_id = Uuid::now_v7();
    let failed = matches!(status, "failed" | "dead_lettered");
    sqlx::query(
        "INSERT INTO enhancement_history (job_id, tenant_id, ticket_id, idempotency_key, tool, event_kind, status, \
             attempts, gather_ms, synthesize_ms, update_ms, model, note_ref, error_class, error_stage, error_message, \
             created_at, finished_at) \
         VALUES ($1, $2, $3, $4, 'jira', 'created', $5, $6, 12, 340, 56, 'offline', $7, $8, $9, $10, $11, $12)",
    )
    .bind(job_id)
    .bind(tenant)
    .bind(ticket)
    .bind(format!("key-{job_id}"))
    .bind(status)
    .bind(if failed { 5 } else { 1 })
    .bind((status == "completed").then(|| format!("note-{ticket}")))
    .bind(failed.then_some(if status == "failed" { "transient" } else { "permanent" }))
    .bind(failed.then_some("update"))
    .bind(failed.then(|| format!("ticket {ticket} is gone (404)")))
    .bind(created_at)
    .bind((status != "running").then(|| created_at + TimeDelta::seconds(2)))
    .execute(pool)
    .await
    .expect("history row");
    job_id
}

async fn history(test_db: &TestDb, args: &[&str]) -> Vec<Value> {
    let mut full = vec!["history", "--json"];
    full.extend_from_slice(args);
    let run = run_cli(&test_db.config(), &full, "").await;
    let rows: Value = serde_json::from_str(run.ok()).expect("json array");
    rows.as_array().expect("array").clone()
}

fn job_ids(rows: &[Value]) -> Vec<String> {
    rows.iter().map(|row| row["job_id"].as_str().expect("job_id").to_owned()).collect()
}

#[tokio::test]
async fn lists_runs_newest_first_with_every_filter() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    add_tenant(pool, "acme").await;
    add_tenant(pool, "globex").await;
    let now = Utc::now();
    let completed = add_run(pool, "acme", "T-1", "completed", now - TimeDelta::hours(3)).await.to_string();
    let dead = add_run(pool, "acme", "T-2", "dead_lettered", now - TimeDelta::hours(2)).await.to_string();
    let failed = add_run(pool, "globex", "G-1", "failed", now - TimeDelta::hours(1)).await.to_string();
    let running = add_run(pool, "acme", "T-1", "running", now - TimeDelta::minutes(10)).await.to_string();

    let rows = history(&test_db, &[]).await;
    assert_eq!(job_ids(&rows), [running.as_str(), failed.as_str(), dead.as_str(), completed.as_str()]);
    let row = &rows[2];
    assert_eq!((row["tenant_id"].as_str(), row["ticket_id"].as_str()), (Some("acme"), Some("T-2")));
    assert_eq!((row["status"].as_str(), row["attempts"].as_i64()), (Some("dead_lettered"), Some(5)));
    assert_eq!((row["error_class"].as_str(), row["error_stage"].as_str()), (Some("permanent"), Some("update")));
    assert_eq!(row["error_message"], "ticket T-2 is gone (404)");
    assert_eq!(
        (row["gather_ms"].as_i64(), row["synthesize_ms"].as_i64(), row["update_ms"].as_i64()),
        (Some(12), Some(340), Some(56))
    );
    assert!(row["created_at"].is_string() && row["finished_at"].is_string(), "{row}");
    assert_eq!(rows[3]["note_ref"], "note-T-1");
    assert!(rows[3]["error_class"].is_null() && rows[0]["finished_at"].is_null());

    assert_eq!(
        job_ids(&history(&test_db, &["--tenant", "acme"]).await),
        [running.as_str(), dead.as_str(), completed.as_str()]
    );
    assert_eq!(job_ids(&history(&test_db, &["--ticket", "T-1"]).await), [running.as_str(), completed.as_str()]);
    assert_eq!(job_ids(&history(&test_db, &["--tenant", "globex", "--ticket", "T-1"]).await), Vec::<String>::new());
    assert_eq!(job_ids(&history(&test_db, &["--status", "dead_lettered"]).await), [dead.as_str()]);
    assert_eq!(job_ids(&history(&test_db, &["--status", "failed", "--tenant", "globex"]).await), [failed.as_str()]);
    assert_eq!(job_ids(&history(&test_db, &["--since", "90m"]).await), [running.as_str(), failed.as_str()]);
    let since = (now - TimeDelta::minutes(150)).to_rfc3339();
    assert_eq!(
        job_ids(&history(&test_db, &["--since", &since]).await),
        [running.as_str(), failed.as_str(), dead.as_str()]
    );
    assert_eq!(job_ids(&history(&test_db, &["--limit", "2"]).await), [running.as_str(), failed.as_str()]);

    let table = run_cli(&test_db.config(), &["history", "--tenant", "acme"], "").await;
    for expected in ["STATUS", "dead_lettered", "permanent at update: ticket T-2 is gone (404)", "note-T-1", "340ms"] {
        assert!(table.ok().contains(expected), "{expected} missing from:\n{}", table.ok());
    }
    assert!(!table.ok().contains("G-1"), "{}", table.ok());
}

#[tokio::test]
async fn bad_filters_are_refused_with_the_accepted_values() {
    let test_db = TestDb::migrated().await;
    let config = test_db.config();
    let status = run_cli(&config, &["history", "--status", "done"], "").await;
    assert!(
        status.err().contains(
            "invalid --status \"done\": expected one of queued, running, completed, failed, dead_lettered, ignored"
        ),
        "{}",
        status.err()
    );
    for bad in ["yesterday", "5s", "-1h", "2026-13-01T00:00:00Z"] {
        let since = run_cli(&config, &["history", &format!("--since={bad}")], "").await;
        assert!(
            since.err().contains(&format!("invalid --since {bad:?}")) && since.err().contains("30m"),
            "{}",
            since.err()
        );
    }
    assert!(run_cli(&config, &["history", "--limit", "0"], "").await.err().contains("invalid --limit 0"));
    assert!(run_cli(&config, &["history", "--tenant", "Not Valid"], "").await.err().contains("tenant id"));
    assert!(run_cli(&config, &["history"], "").await.ok().contains("no enhancement runs match"));
    assert_eq!(history(&test_db, &["--status", "ignored"]).await, Vec::<Value>::new());
}
