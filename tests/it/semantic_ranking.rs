//! Re-ranking by meaning over real PostgreSQL, against an OpenAI-format embedding server (wiremock) whose
//! vectors stand for topics: a ticket about the same problem in other words comes first, each document is
//! embedded once per version, and a server that fails, or answers with a redirect, leaves the note ranked
//! by words.

use enhancer_shared::config::EmbeddingsConfig;
use enhancer_shared::domain::Ticket;
use enhancer_shared::tenant::StageToggles;
use enhancer_tests::TestDb;
use enhancer_worker::corpus::search::semantic::{Embedder, MAX_REQUESTS_IN_FLIGHT, Source, backfill};
use enhancer_worker::corpus::search::{Searcher, ranking};
use enhancer_worker::stages::gather::context_for;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::context_search::ticket;
use crate::relevance::{UNRELATED_ARTICLES, tenant};

const TENANT: &str = "acme";

/// The topics the mock's vectors stand for, each named by words a text about it contains.
const TOPICS: [&[&str]; 5] = [
    &["laptop", "notebook"],
    &["server", "fs02", "volume"],
    &["vpn", "globalprotect"],
    &["printer", "spooler"],
    &["room", "monitor", "mailbox", "desk"],
];

/// An embedding server in the OpenAI format: each input's vector counts the topics its words name (a text
/// naming none points elsewhere), so a cosine is the overlap of topics.
pub(crate) struct TopicEmbeddings;

impl Respond for TopicEmbeddings {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).expect("json");
        let data: Vec<Value> = body["input"]
            .as_array()
            .expect("input is an array")
            .iter()
            .enumerate()
            .map(|(index, text)| {
                let text = text.as_str().expect("a text").to_lowercase();
                let mut vector: Vec<f32> =
                    TOPICS.iter().map(|words| if words.iter().any(|w| text.contains(w)) { 1.0 } else { 0.0 }).collect();
                vector.push(if vector.iter().all(|&x| x == 0.0) { 1.0 } else { 0.0 });
                json!({"object": "embedding", "index": index, "embedding": vector})
            })
            .collect();
        ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": data, "model": "topics"}))
    }
}

/// `[embeddings]` pointing at the topic server.
fn topics_config(server: &MockServer) -> EmbeddingsConfig {
    EmbeddingsConfig {
        base_url: Some(format!("{}/v1", server.uri())),
        model: Some("topics".into()),
        api_key: Some(SecretString::from("embed-key")),
        // wiremock listens on loopback.
        allow_private_base_url: true,
        ..EmbeddingsConfig::default()
    }
}

fn embedder(server: &MockServer) -> Embedder {
    Embedder::from_config(&topics_config(server)).expect("config").expect("configured")
}

pub(crate) async fn topic_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .and(header("authorization", "Bearer embed-key"))
        .and(body_partial_json(json!({"model": "topics"})))
        .respond_with(TopicEmbeddings)
        .mount(&server)
        .await;
    server
}

/// A slow laptop, in the words of the server tickets ("free space", "C: drive", "almost full").
fn slow_notebook() -> Ticket {
    ticket(
        "INC-300",
        "Notebook slow, C: drive almost full",
        "Low free space on the C: drive and everything takes minutes to open.",
    )
}

fn inputs(request: &Request) -> usize {
    serde_json::from_slice::<Value>(&request.body).expect("json")["input"].as_array().expect("array").len()
}

#[tokio::test]
async fn the_same_problem_in_other_words_is_ranked_first_by_meaning() {
    let db: TestDb = tenant(&UNRELATED_ARTICLES).await;
    let server = topic_server().await;
    let words =
        ranking::rank(&Searcher::new(db.pool.clone()), TENANT, &slow_notebook(), true, true).await.expect("rank");
    assert!(!words.semantic);
    assert_ne!(words.tickets[0].id, "INC-110", "by words alone a server disk ticket leads: {:?}", words.tickets);

    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let meaning = ranking::rank(&search, TENANT, &slow_notebook(), true, true).await.expect("rank");
    assert!(meaning.semantic);
    assert_eq!(meaning.tickets[0].id, "INC-110", "{:?}", meaning.tickets);

    let toggles = StageToggles { assets: false, ..StageToggles::default() };
    let context = context_for(&search, TENANT, &slow_notebook(), toggles).await.expect("context");
    let shown: Vec<&str> = context.similar_tickets.iter().map(|t| t.ticket_id.as_str()).collect();
    assert_eq!(shown, ["INC-110"], "only the laptop ticket is close enough in meaning to be shown");
    assert!(context.kb_articles.is_empty(), "no article is about a slow laptop: {:?}", context.kb_articles);
    assert_eq!(search.semantic().expect("semantic").outcomes.counts(), (2, 0));
}

#[tokio::test]
async fn a_models_own_floors_decide_what_a_note_shows() {
    // Another model scores on another scale: the operator sets its floors (`embeddings.ticket_floor`,
    // `embeddings.article_floor`), and the ranking stays as it was.
    let db: TestDb = tenant(&UNRELATED_ARTICLES).await;
    let server = topic_server().await;
    let config = EmbeddingsConfig { ticket_floor: 1.2, article_floor: -1.0, ..topics_config(&server) };
    let search = Searcher::new(db.pool.clone())
        .with_embedder(Embedder::from_config(&config).expect("config").expect("configured"));
    let ranked = ranking::rank(&search, TENANT, &slow_notebook(), true, true).await.expect("rank");
    assert!(ranked.semantic);
    assert_eq!(ranked.tickets[0].id, "INC-110", "{:?}", ranked.tickets);
    assert!(ranked.tickets[0].score < 1.2, "a cosine of 1 and less than the best lexical share");
    assert!(!ranked.articles.is_empty(), "articles are ranked, then cut");

    let toggles = StageToggles { assets: false, ..StageToggles::default() };
    let context = context_for(&search, TENANT, &slow_notebook(), toggles).await.expect("context");
    assert!(context.similar_tickets.is_empty(), "no ticket reaches a floor of 1.2: {:?}", context.similar_tickets);
    assert_eq!(
        context.kb_articles.first().map(|a| a.article_id.as_str()),
        Some(ranked.articles[0].id.as_str()),
        "with no floor the best article is shown, where the default floor shows none"
    );
}

#[tokio::test]
async fn each_document_is_embedded_once_per_version() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let server = topic_server().await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let first = ranking::rank(&search, TENANT, &slow_notebook(), true, true).await.expect("rank");
    ranking::rank(&search, TENANT, &slow_notebook(), true, true).await.expect("rank");
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), 2);
    assert_eq!(inputs(&requests[0]), 1 + first.tickets.len() + first.articles.len(), "the ticket and every candidate");
    assert_eq!(inputs(&requests[1]), 1, "the candidates' embeddings are kept: only the new ticket is sent");

    // A candidate written again is embedded again.
    sqlx::query(
        "UPDATE tickets SET description = description || ' Replaced the HDD.', indexed_at = now() \
         WHERE tenant_id = $1 AND ticket_id = 'INC-110'",
    )
    .bind(TENANT)
    .execute(&db.pool)
    .await
    .expect("update");
    // The index catches up with writes at most every 500 ms (`Cadence::DEFAULT`).
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    ranking::rank(&search, TENANT, &slow_notebook(), true, true).await.expect("rank");
    let requests = server.received_requests().await.expect("recorded");
    let last: Value = serde_json::from_slice(&requests[2].body).expect("json");
    let texts: Vec<&str> = last["input"].as_array().expect("array").iter().filter_map(Value::as_str).collect();
    assert_eq!(texts.len(), 2, "the ticket and the re-written candidate: {texts:?}");
    assert!(texts[1].contains("Replaced the HDD."), "{texts:?}");
}

#[tokio::test]
async fn a_failing_server_leaves_the_ranking_by_words() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let words =
        ranking::rank(&Searcher::new(db.pool.clone()), TENANT, &slow_notebook(), true, true).await.expect("rank");
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let ranked = ranking::rank(&search, TENANT, &slow_notebook(), true, true).await.expect("the job goes on");
    assert!(!ranked.semantic);
    assert_eq!(ranked.tickets, words.tickets);
    assert_eq!(ranked.articles, words.articles);
    assert_eq!(search.semantic().expect("semantic").outcomes.counts(), (0, 1));
}

#[tokio::test]
async fn a_server_slower_than_the_timeout_leaves_the_ranking_by_words() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(Delayed(TopicEmbeddings, std::time::Duration::from_secs(10)))
        .mount(&server)
        .await;
    let config = EmbeddingsConfig {
        base_url: Some(format!("{}/v1", server.uri())),
        model: Some("topics".into()),
        timeout_secs: 1,
        allow_private_base_url: true,
        ..EmbeddingsConfig::default()
    };
    let search =
        Searcher::new(db.pool.clone()).with_embedder(Embedder::from_config(&config).expect("config").expect("on"));
    let started = std::time::Instant::now();
    let ranked = ranking::rank(&search, TENANT, &slow_notebook(), true, true).await.expect("the job goes on");
    assert!(!ranked.semantic);
    assert!(started.elapsed() < std::time::Duration::from_secs(8), "the note did not wait for the server's answer");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let elsewhere = topic_server().await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(307).insert_header("location", format!("{}/v1/embeddings", elsewhere.uri())),
        )
        .mount(&server)
        .await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let ranked = ranking::rank(&search, TENANT, &slow_notebook(), true, true).await.expect("rank");
    assert!(!ranked.semantic, "a 3xx is a failure");
    assert!(elsewhere.received_requests().await.expect("recorded").is_empty(), "the ticket text went elsewhere");
}

#[test]
fn a_private_address_needs_its_setting() {
    let config = EmbeddingsConfig {
        base_url: Some("http://10.1.2.3:8080/v1".into()),
        model: Some("m".into()),
        ..EmbeddingsConfig::default()
    };
    let err = Embedder::from_config(&config).expect_err("refused");
    assert!(err.to_string().contains("ENHANCER_EMBEDDINGS__ALLOW_PRIVATE_BASE_URL"), "{err}");
    let off = EmbeddingsConfig::default();
    assert!(Embedder::from_config(&off).expect("no section").is_none(), "no base URL: the feature is off");
}

#[tokio::test]
async fn e_mail_addresses_and_phone_numbers_never_leave() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let server = topic_server().await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let caller = ticket(
        "INC-301",
        "Notebook slow, C: drive almost full",
        "Call me on +44 20 7946 0958 or write to jane.doe@example.com when the laptop is fixed.",
    );
    let ranked = ranking::rank(&search, TENANT, &caller, true, true).await.expect("rank");
    assert!(ranked.semantic);
    let requests = server.received_requests().await.expect("recorded");
    let sent = String::from_utf8_lossy(&requests[0].body).into_owned();
    assert!(sent.contains("laptop is fixed"), "the text is sent: {sent}");
    assert!(!sent.contains("jane.doe@example.com") && !sent.contains("7946 0958"), "{sent}");
}

#[tokio::test]
async fn notes_at_once_share_the_work_of_embedding_the_candidates() {
    let db = tenant(&UNRELATED_ARTICLES).await;
    let server = MockServer::start().await;
    // Slow enough that the notes overlap: the ones past the request slots wait for the first to finish.
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .respond_with(Delayed(TopicEmbeddings, std::time::Duration::from_millis(300)))
        .mount(&server)
        .await;
    let search = Searcher::new(db.pool.clone()).with_embedder(embedder(&server));
    let notes = MAX_REQUESTS_IN_FLIGHT + 4;
    let notebook = slow_notebook();
    let ranked =
        futures_util::future::join_all((0..notes).map(|_| ranking::rank(&search, TENANT, &notebook, true, true))).await;
    assert!(ranked.iter().all(|r| r.as_ref().is_ok_and(|r| r.semantic)), "every note ranked by meaning");
    let requests = server.received_requests().await.expect("recorded");
    assert_eq!(requests.len(), notes, "one request per note");
    let alone = requests.iter().filter(|r| inputs(r) == 1).count();
    assert!(alone >= 4, "notes past the slots send their ticket alone: {alone} of {notes}");
}

/// [`TopicEmbeddings`] answered after a delay.
struct Delayed(TopicEmbeddings, std::time::Duration);

impl Respond for Delayed {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request).set_delay(self.1)
    }
}

#[tokio::test]
async fn a_transport_error_names_its_cause_but_not_the_url() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("address").port();
    let config = EmbeddingsConfig {
        base_url: Some(format!("http://user:secret@127.0.0.1:{port}/v1")),
        model: Some("m".into()),
        allow_private_base_url: true,
        ..EmbeddingsConfig::default()
    };
    let embedder = Embedder::from_config(&config).expect("config").expect("on");
    let err = embedder.embed(&["printer offline".to_owned()]).await.expect_err("nothing listens");
    let message = err.to_string();
    assert!(message.starts_with("embeddings: request failed"), "{message}");
    assert!(message.contains("Connection refused"), "the cause is named: {message}");
    assert!(!message.contains("secret") && !message.contains(&port.to_string()), "{message}");
}

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
