//! The note is worth reading: a webhook about a host whose address is in the asset inventory, with a
//! similar resolved ticket in the corpus and a matching knowledge-base article, yields a note naming all
//! three; and the processed ticket joins the corpus. A worker configured with an embedding server
//! (`[embeddings]`) embeds the note's ticket and, in the background, the corpus, and still names the right
//! ticket and article.

use std::time::Duration;

use enhancer_shared::config::EmbeddingsConfig;
use enhancer_tests::worker::{TestWorker, wait_for_status};
use secrecy::SecretString;

use crate::ingest_contract::post_signed;
use crate::semantic_ranking::topic_server;
use crate::worker_e2e::pipeline;

/// The tenant's asset, past tickets and articles: one of each about the fake tool's VPN ticket, one not.
async fn seed(pool: &sqlx::PgPool) {
    // The fake tool's ticket: "VPN drops every 10 minutes ...", description mentioning 10.20.30.40.
    sqlx::query(
        "INSERT INTO assets (tenant_id, asset_id, address, hostname, owner, location, criticality) \
         VALUES ('acme', 'vpn-gw-02', '10.20.30.0/24', 'vpn-gw-02', 'Network team', 'Berlin DC', 'high')",
    )
    .execute(pool)
    .await
    .expect("asset");
    sqlx::query(
        "INSERT INTO tickets (tenant_id, ticket_id, subject, description, resolution, status, source) VALUES \
         ('acme', 'OLD-17', 'VPN connection drops every few minutes', 'The VPN client disconnects repeatedly and users must log in again.', \
          'Raised the idle timeout on the VPN gateway and rolled back the client update.', 'resolved', 'import'), \
         ('acme', 'OLD-18', 'Printer out of toner', 'The printer on floor 2 needs a new toner cartridge.', 'Replaced the toner.', 'resolved', 'import')",
    )
    .execute(pool)
    .await
    .expect("corpus");
    sqlx::query(
        "INSERT INTO kb_articles (tenant_id, article_id, title, body, url) VALUES \
         ('acme', 'KB-VPN-1', 'VPN client keeps disconnecting', 'When the VPN client disconnects every few minutes, check the gateway idle timeout and the client version.', 'https://kb.example.com/vpn-disconnects'), \
         ('acme', 'KB-PRN-1', 'Replacing printer toner', 'How to replace a toner cartridge.', 'https://kb.example.com/toner')",
    )
    .execute(pool)
    .await
    .expect("kb");
}

#[tokio::test]
async fn the_note_names_the_asset_the_similar_ticket_and_the_article() {
    let p = pipeline(&[]).await;
    let pool = &p.db.pool;
    seed(pool).await;
    let worker = TestWorker::spawn(&p.worker_config).await;
    let response =
        post_signed(&p.ingest, "acme", "ctx-1", &enhancer_tests::signing::generic_created("CTX-1", "VPN")).await;
    assert_eq!(response.status(), 202);
    wait_for_status(pool, "acme", "CTX-1", "completed", Duration::from_secs(30)).await;
    worker.stop().await;

    let notes = p.tool.notes_for("CTX-1");
    assert_eq!(notes.len(), 1);
    let body = notes[0].body["body_markdown"].as_str().expect("markdown").to_owned();
    assert!(body.contains("vpn-gw-02"), "the asset is named:\n{body}");
    assert!(body.contains("OLD-17"), "the similar resolved ticket is named:\n{body}");
    assert!(body.contains("VPN client keeps disconnecting"), "the article is named:\n{body}");
    assert!(!body.contains("OLD-18"), "the unrelated ticket is left out:\n{body}");

    let indexed: Vec<String> = sqlx::query_scalar(
        "SELECT host(unnest(ip_addresses)) FROM tickets WHERE tenant_id = 'acme' AND ticket_id = 'CTX-1'",
    )
    .fetch_all(pool)
    .await
    .expect("corpus row");
    assert_eq!(indexed, ["10.20.30.40"], "the processed ticket joined the corpus with its address");
}

#[tokio::test]
async fn a_worker_configured_with_an_embedding_server_ranks_by_meaning() {
    let p = pipeline(&[]).await;
    let pool = &p.db.pool;
    seed(pool).await;
    let embeddings = topic_server().await;
    let mut config = p.worker_config.clone();
    config.embeddings = EmbeddingsConfig {
        base_url: Some(format!("{}/v1", embeddings.uri())),
        model: Some("topics".into()),
        api_key: Some(SecretString::from("embed-key")),
        allow_private_base_url: true,
        ..EmbeddingsConfig::default()
    };
    let worker = TestWorker::spawn(&config).await;
    let response =
        post_signed(&p.ingest, "acme", "ctx-2", &enhancer_tests::signing::generic_created("CTX-2", "VPN")).await;
    assert_eq!(response.status(), 202);
    wait_for_status(pool, "acme", "CTX-2", "completed", Duration::from_secs(30)).await;
    // The worker's backfill embeds and stores the past tickets and articles (the processed ticket, which
    // joined the corpus, too, once the backfill looks again).
    let stored = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT (SELECT count(*) FROM ticket_embeddings WHERE ticket_id LIKE 'OLD-%' AND model = 'topics')              + (SELECT count(*) FROM article_embeddings WHERE model = 'topics')",
        )
        .fetch_one(pool)
        .await
        .expect("count")
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while stored().await < 4 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worker.stop().await;
    assert_eq!(stored().await, 4, "every past ticket and article has its vector");

    let requests = embeddings.received_requests().await.expect("recorded");
    let texts = |r: &wiremock::Request| -> Vec<String> {
        let body: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
        body["input"].as_array().expect("array").iter().filter_map(|t| t.as_str().map(str::to_owned)).collect()
    };
    // The first request that carries the fake tool's ticket is the note's: the ticket joins the corpus (and
    // the backfill's reach) only once the note is posted.
    let note = "VPN drops every 10 minutes (ticket CTX-2)";
    let for_the_note = requests.iter().map(texts).find(|t| t.first().is_some_and(|t| t.starts_with(note)));
    assert!(
        for_the_note.is_some(),
        "the note's ticket is embedded: {:?}",
        requests.iter().map(texts).collect::<Vec<_>>()
    );
    let body = p.tool.notes_for("CTX-2")[0].body["body_markdown"].as_str().expect("markdown").to_owned();
    assert!(body.contains("OLD-17") && body.contains("VPN client keeps disconnecting"), "{body}");
    assert!(!body.contains("OLD-18") && !body.contains("Replacing printer toner"), "{body}");
}
