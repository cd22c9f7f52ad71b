//! Context search over real PostgreSQL: similar tickets (duplicates first, the ticket itself and unrelated
//! tickets left out, resolved ones preferred, partial overlap enough), knowledge-base articles, and the
//! corpus upsert.

use enhancer_shared::domain::{Priority, Ticket, TicketId};
use enhancer_tests::TestDb;
use enhancer_worker::corpus::search::Searcher;
use enhancer_worker::corpus::{self, search};
use sqlx::PgPool;

const TENANT: &str = "acme";

async fn seeded() -> TestDb {
    let db = TestDb::migrated().await;
    enhancer_tests::insert_placeholder_tenant(&db.pool, "acme", "generic").await;
    db
}

async fn insert(pool: &PgPool, id: &str, subject: &str, description: &str, resolution: Option<&str>) {
    sqlx::query(
        "INSERT INTO tickets (tenant_id, ticket_id, subject, description, resolution, source) \
         VALUES ($1, $2, $3, $4, $5, 'import')",
    )
    .bind(TENANT)
    .bind(id)
    .bind(subject)
    .bind(description)
    .bind(resolution)
    .execute(pool)
    .await
    .expect("insert ticket");
}

/// An open, high-priority ticket with no resolution (also used by `search_scale`).
pub(crate) fn ticket(id: &str, subject: &str, description: &str) -> Ticket {
    Ticket {
        id: TicketId::parse(id).expect("ticket id"),
        subject: subject.into(),
        description: description.into(),
        status: Some("open".into()),
        priority: Priority::High,
        requester: None,
        created_at: None,
        updated_at: None,
        url: None,
        resolution: None,
    }
}

/// A small corpus with one duplicate of the VPN query, unrelated tickets, and noise sharing a word or two.
async fn corpus(pool: &PgPool) {
    let rows = [
        (
            "100",
            "GlobalProtect VPN disconnects every 30 minutes",
            "Remote users lose the VPN tunnel every half hour.",
            Some("Upgraded GlobalProtect to 6.1."),
        ),
        ("101", "Printer on 3rd floor offline", "Print jobs stuck in the queue.", Some("Restarted the spooler.")),
        ("102", "Request a second monitor", "I would like a second monitor for my desk.", None),
        (
            "103",
            "Outlook not syncing",
            "Desktop Outlook does not show new mail; users affected since the update.",
            None,
        ),
        ("104", "Disk space low on FS02", "C: drive has 2 GB free.", Some("Cleaned up IIS logs.")),
    ];
    for (id, subject, description, resolution) in rows {
        insert(pool, id, subject, description, resolution).await;
    }
}

#[tokio::test]
async fn the_duplicate_ranks_first_and_unrelated_tickets_are_left_out() {
    let db = seeded().await;
    corpus(&db.pool).await;
    let query = ticket(
        "200",
        "VPN keeps disconnecting",
        "Since this morning my GlobalProtect VPN disconnects every 30 minutes.",
    );
    // The ticket itself is in the corpus too (it was indexed on an earlier event) and must not come back.
    insert(&db.pool, "200", &query.subject, &query.description, None).await;

    let similar = search::similar_tickets(&Searcher::new(db.pool.clone()), TENANT, &query, 5).await.expect("search");
    let ids: Vec<&str> = similar.iter().map(|t| t.ticket_id.as_str()).collect();
    assert_eq!(ids, ["100"], "only the duplicate is similar enough: {similar:?}");
    // 103 shares a word with the query ("since"), so it is a candidate: only the minimum score keeps it out.
    let shares: bool =
        sqlx::query_scalar("SELECT search @@ to_tsquery('english', 'since') FROM tickets WHERE ticket_id = '103'")
            .fetch_one(&db.pool)
            .await
            .expect("shares a word");
    assert!(shares);
    assert_eq!(similar[0].resolution.as_deref(), Some("Upgraded GlobalProtect to 6.1."));
    assert!(similar[0].score >= search::MIN_SCORE as f32);
}

#[tokio::test]
async fn resolved_tickets_are_preferred_over_open_look_alikes() {
    let db = seeded().await;
    corpus(&db.pool).await;
    let text = "Certificate expired on the intranet portal, browsers warn.";
    insert(&db.pool, "300", "Intranet certificate expired", text, None).await;
    insert(
        &db.pool,
        "301",
        "Intranet certificate expired",
        text,
        Some("Renewed the certificate from the internal CA."),
    )
    .await;

    let query = ticket("302", "Intranet portal certificate expired", "Browsers show a certificate warning.");
    let similar = search::similar_tickets(&Searcher::new(db.pool.clone()), TENANT, &query, 5).await.expect("search");
    let ids: Vec<&str> = similar.iter().map(|t| t.ticket_id.as_str()).collect();
    assert_eq!(ids, ["301", "300"]);
    assert!(similar[0].score > similar[1].score);
}

#[tokio::test]
async fn partial_overlap_is_enough() {
    let db = seeded().await;
    corpus(&db.pool).await;
    let query =
        ticket("400", "Outlook desktop not syncing for the finance team", "Finance users see no new mail in Outlook.");
    // Every word of the query is not in the duplicate, so a search requiring them all finds nothing.
    let all_words: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tickets WHERE search @@ plainto_tsquery('english', $1 || ' ' || $2)")
            .bind(&query.subject)
            .bind(&query.description)
            .fetch_one(&db.pool)
            .await
            .expect("count");
    assert_eq!(all_words, 0);

    let similar = search::similar_tickets(&Searcher::new(db.pool.clone()), TENANT, &query, 5).await.expect("search");
    assert_eq!(similar.first().map(|t| t.ticket_id.as_str()), Some("103"), "{similar:?}");
}

#[tokio::test]
async fn tickets_without_salient_words_or_another_tenant_find_nothing() {
    let db = seeded().await;
    corpus(&db.pool).await;
    let empty = ticket("500", "it is not", "and then the");
    assert!(
        search::similar_tickets(&Searcher::new(db.pool.clone()), TENANT, &empty, 5).await.expect("search").is_empty()
    );
    let vpn = ticket("501", "VPN disconnects", "GlobalProtect VPN disconnects every 30 minutes.");
    assert!(
        search::similar_tickets(&Searcher::new(db.pool.clone()), "other", &vpn, 5).await.expect("search").is_empty()
    );
    // Operator characters in the text are data, never tsquery syntax.
    let odd = ticket("502", "VPN | disconnects & (drops) !!", "'quoted' \\ back:slash <-> vpn:*");
    let similar =
        search::similar_tickets(&Searcher::new(db.pool.clone()), TENANT, &odd, 5).await.expect("search with operators");
    assert_eq!(similar.first().map(|t| t.ticket_id.as_str()), Some("100"));
}

#[tokio::test]
async fn kb_search_finds_the_right_article_with_an_excerpt() {
    let db = seeded().await;
    let articles = [
        (
            "KB-1",
            "VPN disconnects: upgrade GlobalProtect",
            "If the GlobalProtect tunnel drops every few minutes, upgrade the client to 6.1 and set the keep-alive to 60 seconds. Then clear the cached portal.",
        ),
        ("KB-2", "Printer offline", "Restart the Print Spooler service and clear the queue."),
        ("KB-3", "Ordering hardware", "Monitors and disks are ordered through the catalogue."),
    ];
    for (id, title, body) in articles {
        sqlx::query("INSERT INTO kb_articles (tenant_id, article_id, title, body, url) VALUES ($1, $2, $3, $4, $5)")
            .bind(TENANT)
            .bind(id)
            .bind(title)
            .bind(body)
            .bind(format!("https://kb.example.com/{id}"))
            .execute(&db.pool)
            .await
            .expect("article");
    }
    let query = ticket("600", "VPN keeps dropping", "My GlobalProtect VPN disconnects every ten minutes.");
    let found = search::kb_articles(&Searcher::new(db.pool.clone()), TENANT, &query, 3).await.expect("kb search");
    let ids: Vec<&str> = found.iter().map(|a| a.article_id.as_str()).collect();
    assert_eq!(ids, ["KB-1"], "{found:?}");
    assert_eq!(found[0].url.as_deref(), Some("https://kb.example.com/KB-1"));
    assert!(found[0].excerpt.contains("GlobalProtect"), "{}", found[0].excerpt);
    assert!(!found[0].excerpt.contains('\n') && !found[0].excerpt.contains("<b>"));
}

#[tokio::test]
async fn the_corpus_upsert_keeps_a_resolution_and_stores_addresses() {
    let db = seeded().await;
    let mut t = ticket(
        "700",
        "Host 10.20.30.40 unreachable",
        "Ping to 10.20.30.40 fails; the 10.20.0.0/16 network looks down.",
    );
    let addresses = ["10.20.30.40".to_owned(), "10.20.0.0/16".to_owned(), "2001:db8::1".to_owned()];
    corpus::index_ticket(&db.pool, TENANT, &t, &addresses, None).await.expect("first index");
    let stored: Vec<String> = sqlx::query_scalar("SELECT abbrev(a) FROM tickets, unnest(ip_addresses) AS a ORDER BY 1")
        .fetch_all(&db.pool)
        .await
        .expect("addresses");
    assert_eq!(stored, ["10.20.0.0/16", "10.20.30.40", "2001:db8::1"], "hosts and networks are inet");
    corpus::index_ticket(&db.pool, TENANT, &t, &addresses, Some("Re-enabled the switch uplink."))
        .await
        .expect("resolved");
    t.subject = "Host 10.20.30.40 unreachable again".into();
    t.status = Some("closed".into());
    corpus::index_ticket(&db.pool, TENANT, &t, &addresses[..1], None).await.expect("later event");

    let (subject, resolution, status, source, ips, resolved): (
        String,
        Option<String>,
        Option<String>,
        String,
        Vec<String>,
        bool,
    ) = sqlx::query_as(
        "SELECT subject, resolution, status, source, ARRAY(SELECT abbrev(a) FROM unnest(ip_addresses) AS a), \
             resolved_at IS NOT NULL \
             FROM tickets WHERE tenant_id = $1 AND ticket_id = '700'",
    )
    .bind(TENANT)
    .fetch_one(&db.pool)
    .await
    .expect("row");
    assert_eq!(subject, "Host 10.20.30.40 unreachable again");
    assert_eq!(resolution.as_deref(), Some("Re-enabled the switch uplink."), "None keeps the stored resolution");
    assert_eq!(status.as_deref(), Some("closed"));
    assert_eq!(source, "webhook");
    assert_eq!(ips, ["10.20.30.40"]);
    assert!(resolved);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM tickets").fetch_one(&db.pool).await.expect("count");
    assert_eq!(count, 1, "upsert, not insert");
}

/// Text of all-distinct words, about `bytes` long: its tsvector is larger than PostgreSQL's 1 MB cap.
fn distinct_words(bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 16);
    let mut n = 0u32;
    while text.len() < bytes {
        text.push_str(&format!("tok{n:08x} "));
        n += 1;
    }
    text
}

/// A 2 MB description (and body) is indexed, clipped to the documented limit, by every corpus writer, and
/// a ticket with one can still be searched for; unclipped, each of these fails with "string is too long
/// for tsvector".
#[tokio::test]
async fn a_two_megabyte_description_is_indexed_clipped() {
    use corpus::limits::{MAX_BODY_BYTES, MAX_TITLE_BYTES};
    let db = seeded().await;
    let huge = format!("VPN GlobalProtect disconnects ü {}", distinct_words(2 * 1024 * 1024));
    let long_subject = format!("VPN drops {}", "x".repeat(10_000));

    // The webhook path.
    let t = ticket("800", &long_subject, &huge);
    corpus::index_ticket(&db.pool, TENANT, &t, &[], Some(&huge)).await.expect("a huge ticket is indexed");
    // The import path, tickets and articles.
    let row = corpus::import::TicketRow {
        ticket_id: "801".into(),
        subject: long_subject.clone(),
        description: huge.clone(),
        resolution: Some(huge.clone()),
        ..Default::default()
    };
    corpus::import::ticket(&db.pool, TENANT, &row).await.expect("a huge imported ticket is indexed");
    let article = corpus::import::ArticleRow {
        article_id: "KB-9".into(),
        title: long_subject.clone(),
        body: huge.clone(),
        url: None,
    };
    corpus::import::article(&db.pool, TENANT, &article).await.expect("a huge article is indexed");

    let stored: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT subject, description, coalesce(resolution, '') FROM tickets WHERE tenant_id = $1 ORDER BY ticket_id",
    )
    .bind(TENANT)
    .fetch_all(&db.pool)
    .await
    .expect("rows");
    assert_eq!(stored.len(), 2);
    for (subject, description, resolution) in &stored {
        assert!(subject.len() <= MAX_TITLE_BYTES && long_subject.starts_with(subject.as_str()));
        assert!(description.len() <= MAX_BODY_BYTES && description.len() > MAX_BODY_BYTES - 16);
        assert!(huge.starts_with(description.as_str()) && huge.starts_with(resolution.as_str()));
    }
    let body_len: i32 = sqlx::query_scalar("SELECT octet_length(body) FROM kb_articles WHERE article_id = 'KB-9'")
        .fetch_one(&db.pool)
        .await
        .expect("article");
    assert!(usize::try_from(body_len).expect("len") <= MAX_BODY_BYTES);

    // The search over such a ticket works, and finds its look-alike by the words kept.
    let query = ticket("802", "VPN GlobalProtect disconnects", &huge);
    let similar = search::similar_tickets(&Searcher::new(db.pool.clone()), TENANT, &query, 5)
        .await
        .expect("search with a huge description");
    assert!(similar.iter().any(|t| t.ticket_id == "800"), "{similar:?}");
    search::kb_articles(&Searcher::new(db.pool.clone()), TENANT, &query, 3)
        .await
        .expect("kb search with a huge description");
}
