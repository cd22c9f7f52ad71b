//! `enhancer-worker import tickets|kb|assets` end to end against a real database: good rows written, bad rows
//! reported with their line and never written, a second import updating instead of duplicating, and input
//! that cannot be read at all refused before anything is written.

use std::io::Write;

use enhancer_tests::{CliRun, TestDb, run_cli};
use enhancer_worker::corpus::search::related_assets;
use serde_json::Value;
use sqlx::PgPool;

fn fixture(name: &str) -> String {
    format!("{}/data/import/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn file_with(suffix: &str, content: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(suffix).tempfile().expect("temp file");
    file.write_all(content.as_bytes()).expect("write");
    file
}

async fn tenant(pool: &PgPool, id: &str) {
    enhancer_tests::insert_placeholder_tenant(pool, id, "generic").await;
}

async fn count(pool: &PgPool, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(pool)
        .await
        .expect("count")
}

async fn import(test_db: &TestDb, args: &[&str]) -> CliRun {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    run_cli(&test_db.config(), &all, "").await
}

/// Every `(position, reason fragment)` appears among the rejected rows of the text report.
fn assert_rejected(run: &CliRun, expected: &[(&str, &str)]) {
    for (position, reason) in expected {
        let line = format!("  {position}: ");
        assert!(
            run.stdout.lines().any(|l| l.starts_with(&line) && l.contains(reason)),
            "expected {position}: ...{reason}... in:\n{}",
            run.stdout
        );
    }
    let listed = run.stdout.lines().filter(|l| l.starts_with("  ")).count();
    assert_eq!(listed, expected.len(), "{}", run.stdout);
}

/// `ticket_id`, addresses, priority, source, resolution.
type TicketColumns = (String, Vec<String>, Option<String>, String, Option<String>);

#[tokio::test]
async fn tickets_from_csv_good_rows_written_bad_rows_reported_by_line() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;
    let run = import(&test_db, &["tickets", &fixture("tickets.csv"), "--tenant", "acme"]).await;
    assert!(run.err().contains("7 row(s) rejected"), "{}", run.err());
    assert!(run.stdout.contains("imported 3, updated 0, rejected 7"), "{}", run.stdout);
    // INC-1002's description spans lines 3 and 4, so the rows after it are numbered by their real lines.
    assert_rejected(
        &run,
        &[
            ("line 5", "priority must be one of critical, high, medium, low, not \"urgent\""),
            ("line 6", "ticket_id is missing"),
            ("line 7", "resolved_at is before opened_at"),
            ("line 8", "opened_at must be an RFC 3339 time"),
            ("line 9", "url must be an absolute http(s) URL"),
            ("line 10", "has 2 fields but the header has 9"),
            ("line 11", "duplicate id \"INC-1001\", first at line 2"),
        ],
    );

    let rows: Vec<TicketColumns> = sqlx::query_as(
        "SELECT ticket_id, ARRAY(SELECT abbrev(a) FROM unnest(ip_addresses) a), priority, source, resolution \
         FROM tickets WHERE tenant_id = 'acme' ORDER BY ticket_id",
    )
    .fetch_all(pool)
    .await
    .expect("tickets");
    let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(ids, ["INC-1001", "INC-1002", "INC-1008"]);
    assert_eq!(rows[0].1, ["10.20.30.0/24", "10.20.30.40"], "addresses come from subject and description");
    assert_eq!((rows[0].2.as_deref(), rows[0].3.as_str()), (Some("high"), "import"));
    assert_eq!(rows[1].2.as_deref(), Some("medium"), "priorities are case-insensitive");
    assert!(rows[1].1.is_empty());
    let description: String = sqlx::query_scalar("SELECT description FROM tickets WHERE ticket_id = 'INC-1002'")
        .fetch_one(pool)
        .await
        .expect("description");
    assert_eq!(description, "The reset link\nexpires at once for every user.");

    // The same ids again update in place; a new id is added.
    let again = file_with(
        ".csv",
        "ticket_id,subject,description,resolution,status\n\
         INC-1001,VPN drops every hour,Tunnel to 10.20.30.41 drops,Replaced the gateway.,closed\n\
         INC-1009,New ticket,Nothing to see,,open\n",
    );
    let run = import(&test_db, &["tickets", again.path().to_str().expect("path"), "--tenant", "acme"]).await;
    assert!(run.ok().contains("imported 1, updated 1, rejected 0"), "{}", run.ok());
    assert_eq!(count(pool, "tickets").await, 4);
    let (resolution, addresses): (String, Vec<String>) = sqlx::query_as(
        "SELECT resolution, ARRAY(SELECT abbrev(a) FROM unnest(ip_addresses) a) FROM tickets WHERE ticket_id = 'INC-1001'",
    )
    .fetch_one(pool)
    .await
    .expect("updated");
    assert_eq!((resolution.as_str(), addresses.as_slice()), ("Replaced the gateway.", &["10.20.30.41".to_owned()][..]));
}

#[tokio::test]
async fn tickets_from_json_with_a_json_report() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;
    let run = import(&test_db, &["tickets", &fixture("tickets.json"), "--tenant", "acme", "--json"]).await;
    assert!(run.err().contains("4 row(s) rejected"), "{}", run.err());
    let report: Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    assert_eq!((report["imported"].as_u64(), report["updated"].as_u64()), (Some(2), Some(0)));
    let rejected: Vec<(u64, String)> = report["rejected"]
        .as_array()
        .expect("rejected rows")
        .iter()
        .map(|r| (r["line"].as_u64().expect("line"), r["error"].as_str().expect("error").to_owned()))
        .collect();
    let lines: Vec<u64> = rejected.iter().map(|r| r.0).collect();
    assert_eq!(lines, [13, 14, 15, 16]);
    assert!(rejected[0].1.contains("subject is missing"), "{rejected:?}");
    assert!(rejected[1].1.contains("not a JSON object"), "{rejected:?}");
    assert!(rejected[2].1.contains("unknown field \"priorty\""), "{rejected:?}");
    assert!(rejected[3].1.contains("status must be text"), "{rejected:?}");

    let ids: Vec<String> =
        sqlx::query_scalar("SELECT ticket_id FROM tickets ORDER BY ticket_id").fetch_all(pool).await.expect("ids");
    assert_eq!(ids, ["2002", "INC-2001"], "a numeric id is taken as text");
    let opened: String = sqlx::query_scalar(
        "SELECT to_char(opened_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM tickets WHERE ticket_id = 'INC-2001'",
    )
    .fetch_one(pool)
    .await
    .expect("opened_at");
    assert_eq!(opened, "2026-09-01 08:00");

    // JSON Lines from stdin, format taken from the content.
    let lines = "{\"ticket_id\": \"INC-2001\", \"subject\": \"Outlook still cannot connect\"}\n\
                 {\"ticket_id\": \"INC-2010\", \"subject\": \"New\"}\n";
    let run = run_cli(&test_db.config(), &["import", "tickets", "-", "--tenant", "acme"], lines).await;
    assert!(run.ok().contains("imported 1, updated 1, rejected 0"), "{}", run.ok());
}

#[tokio::test]
async fn kb_from_csv_and_from_a_folder_of_markdown() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;
    let run = import(&test_db, &["kb", &fixture("kb.csv"), "--tenant", "acme"]).await;
    assert!(run.stdout.contains("imported 2, updated 0, rejected 2"), "{}", run.stdout);
    assert_rejected(&run, &[("line 4", "title is missing"), ("line 5", "url must be an absolute http(s) URL")]);

    let run = import(&test_db, &["kb", &fixture("kb_markdown"), "--tenant", "acme"]).await;
    assert!(run.stdout.contains("imported 2, updated 0, rejected 1"), "{}", run.stdout);
    assert_rejected(&run, &[("broken-link.md:1", "url must be an absolute http(s) URL")]);
    let articles: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT article_id, title, body, url FROM kb_articles ORDER BY article_id")
            .fetch_all(pool)
            .await
            .expect("articles");
    let ids: Vec<&str> = articles.iter().map(|a| a.0.as_str()).collect();
    assert_eq!(ids, ["KB-1", "KB-2", "printer-queue", "vpn-reset"]);
    let vpn = &articles[3];
    assert_eq!(vpn.1, "Resetting the VPN client", "the title is the first heading");
    assert!(vpn.2.starts_with("When the tunnel drops") && !vpn.2.contains("# "), "{:?}", vpn.2);
    assert_eq!(vpn.3.as_deref(), Some("https://wiki.example.com/kb/vpn-reset"));
    let printer = &articles[2];
    assert_eq!(printer.1, "printer queue", "without a heading the title is the file name");
    assert_eq!(printer.3.as_deref(), Some("https://wiki.example.com/kb/printer-queue"));
    assert!(printer.2.starts_with("Restart the spooler"), "{:?}", printer.2);

    // Importing the folder again updates the same articles.
    let run = import(&test_db, &["kb", &fixture("kb_markdown"), "--tenant", "acme"]).await;
    assert!(run.stdout.contains("imported 0, updated 2, rejected 1"), "{}", run.stdout);
    assert_eq!(count(pool, "kb_articles").await, 4);
}

#[tokio::test]
async fn assets_from_csv_and_json_then_found_by_containment() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;
    let run = import(&test_db, &["assets", &fixture("assets.csv"), "--tenant", "acme"]).await;
    assert!(run.stdout.contains("imported 4, updated 0, rejected 3"), "{}", run.stdout);
    assert_rejected(
        &run,
        &[
            ("line 5", "address must be an IPv4 or IPv6 address or CIDR network"),
            ("line 6", "write 10.50.1.7 for the host or 10.50.1.0/24 for the network"),
            ("line 7", "criticality must be one of"),
        ],
    );
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT asset_id FROM assets ORDER BY asset_id").fetch_all(pool).await.expect("ids");
    assert_eq!(ids, ["10.20.0.0/16", "2001:db8::40", "prn-3", "vpn-gw-01"], "the id defaults to the address");

    let run = import(&test_db, &["assets", &fixture("assets.json"), "--tenant", "acme"]).await;
    assert!(run.stdout.contains("imported 2, updated 0, rejected 1"), "{}", run.stdout);
    assert_rejected(&run, &[("line 3", "mail-01.example.com")]);

    let found = related_assets(pool, "acme", &["10.20.30.40".to_owned(), "10.1.2.9".to_owned()]).await.expect("assets");
    let hosts: Vec<&str> = found.iter().filter_map(|a| a.hostname.as_deref()).collect();
    assert_eq!(hosts, ["vpn-gw-01", "dc1-servers", "office-lan"]);
    assert_eq!(found[0].criticality.as_deref(), Some("critical"));

    // Same ids again: updated, not duplicated.
    let run = import(&test_db, &["assets", &fixture("assets.json"), "--tenant", "acme"]).await;
    assert!(run.stdout.contains("imported 0, updated 2, rejected 1"), "{}", run.stdout);
    assert_eq!(count(pool, "assets").await, 6);
}

#[tokio::test]
async fn unreadable_input_and_unknown_tenants_are_refused_before_anything_is_written() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    tenant(pool, "acme").await;

    let run = import(&test_db, &["tickets", &fixture("tickets.csv"), "--tenant", "nobody"]).await;
    assert!(run.err().contains("tenant nobody does not exist"), "{}", run.err());

    let misspelt = file_with(".csv", "ticket_id,subjct\nT-1,VPN\n");
    let run = import(&test_db, &["tickets", misspelt.path().to_str().expect("path"), "--tenant", "acme"]).await;
    assert!(run.err().contains("unknown column \"subjct\""), "{}", run.err());

    let missing = file_with(".csv", "ticket_id,description\nT-1,VPN\n");
    let run = import(&test_db, &["tickets", missing.path().to_str().expect("path"), "--tenant", "acme"]).await;
    assert!(run.err().contains("lacks the required column(s) subject"), "{}", run.err());

    let broken = file_with(".json", "[\n{\"ticket_id\": \"T-1\", \"subject\": \"ok\"},\n{\"ticket_id\": \n");
    let run = import(&test_db, &["tickets", broken.path().to_str().expect("path"), "--tenant", "acme"]).await;
    assert!(run.err().contains("the JSON is malformed at line"), "{}", run.err());

    let run = import(&test_db, &["assets", &fixture("kb_markdown"), "--tenant", "acme"]).await;
    assert!(run.err().contains("only be imported as kb"), "{}", run.err());
    let run = import(&test_db, &["tickets", &fixture("tickets.csv"), "--tenant", "Bad Id!"]).await;
    assert!(run.err().contains("tenant id must be"), "{}", run.err());

    for table in ["tickets", "kb_articles", "assets"] {
        assert_eq!(count(pool, table).await, 0, "{table} must be untouched");
    }
}
