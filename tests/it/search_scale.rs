//! Similar-ticket search on a mass incident: 20,000 identical tickets in the corpus. The search reads a
//! bounded sample of them (capped document frequencies, candidates from the rarer terms) and must still
//! find the one duplicate worded differently, leave the flood of look-alikes that share only common words
//! out, and never return the ticket itself. Time is not asserted; `docs/BENCHMARKS.md` has the buffer counts.

use enhancer_tests::TestDb;
use enhancer_worker::corpus::search::{self, Searcher};

use crate::context_search::ticket;

const MASS: i64 = 20_000;

async fn mass_incident() -> TestDb {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, "acme", "generic").await;
    sqlx::query(
        "INSERT INTO tickets (tenant_id, ticket_id, subject, description, source) \
         SELECT 'acme', 'mass-' || g, 'Outlook cannot connect to Exchange', \
                'Since this morning Outlook cannot connect to the Exchange server and keeps asking for the password.', \
                'import' \
         FROM generate_series(1, $1) AS g",
    )
    .bind(MASS)
    .execute(&db.pool)
    .await
    .expect("mass incident");
    for (id, subject, description, resolution) in [
        (
            "dup",
            "GlobalProtect tunnel keeps dropping",
            "Remote users lose the GlobalProtect VPN tunnel every half hour and have to reconnect.",
            Some("Raised the idle timeout on the VPN gateway from 30 to 120 minutes."),
        ),
        ("vpn-1", "VPN disconnects every 30 minutes", "Since this morning the VPN tunnel drops.", None),
    ] {
        sqlx::query(
            "INSERT INTO tickets (tenant_id, ticket_id, subject, description, resolution, source) \
             VALUES ('acme', $1, $2, $3, $4, 'import')",
        )
        .bind(id)
        .bind(subject)
        .bind(description)
        .bind(resolution)
        .execute(&db.pool)
        .await
        .expect("ticket");
    }
    sqlx::query("ANALYZE tickets").execute(&db.pool).await.expect("analyze");
    db
}

#[tokio::test]
async fn a_mass_incident_does_not_drown_the_known_duplicate() {
    let db = mass_incident().await;
    let query = ticket(
        "vpn-1",
        "VPN disconnects every 30 minutes",
        "Since this morning the VPN tunnel drops and I cannot connect again for a while.",
    );
    let found = search::similar_tickets(&Searcher::new(db.pool.clone()), "acme", &query, 5).await.expect("search");
    let ids: Vec<&str> = found.iter().map(|t| t.ticket_id.as_str()).collect();
    assert_eq!(ids.first(), Some(&"dup"), "{found:?}");
    assert!(!ids.contains(&"vpn-1"), "the ticket itself is excluded: {ids:?}");
    // The flood shares only words every one of them has ("since this morning", "cannot connect").
    assert!(ids.iter().all(|id| !id.starts_with("mass-")), "common words alone are no similarity: {ids:?}");
}

#[tokio::test]
async fn a_ticket_of_the_mass_incident_finds_its_siblings_but_not_itself() {
    let db = mass_incident().await;
    let query = ticket(
        "mass-17",
        "Outlook cannot connect to Exchange",
        "Since this morning Outlook cannot connect to the Exchange server and keeps asking for the password.",
    );
    let found = search::similar_tickets(&Searcher::new(db.pool.clone()), "acme", &query, 5).await.expect("search");
    assert_eq!(found.len(), 5, "{found:?}");
    assert!(found.iter().all(|t| t.ticket_id.starts_with("mass-") && t.ticket_id != "mass-17"), "{found:?}");
    // Identical wording: every sibling matches every query term where the query has it.
    assert!(found.iter().all(|t| t.score == found[0].score && t.score > 0.5), "{found:?}");
}
