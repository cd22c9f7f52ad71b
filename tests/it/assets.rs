//! The IP cross-reference against real PostgreSQL: assets found by containment in both directions, each
//! once and the most specific first, other tickets that mention the same addresses newest first, and no
//! row of another tenant.

use enhancer_tests::TestDb;
use enhancer_worker::corpus::search::{related_assets, tickets_mentioning};
use sqlx::PgPool;

async fn tenant(pool: &PgPool, id: &str) {
    enhancer_tests::insert_placeholder_tenant(pool, id, "generic").await;
}

async fn asset(pool: &PgPool, tenant: &str, id: &str, address: &str, hostname: &str) {
    sqlx::query("INSERT INTO assets (tenant_id, asset_id, address, hostname, criticality) VALUES ($1, $2, $3::inet, $4, 'high')")
        .bind(tenant)
        .bind(id)
        .bind(address)
        .bind(hostname)
        .execute(pool)
        .await
        .expect("asset");
}

async fn ticket(pool: &PgPool, tenant: &str, id: &str, addresses: &[&str], minutes_ago: i32) {
    sqlx::query(
        "INSERT INTO tickets (tenant_id, ticket_id, subject, status, ip_addresses, indexed_at) \
         VALUES ($1, $2, 'about ' || $2, 'resolved', $3::text[]::inet[], now() - make_interval(mins => $4))",
    )
    .bind(tenant)
    .bind(id)
    .bind(addresses)
    .bind(minutes_ago)
    .execute(pool)
    .await
    .expect("ticket");
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn assets_are_found_by_containment_most_specific_first() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;
    tenant(pool, "other").await;
    asset(pool, "acme", "vpn-gw", "10.20.30.40", "vpn-gw-01").await;
    asset(pool, "acme", "dc-net", "10.20.0.0/16", "dc-network").await;
    asset(pool, "acme", "printer", "10.50.1.7", "prn-floor3").await;
    asset(pool, "acme", "v6-host", "2001:db8::40", "web-v6").await;
    asset(pool, "acme", "unrelated", "192.168.1.1", "home-router").await;
    asset(pool, "other", "theirs", "10.20.30.40", "not-ours").await;

    let found = related_assets(pool, "acme", &strings(&["10.20.30.40", "10.50.1.0/24", "2001:db8::/64"]))
        .await
        .expect("related assets");
    let seen: Vec<(&str, &str, Option<&str>)> =
        found.iter().map(|a| (a.matched.as_str(), a.address.as_str(), a.hostname.as_deref())).collect();
    assert_eq!(
        seen,
        [
            // The host itself, then the network that contains it.
            ("10.20.30.40", "10.20.30.40", Some("vpn-gw-01")),
            ("10.20.30.40", "10.20.0.0/16", Some("dc-network")),
            // A network named in the ticket brings in the assets inside it.
            ("10.50.1.0/24", "10.50.1.7", Some("prn-floor3")),
            ("2001:db8::/64", "2001:db8::40", Some("web-v6")),
        ]
    );
    assert_eq!(found[0].criticality.as_deref(), Some("high"));

    // An address inside the network only: the network matches, once, even when named twice.
    let found = related_assets(pool, "acme", &strings(&["10.20.99.1", "10.20.99.2"])).await.expect("related");
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].matched.as_str(), found[0].address.as_str()), ("10.20.99.1", "10.20.0.0/16"));

    // Nothing matches, nothing to look up, or garbage in the list: no error.
    assert!(related_assets(pool, "acme", &strings(&["172.16.0.1"])).await.expect("none").is_empty());
    assert!(related_assets(pool, "acme", &[]).await.expect("empty").is_empty());
    let found = related_assets(pool, "acme", &strings(&["not an ip", "10.50.1.7"])).await.expect("garbage");
    assert_eq!(found.len(), 1);
    assert!(related_assets(pool, "nobody", &strings(&["10.20.30.40"])).await.expect("other tenant").is_empty());
}

#[tokio::test]
async fn tickets_mentioning_the_same_addresses_newest_first() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;
    tenant(pool, "other").await;
    ticket(pool, "acme", "T-1", &["10.20.30.40"], 60).await;
    ticket(pool, "acme", "T-2", &["10.0.0.9", "2001:db8::40"], 30).await;
    ticket(pool, "acme", "T-3", &["10.20.30.40", "10.0.0.0/24"], 10).await;
    ticket(pool, "acme", "T-4", &["10.9.9.9"], 5).await;
    ticket(pool, "acme", "SELF", &["10.20.30.40"], 0).await;
    ticket(pool, "other", "X-1", &["10.20.30.40"], 1).await;

    let addresses = strings(&["10.20.30.40", "2001:db8::40"]);
    let found = tickets_mentioning(pool, "acme", &addresses, "SELF", 10).await.expect("tickets mentioning");
    let seen: Vec<(&str, &str)> = found.iter().map(|t| (t.ticket_id.as_str(), t.address.as_str())).collect();
    assert_eq!(seen, [("T-3", "10.20.30.40"), ("T-2", "2001:db8::40"), ("T-1", "10.20.30.40")]);
    assert_eq!(found[0].subject, "about T-3");
    assert_eq!(found[0].status.as_deref(), Some("resolved"));

    let limited = tickets_mentioning(pool, "acme", &addresses, "SELF", 1).await.expect("limited");
    assert_eq!(limited.len(), 1);
    assert_eq!(limited[0].ticket_id, "T-3");
    // Networks match networks exactly.
    let by_network = tickets_mentioning(pool, "acme", &strings(&["10.0.0.0/24"]), "SELF", 10).await.expect("net");
    assert_eq!(by_network.iter().map(|t| t.ticket_id.as_str()).collect::<Vec<_>>(), ["T-3"]);
    assert!(tickets_mentioning(pool, "acme", &strings(&["172.16.0.1"]), "SELF", 10).await.expect("none").is_empty());
}

#[tokio::test]
async fn the_address_lookup_follows_every_write_of_a_ticket() {
    // `ticket_addresses` is kept by triggers on `tickets` (migrations/20261203000001_note_context_lookups.sql):
    // changed addresses, a re-index moving a ticket to the front, a deleted ticket, a deleted tenant.
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;
    tenant(pool, "gone").await;
    ticket(pool, "acme", "T-1", &["10.1.1.1"], 30).await;
    ticket(pool, "acme", "T-2", &["10.1.1.1", "10.1.1.1", "10.2.2.2"], 20).await;
    ticket(pool, "gone", "G-1", &["10.1.1.1"], 10).await;
    let ids = |found: Vec<enhancer_worker::context::RelatedTicket>| {
        found.into_iter().map(|t| (t.ticket_id, t.address)).collect::<Vec<_>>()
    };
    let pair = |id: &str, address: &str| (id.to_owned(), address.to_owned());
    let one = strings(&["10.1.1.1"]);
    assert_eq!(
        ids(tickets_mentioning(pool, "acme", &one, "-", 5).await.unwrap()),
        [pair("T-2", "10.1.1.1"), pair("T-1", "10.1.1.1")]
    );

    // T-1 re-indexed (as a new event for it does): it comes first.
    sqlx::query("UPDATE tickets SET indexed_at = now() WHERE ticket_id = 'T-1'").execute(pool).await.unwrap();
    assert_eq!(
        ids(tickets_mentioning(pool, "acme", &one, "-", 5).await.unwrap()),
        [pair("T-1", "10.1.1.1"), pair("T-2", "10.1.1.1")]
    );

    // T-2 no longer names 10.1.1.1; T-1 now names 10.2.2.2 too.
    sqlx::query("UPDATE tickets SET ip_addresses = '{10.2.2.2}' WHERE ticket_id = 'T-2'").execute(pool).await.unwrap();
    sqlx::query("UPDATE tickets SET ip_addresses = '{10.2.2.2,10.1.1.1}' WHERE ticket_id = 'T-1'")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(ids(tickets_mentioning(pool, "acme", &one, "-", 5).await.unwrap()), [pair("T-1", "10.1.1.1")]);
    let both = strings(&["10.2.2.2", "10.1.1.1"]);
    assert_eq!(
        ids(tickets_mentioning(pool, "acme", &both, "-", 5).await.unwrap()),
        [pair("T-1", "10.2.2.2"), pair("T-2", "10.2.2.2")]
    );

    // A deleted ticket and a deleted tenant leave nothing behind.
    sqlx::query("DELETE FROM tickets WHERE ticket_id = 'T-1'").execute(pool).await.unwrap();
    sqlx::query("DELETE FROM tenant_configs WHERE tenant_id = 'gone'").execute(pool).await.unwrap();
    assert_eq!(ids(tickets_mentioning(pool, "acme", &both, "-", 5).await.unwrap()), [pair("T-2", "10.2.2.2")]);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM ticket_addresses").fetch_one(pool).await.unwrap();
    assert_eq!(rows, 1, "one row left: T-2's 10.2.2.2");
}

#[tokio::test]
async fn an_address_named_by_many_tickets_lists_the_newest() {
    // The mass incident's shape: hundreds of tickets name the mail server; the lookup reads the newest few.
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;
    sqlx::query(
        "INSERT INTO tickets (tenant_id, ticket_id, subject, ip_addresses, indexed_at) \
         SELECT 'acme', 'M-' || lpad(i::text, 4, '0'), 'mail down', '{10.40.1.10}', now() - make_interval(secs => 1000 - i) \
         FROM generate_series(1, 800) AS i",
    )
    .execute(pool)
    .await
    .unwrap();
    let found = tickets_mentioning(pool, "acme", &strings(&["10.9.9.9", "10.40.1.10"]), "M-0800", 3).await.unwrap();
    let seen: Vec<&str> = found.iter().map(|t| t.ticket_id.as_str()).collect();
    assert_eq!(seen, ["M-0799", "M-0798", "M-0797"]);
    assert!(found.iter().all(|t| t.address == "10.40.1.10"));
}
