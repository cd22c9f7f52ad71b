//! The worker's in-memory search index kept in step with PostgreSQL: a searcher that has loaded a tenant's
//! tickets and articles finds what is written afterwards (new rows, rewritten rows, a row whose transaction
//! committed after a search had read past its stamp), and a rewritten ticket no longer matches its old words.

use std::time::Duration;

use enhancer_tests::TestDb;
use enhancer_worker::corpus::import::{self, ArticleRow, TicketRow};
use enhancer_worker::corpus::search::{self, Cadence, Searcher};
use sqlx::{PgPool, Postgres, Transaction};

use crate::context_search::ticket;

const TENANT: &str = "acme";

/// Longer than the index's refresh interval (500 ms): the next search catches up.
const PAST_REFRESH: Duration = Duration::from_millis(700);

fn row(id: &str, subject: &str, description: &str) -> TicketRow {
    TicketRow {
        ticket_id: id.into(),
        subject: subject.into(),
        description: description.into(),
        resolution: Some("Fixed.".into()),
        status: Some("resolved".into()),
        ..TicketRow::default()
    }
}

/// A transaction that has inserted ticket `slow` ("BitLocker recovery key ...") and not committed: its
/// `indexed_at` is its start.
async fn slow_insert(pool: &PgPool) -> Transaction<'static, Postgres> {
    let mut slow = pool.begin().await.expect("begin");
    sqlx::query("INSERT INTO tickets (tenant_id, ticket_id, subject, source) VALUES ($1, 'slow', $2, 'import')")
        .bind(TENANT)
        .bind("BitLocker recovery key prompt after BIOS update")
        .execute(&mut *slow)
        .await
        .expect("insert in the slow transaction");
    slow
}

async fn ids(searcher: &Searcher, subject: &str) -> Vec<String> {
    let query = ticket("999", subject, "");
    let found = search::similar_tickets(searcher, TENANT, &query, 5).await.expect("search");
    found.into_iter().map(|t| t.ticket_id).collect()
}

#[tokio::test]
async fn rows_written_after_the_first_search_are_found_and_rewritten_rows_replaced() {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, TENANT, "generic").await;
    import::ticket(&db.pool, TENANT, &row("1", "Printer jammed on floor 3", "Paper jam.")).await.expect("import");
    let searcher = Searcher::new(db.pool.clone());
    assert!(ids(&searcher, "GlobalProtect tunnel drops").await.is_empty(), "loaded: nothing about VPN yet");

    import::ticket(&db.pool, TENANT, &row("2", "GlobalProtect tunnel drops hourly", "VPN.")).await.expect("import");
    tokio::time::sleep(PAST_REFRESH).await;
    assert_eq!(ids(&searcher, "GlobalProtect tunnel drops").await, ["2"], "a new row is found");

    import::ticket(&db.pool, TENANT, &row("2", "Monitor flickers", "Screen.")).await.expect("rewrite");
    tokio::time::sleep(PAST_REFRESH).await;
    assert!(ids(&searcher, "GlobalProtect tunnel drops").await.is_empty(), "the old words are gone");
    assert_eq!(ids(&searcher, "Monitor flickers").await, ["2"], "the new words match");

    let article = ArticleRow {
        article_id: "KB-1".into(),
        title: "Monitor flickers: replace the cable".into(),
        body: "A flickering monitor usually has a loose cable.".into(),
        url: None,
    };
    assert!(
        search::kb_articles(&searcher, TENANT, &ticket("998", "Monitor flickers", ""), 3).await.expect("kb").is_empty()
    );
    import::article(&db.pool, TENANT, &article).await.expect("import article");
    tokio::time::sleep(PAST_REFRESH).await;
    let found = search::kb_articles(&searcher, TENANT, &ticket("998", "Monitor flickers", ""), 3).await.expect("kb");
    assert_eq!(found.iter().map(|a| a.article_id.as_str()).collect::<Vec<_>>(), ["KB-1"]);
    // What `enhancer_worker_search_index_documents` reports: the rewritten ticket counts once.
    assert_eq!(searcher.documents(), [("tickets", 2), ("articles", 1)]);
}

/// A transaction's `indexed_at` is its start: a row committed after a search read newer stamps must still be
/// read by the next catch-up.
#[tokio::test]
async fn a_row_committed_after_a_newer_one_was_read_is_still_found() {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, TENANT, "generic").await;
    let searcher = Searcher::new(db.pool.clone());
    assert!(ids(&searcher, "BitLocker recovery key").await.is_empty());

    let slow = slow_insert(&db.pool).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    import::ticket(&db.pool, TENANT, &row("fast", "Printer jammed", "Paper.")).await.expect("import");
    tokio::time::sleep(PAST_REFRESH).await;
    assert_eq!(ids(&searcher, "Printer jammed").await, ["fast"], "the newer row is read first");

    slow.commit().await.expect("commit");
    tokio::time::sleep(PAST_REFRESH).await;
    assert_eq!(ids(&searcher, "BitLocker recovery key").await, ["slow"], "the older stamp, committed later");
}

/// Writes that keep arriving while searches catch up do not make the count check rebuild: it counts in the
/// snapshot it catches up from.
#[tokio::test]
async fn steady_writes_during_count_checks_cause_no_rebuild() {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, TENANT, "generic").await;
    let cadence = Cadence {
        refresh_every: Duration::from_millis(20),
        count_every: Duration::from_millis(50),
        ..Cadence::DEFAULT
    };
    let searcher = Searcher::with_cadence(db.pool.clone(), cadence);
    assert!(ids(&searcher, "Printer jammed").await.is_empty());
    let pool = db.pool.clone();
    let writer = tokio::spawn(async move {
        for i in 0..300 {
            import::ticket(&pool, TENANT, &row(&format!("w{i}"), "Printer jammed", "Paper.")).await.expect("import");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    while !writer.is_finished() {
        ids(&searcher, "Printer jammed").await;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    writer.await.expect("writer");
    assert_eq!(searcher.rebuilds(), 0, "every row was caught up: no count check may disagree");
}

/// A transaction longer than the overlap escapes catching up; the count check finds the row missing and a
/// rebuild reads it.
#[tokio::test]
async fn the_count_check_recovers_a_row_catching_up_missed() {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, TENANT, "generic").await;
    let cadence = Cadence {
        refresh_every: Duration::from_millis(100),
        overlap: Duration::ZERO,
        count_every: Duration::from_millis(400),
        ..Cadence::DEFAULT
    };
    let searcher = Searcher::with_cadence(db.pool.clone(), cadence);
    assert!(ids(&searcher, "BitLocker recovery key").await.is_empty());

    let slow = slow_insert(&db.pool).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    ids(&searcher, "Printer jammed").await;
    slow.commit().await.expect("commit");

    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while ids(&searcher, "BitLocker recovery key").await.is_empty() {
        assert!(std::time::Instant::now() < deadline, "the count check never rebuilt the index");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(searcher.rebuilds() >= 1);
}
