//! The bulk ticket import (`corpus::import::tickets_bulk`, used to load large generated corpora): the same
//! conflict rule as the row-by-row import, addresses extracted and stored, and the rows' order kept in
//! `indexed_at` (what "the most recent tickets" of the search reads).

use enhancer_tests::TestDb;
use enhancer_worker::corpus::import::{self, Imported, TicketRow};

fn row(id: &str, subject: &str, description: &str, resolution: Option<&str>) -> TicketRow {
    TicketRow {
        ticket_id: id.into(),
        subject: subject.into(),
        description: description.into(),
        resolution: resolution.map(Into::into),
        status: Some("open".into()),
        ..TicketRow::default()
    }
}

#[tokio::test]
async fn bulk_import_upserts_keeps_order_and_stores_addresses() {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, "acme", "generic").await;
    let rows: Vec<TicketRow> = (0..2_500)
        .map(|n| row(&format!("T-{n}"), &format!("Ticket {n}"), "Printer 10.1.2.3 offline", Some("Restarted")))
        .collect();
    let imported = import::tickets_bulk(&db.pool, "acme", &rows).await.expect("bulk import");
    assert_eq!(imported, Imported { new: 2_500, updated: 0 });

    // The file wins on a second import: a blank resolution clears it, as in the row-by-row import.
    let again = [row("T-7", "Ticket 7 again", "No address now", None), row("T-9000", "New", "", None)];
    let imported = import::tickets_bulk(&db.pool, "acme", &again).await.expect("second import");
    assert_eq!(imported, Imported { new: 1, updated: 1 });
    let (subject, resolution, addresses): (String, Option<String>, Vec<String>) = sqlx::query_as(
        "SELECT subject, resolution, ip_addresses::text[] FROM tickets WHERE tenant_id = 'acme' AND ticket_id = 'T-7'",
    )
    .fetch_one(&db.pool)
    .await
    .expect("row");
    assert_eq!((subject.as_str(), resolution, addresses.len()), ("Ticket 7 again", None, 0));
    let stored: Vec<String> = sqlx::query_scalar(
        "SELECT abbrev(unnest(ip_addresses)) FROM tickets WHERE tenant_id = 'acme' AND ticket_id = 'T-1'",
    )
    .fetch_all(&db.pool)
    .await
    .expect("addresses");
    assert_eq!(stored, ["10.1.2.3"]);

    // Rows of one batch are indexed in the order given: the newest of the first load is its last row.
    let newest: String = sqlx::query_scalar(
        "SELECT ticket_id FROM tickets WHERE tenant_id = 'acme' AND ticket_id LIKE 'T-2%' \
         ORDER BY indexed_at DESC LIMIT 1",
    )
    .fetch_one(&db.pool)
    .await
    .expect("newest");
    assert_eq!(newest, "T-2499");
}
