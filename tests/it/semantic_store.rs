//! The shared embedding store over real PostgreSQL, against the topic server of `semantic_ranking.rs`
//! (wiremock, OpenAI format): the backfill embeds each document once per version however many workers run,
//! a slow or refusing server gets smaller batches, a deleted document's vector goes with it, another model
//! behind the same name (of another dimension or not) is embedded again, and a ticket sharing no word with
//! a new one is found by meaning once embedded.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use enhancer_shared::config::EmbeddingsConfig;
use enhancer_shared::domain::Ticket;
use enhancer_shared::tenant::StageToggles;
use enhancer_tests::TestDb;
use enhancer_worker::corpus::search::semantic::probe::{self, Probed};
use enhancer_worker::corpus::search::semantic::{Embedder, Source, backfill};
use enhancer_worker::corpus::search::{Searcher, ranking};
use enhancer_worker::stages::gather::context_for;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::context_search::ticket;
use crate::relevance::{UNRELATED_ARTICLES, tenant};
use crate::semantic_ranking::{
    Delayed, TENANT, TopicEmbeddings, embedder, inputs, topic_answer, topic_server, topic_vector, topics_config,
};

/// An open past ticket of the tenant.
async fn add_ticket(db: &TestDb, id: &str, subject: &str, description: &str) {
    sqlx::query(
        "INSERT INTO tickets (tenant_id, ticket_id, subject, description, resolution, status, source) VALUES \
         ($1, $2, $3, $4, NULL, 'open', 'import')",
    )
    .bind(TENANT)
    .bind(id)
    .bind(subject)
    .bind(description)
    .execute(&db.pool)
    .await
    .expect("insert");
}

/// A past ticket about the printer topic that shares no word with [`printer_unusable`].
async fn add_spooler_ticket(db: &TestDb) {
    add_ticket(db, "INC-900", "Spooler service halted", "Restarting it helps for an hour.").await;
}

fn printer_unusable() -> Ticket {
    ticket("INC-302", "Printer unusable", "Nothing comes out of it.")
}

async fn stored_vectors(db: &TestDb) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM ticket_embeddings e JOIN tickets t USING (tenant_id, ticket_id) \
                 WHERE e.tenant_id = $1 AND e.model = 'topics' AND e.stamp = t.indexed_at), \
                (SELECT count(*) FROM article_embeddings WHERE tenant_id = $1 AND model = 'topics')",
    )
    .bind(TENANT)
    .fetch_one(&db.pool)
    .await
    .expect("count")
}

#[tokio::test]
async fn a_ticket_sharing_no_word_is_found_by_meaning_once_embedded() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    add_spooler_ticket(&db).await;
    let server = topic_server().await;
    let words =
        ranking::rank(&Searcher::new(db.pool.clone()), TENANT, &printer_unusable(), true, true).await.expect("rank");
    assert!(words.tickets.iter().all(|t| t.id != "INC-900"), "no word in common: {:?}", words.tickets);

    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let semantic = search.semantic().expect("semantic");
    backfill::complete(semantic, &db.pool, TENANT).await.expect("backfill");
    let pool_only = EmbeddingsConfig { nearest: 0, ..topics_config(&server) };
    let pool_only = Embedder::from_config(&pool_only).expect("config").expect("on");
    let ranked = ranking::rank(
        &Searcher::new(db.pool.clone()).with_embedder(pool_only),
        TENANT,
        &printer_unusable(),
        true,
        true,
    )
    .await
    .expect("rank");
    assert!(
        ranked.semantic && ranked.tickets.iter().all(|t| t.id != "INC-900"),
        "nearest 0: the words' candidates only"
    );
    let meaning = ranking::rank(&search, TENANT, &printer_unusable(), true, true).await.expect("rank");
    assert!(meaning.semantic);
    let ids: Vec<&str> = meaning.tickets.iter().map(|t| t.id.as_str()).collect();
    assert!(ids[..2].contains(&"INC-900") && ids[..2].contains(&"INC-130"), "both printer tickets lead: {ids:?}");

    // Where no ticket shares the words, the note shows the one found by meaning (a worker started afresh).
    sqlx::query("DELETE FROM tickets WHERE ticket_id = 'INC-130'").execute(&db.pool).await.expect("delete");
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let toggles = StageToggles { assets: false, ..StageToggles::default() };
    let context = context_for(&search, TENANT, &printer_unusable(), toggles).await.expect("context");
    let shown: Vec<(&str, &str)> =
        context.similar_tickets.iter().map(|t| (t.ticket_id.as_str(), t.subject.as_str())).collect();
    assert_eq!(shown, [("INC-900", "Spooler service halted")], "the note shows it, with its text");
}

#[tokio::test]
async fn the_backfill_embeds_each_document_once_per_version_and_deletes_go_with_their_documents() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let server = topic_server().await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let semantic = search.semantic().expect("semantic");
    let (tickets, articles): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM tickets WHERE tenant_id = $1), (SELECT count(*) FROM kb_articles WHERE tenant_id = $1)",
    )
    .bind(TENANT)
    .fetch_one(&db.pool)
    .await
    .expect("count");
    let embedded = backfill::complete(semantic, &db.pool, TENANT).await.expect("backfill");
    assert_eq!(i64::try_from(embedded).expect("small"), tickets + articles);
    assert_eq!(stored_vectors(&db).await, (tickets, articles), "every document, at its current version");
    assert_eq!(semantic.outcomes.backfill_counts(), (u64::try_from(tickets + articles).expect("small"), 0));
    let sent = server.received_requests().await.expect("recorded").len();
    assert_eq!(backfill::complete(semantic, &db.pool, TENANT).await.expect("again"), 0);
    assert_eq!(server.received_requests().await.expect("recorded").len(), sent, "nothing pending, nothing sent");

    sqlx::query(
        "UPDATE tickets SET description = 'Now about a printer.', indexed_at = now() WHERE ticket_id = 'INC-110'",
    )
    .execute(&db.pool)
    .await
    .expect("update");
    assert_eq!(stored_vectors(&db).await.0, tickets - 1, "the rewritten ticket's vector is stale");
    assert_eq!(backfill::complete(semantic, &db.pool, TENANT).await.expect("again"), 1, "only the rewritten one");
    let requests = server.received_requests().await.expect("recorded");
    let last = String::from_utf8_lossy(&requests.last().expect("a request").body).into_owned();
    assert!(last.contains("Now about a printer."), "{last}");

    sqlx::query("DELETE FROM tickets WHERE ticket_id = 'INC-110'").execute(&db.pool).await.expect("delete");
    assert_eq!(stored_vectors(&db).await.0, tickets - 1, "a deleted ticket's vector goes with it");
}

#[tokio::test]
async fn two_workers_backfilling_at_once_embed_each_document_once() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(Delayed(TopicEmbeddings, std::time::Duration::from_millis(200)))
        .mount(&server)
        .await;
    let (one, other) = (
        Searcher::new(db.pool.clone()).with_embedder(embedder(&server)),
        Searcher::new(db.pool.clone()).with_embedder(embedder(&server)),
    );
    let (a, b) = tokio::join!(
        backfill::complete(one.semantic().expect("semantic"), &db.pool, TENANT),
        backfill::complete(other.semantic().expect("semantic"), &db.pool, TENANT),
    );
    let (tickets, articles) = stored_vectors(&db).await;
    assert_eq!(i64::try_from(a.expect("one") + b.expect("other")).expect("small"), tickets + articles);
    let inputs: usize = server.received_requests().await.expect("recorded").iter().map(inputs).sum();
    assert_eq!(i64::try_from(inputs).expect("small"), tickets + articles, "no document embedded twice");
}

#[tokio::test]
async fn a_stored_vector_of_an_older_version_is_not_used() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    add_spooler_ticket(&db).await;
    let server = topic_server().await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    backfill::complete(search.semantic().expect("semantic"), &db.pool, TENANT).await.expect("backfill");
    // Rewritten about something else; the backfill has not run since.
    sqlx::query(
        "UPDATE tickets SET subject = 'Outlook archive', description = 'Old mail to move.', indexed_at = now() \
         WHERE ticket_id = 'INC-900'",
    )
    .execute(&db.pool)
    .await
    .expect("update");
    let ranked = ranking::rank(&search, TENANT, &printer_unusable(), true, true).await.expect("rank");
    assert!(ranked.semantic);
    assert!(ranked.tickets.iter().all(|t| t.id != "INC-900"), "its vector is of the old text: {:?}", ranked.tickets);
}

/// The topic server, slow for more than two texts at once, and refusing (400) any batch with a text that
/// says "POISON" (as a server refuses a text longer than its context).
struct Fussy;

impl Respond for Fussy {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if String::from_utf8_lossy(&request.body).contains("POISON") {
            return ResponseTemplate::new(400);
        }
        let answer = TopicEmbeddings.respond(request);
        if inputs(request) > 2 { answer.set_delay(std::time::Duration::from_secs(5)) } else { answer }
    }
}

#[tokio::test]
async fn a_slow_server_gets_smaller_batches_and_a_refused_text_is_skipped() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    add_ticket(&db, "INC-901", "POISON", "A text this server refuses.").await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v1/embeddings")).respond_with(Fussy).mount(&server).await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let mut semantic = search.semantic().expect("semantic").clone();
    semantic.batch_timeout = std::time::Duration::from_secs(1);

    // As the worker's loop does: batch after batch, a failure counted and the walk kept.
    let mut walk = backfill::Walk::default();
    let (mut failures, mut batches) = (0, Vec::new());
    loop {
        let before = walk.batch();
        match backfill::fill(&semantic, &db.pool, TENANT, Source::Ticket, &mut walk).await {
            Ok(backfill::Filled::Done) => break,
            Ok(filled) => batches.push((before, filled)),
            Err(_) => failures += 1,
        }
        assert!(failures < 20, "the walk ends");
    }
    // 64 halved to 1 (six failures, by timeouts or by the refusal), then the refused ticket alone (one more).
    assert_eq!(walk.batch(), 1, "{batches:?}");
    assert_eq!(failures, 7, "{batches:?}");
    let (tickets,): (i64,) = sqlx::query_as("SELECT count(*) FROM tickets WHERE tenant_id = $1")
        .bind(TENANT)
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(stored_vectors(&db).await.0, tickets - 1, "every ticket but the refused one");
    let stored: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM ticket_embeddings WHERE tenant_id = $1 AND ticket_id = 'INC-901')",
    )
    .bind(TENANT)
    .fetch_one(&db.pool)
    .await
    .expect("exists");
    assert!(!stored, "the refused ticket has no vector");
}

/// The topic server's vectors with one more component, always 0: the same meanings in another dimension,
/// as a model replaced behind the same name.
struct Widened;

impl Respond for Widened {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        topic_answer(request, |vector| vector.push(0.0))
    }
}

/// The tenant's stored vectors (tickets and articles) of `dimensions`.
async fn vectors_of(db: &TestDb, dimensions: usize) -> i64 {
    sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM ticket_embeddings WHERE tenant_id = $1 AND cardinality(vector) = $2) \
              + (SELECT count(*) FROM article_embeddings WHERE tenant_id = $1 AND cardinality(vector) = $2)",
    )
    .bind(TENANT)
    .bind(i32::try_from(dimensions).expect("small"))
    .fetch_one(&db.pool)
    .await
    .expect("count")
}

#[tokio::test]
async fn a_model_that_changes_its_dimension_behind_the_same_name_is_embedded_again() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    add_spooler_ticket(&db).await;
    let before = topic_server().await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&before));
    backfill::complete(search.semantic().expect("semantic"), &db.pool, TENANT).await.expect("backfill");
    let (old, new) = (topic_vector("").len(), topic_vector("").len() + 1);
    let (tickets, articles) = stored_vectors(&db).await;
    assert_eq!(vectors_of(&db, old).await, tickets + articles);

    // The operator's server now runs another model under the name "topics"; a worker starts against it.
    let after = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v1/embeddings")).respond_with(Widened).mount(&after).await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&after));
    let first = ranking::rank(&search, TENANT, &printer_unusable(), true, true).await.expect("rank");
    assert!(!first.semantic, "the note that meets the old vectors is ranked by words");
    assert_eq!(vectors_of(&db, old).await, 0, "the old model's vectors are dropped");

    // The next note embeds its candidates afresh; the backfill stores every document's vector again.
    let second = ranking::rank(&search, TENANT, &printer_unusable(), true, true).await.expect("rank");
    assert!(second.semantic, "ranked by meaning again");
    backfill::complete(search.semantic().expect("semantic"), &db.pool, TENANT).await.expect("backfill");
    assert_eq!(stored_vectors(&db).await, (tickets, articles));
    assert_eq!(vectors_of(&db, new).await, tickets + articles);
    let third = ranking::rank(&search, TENANT, &printer_unusable(), true, true).await.expect("rank");
    let ids: Vec<&str> = third.tickets.iter().map(|t| t.id.as_str()).collect();
    assert!(third.semantic && ids[..2].contains(&"INC-900"), "found by meaning again: {ids:?}");
}

/// The topic server until `replaced` is set, then another model of the same dimension: the same meanings
/// with the components rotated by one place (every cosine between its own vectors unchanged).
struct Replaceable(Arc<AtomicBool>);

impl Respond for Replaceable {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let replaced = self.0.load(Ordering::SeqCst);
        topic_answer(request, |vector| {
            if replaced {
                vector.rotate_right(1);
            }
        })
    }
}

#[tokio::test]
async fn another_model_of_the_same_dimension_behind_the_same_name_is_embedded_again() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    add_spooler_ticket(&db).await;
    let replaced = Arc::new(AtomicBool::new(false));
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(Replaceable(Arc::clone(&replaced)))
        .mount(&server)
        .await;
    // Two workers against the same server.
    let (one, two) = (
        Searcher::new(db.pool.clone()).with_embedder(embedder(&server)),
        Searcher::new(db.pool.clone()).with_embedder(embedder(&server)),
    );
    let (first, second) = (one.semantic().expect("semantic"), two.semantic().expect("semantic"));
    assert_eq!(probe::check(first, &db.pool).await.expect("probe"), Probed::Same, "the name's first probe");
    assert_eq!(probe::check(second, &db.pool).await.expect("probe"), Probed::Same);
    backfill::complete(first, &db.pool, TENANT).await.expect("backfill");
    let stored = stored_vectors(&db).await;
    assert_eq!(probe::check(first, &db.pool).await.expect("probe"), Probed::Same, "the same model");
    assert_eq!(stored_vectors(&db).await, stored, "nothing dropped");
    assert_eq!(first.outcomes.model_changes(), 0, "no change counted");
    assert!(ranking::rank(&two, TENANT, &printer_unusable(), true, true).await.expect("rank").semantic);
    assert!(!second.cache.is_empty(), "the second worker cached the old model's vectors");

    replaced.store(true, Ordering::SeqCst);
    let dropped = u64::try_from(stored.0 + stored.1).expect("counts");
    assert_eq!(probe::check(first, &db.pool).await.expect("probe"), Probed::Changed { dropped });
    assert_eq!(stored_vectors(&db).await, (0, 0), "every stored vector of the name is gone");
    assert_eq!(probe::check(second, &db.pool).await.expect("probe"), Probed::Same, "the store has the new probe");
    assert!(second.cache.is_empty(), "the second worker forgot what it cached");
    // One change, counted once across the workers (`enhancer_worker_embedding_model_changes_total`).
    assert_eq!((first.outcomes.model_changes(), second.outcomes.model_changes()), (1, 0));

    backfill::complete(first, &db.pool, TENANT).await.expect("backfill");
    assert_eq!(stored_vectors(&db).await, stored, "the corpus embedded again");
    let ranked = ranking::rank(&two, TENANT, &printer_unusable(), true, true).await.expect("rank");
    let ids: Vec<&str> = ranked.tickets.iter().map(|t| t.id.as_str()).collect();
    assert!(ranked.semantic && ids[..2].contains(&"INC-900"), "found by meaning with the new model: {ids:?}");
}
