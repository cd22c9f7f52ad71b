//! A resolution that arrives later: an "updated" webhook after the ticket was resolved refreshes the
//! ticket's corpus row through an index-only job (no second note); our own updates stay ignored.

use std::time::{Duration, Instant};

use enhancer_tests::signing::{generic_created, generic_updated};
use enhancer_tests::worker::{TestWorker, wait_for_status};
use enhancer_worker::job::index::INDEX_ONLY;
use sqlx::PgPool;

use crate::ingest_contract::post_signed;
use crate::worker_e2e::pipeline;

const WITHIN: Duration = Duration::from_secs(30);
const RESOLUTION: &str = "Raised the VPN concentrator's idle timeout from 10 to 60 minutes.";

#[derive(Debug, sqlx::FromRow)]
struct CorpusRow {
    resolution: Option<String>,
    status: Option<String>,
    resolved_at: Option<chrono::DateTime<chrono::Utc>>,
}

async fn corpus_row(pool: &PgPool, ticket: &str) -> Option<CorpusRow> {
    sqlx::query_as("SELECT resolution, status, resolved_at FROM tickets WHERE tenant_id = 'acme' AND ticket_id = $1")
        .bind(ticket)
        .fetch_optional(pool)
        .await
        .expect("corpus query")
}

#[derive(Debug, sqlx::FromRow)]
struct RunRow {
    status: String,
    event_kind: String,
    model: Option<String>,
    note_ref: Option<String>,
    ignored_reason: Option<String>,
}

async fn runs(pool: &PgPool, ticket: &str) -> Vec<RunRow> {
    sqlx::query_as(
        "SELECT status, event_kind, model, note_ref, ignored_reason FROM enhancement_history \
         WHERE tenant_id = 'acme' AND ticket_id = $1 ORDER BY created_at",
    )
    .bind(ticket)
    .fetch_all(pool)
    .await
    .expect("history query")
}

#[tokio::test]
async fn a_later_resolution_reaches_the_corpus_without_a_second_note() {
    let p = pipeline(&[]).await;
    let worker = TestWorker::spawn(&p.worker_config).await;

    let created = post_signed(&p.ingest, "acme", "delivery-created", &generic_created("4711", "VPN drops")).await;
    assert_eq!(created.status(), 202);
    wait_for_status(&p.db.pool, "acme", "4711", "completed", WITHIN).await;
    let row = corpus_row(&p.db.pool, "4711").await.expect("the enhanced ticket is indexed");
    assert_eq!((row.resolution.as_deref(), row.status.as_deref()), (None, Some("open")));
    assert!(row.resolved_at.is_none());

    // An agent resolves the ticket in the tool, which sends an "updated" webhook.
    p.tool.resolve("4711", RESOLUTION);
    let updated =
        post_signed(&p.ingest, "acme", "delivery-updated", &generic_updated("4711", "agent@example.com")).await;
    assert_eq!(updated.status(), 202);
    let answer: serde_json::Value = updated.json().await.expect("json");
    assert_eq!(answer["status"], "queued");

    let deadline = Instant::now() + WITHIN;
    let row = loop {
        let row = corpus_row(&p.db.pool, "4711").await.expect("row");
        if row.resolution.is_some() {
            break row;
        }
        assert!(Instant::now() < deadline, "the resolution did not reach the corpus: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(row.resolution.as_deref(), Some(RESOLUTION));
    assert_eq!(row.status.as_deref(), Some("resolved"));
    assert!(row.resolved_at.is_some(), "resolved_at is set when the resolution arrives");

    let deadline = Instant::now() + WITHIN;
    let runs = loop {
        let runs = runs(&p.db.pool, "4711").await;
        if runs.len() == 2 && runs.iter().all(|r| r.status == "completed") {
            break runs;
        }
        assert!(Instant::now() < deadline, "both runs should complete: {runs:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(runs[0].event_kind, "created");
    assert!(runs[0].note_ref.is_some() && runs[0].ignored_reason.is_none(), "{runs:?}");
    let index = &runs[1];
    assert_eq!(index.event_kind, "updated");
    assert_eq!((index.model.as_deref(), index.note_ref.as_deref()), (None, None), "{index:?}");
    assert_eq!(index.ignored_reason.as_deref(), Some(INDEX_ONLY));
    assert_eq!(p.tool.notes_for("4711").len(), 1, "an index run posts no note");
    worker.stop().await;
}

#[tokio::test]
async fn an_update_caused_by_our_own_note_is_still_ignored() {
    let p = pipeline(&[]).await;
    // The generic tool names the actor; our note's own webhook carries our full marker in its comment.
    let ours = serde_json::to_vec(&serde_json::json!({
        "type": "ticket.updated",
        "data": {"ticket_id": "4711", "actor": "alice@example.com", "comment": "ticket-enhancer:0190c0de-0000-7000-8000-000000000001"}
    }))
    .expect("json");
    let response = post_signed(&p.ingest, "acme", "delivery-ours", &ours).await;
    assert_eq!(response.status(), 200);
    let answer: serde_json::Value = response.json().await.expect("json");
    assert_eq!(answer["status"], "ignored");
    assert!(answer["reason"].as_str().expect("reason").contains("marker"), "{answer}");
    assert_eq!(p.ingest.jobs_ready().await, 0, "nothing is queued for our own update");
}
