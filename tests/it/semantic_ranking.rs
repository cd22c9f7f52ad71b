//! Re-ranking by meaning over real PostgreSQL, against an OpenAI-format embedding server (wiremock) whose
//! vectors stand for topics: a ticket about the same problem in other words comes first, each document is
//! embedded once per version, and a server that fails, or answers with a redirect, leaves the note ranked
//! by words. The shared store, the backfill and the search across the corpus: `semantic_store.rs`.

use enhancer_shared::config::EmbeddingsConfig;
use enhancer_shared::domain::Ticket;
use enhancer_shared::tenant::StageToggles;
use enhancer_tests::TestDb;
use enhancer_worker::corpus::search::semantic::{Embedder, MAX_REQUESTS_IN_FLIGHT};
use enhancer_worker::corpus::search::{Searcher, ranking};
use enhancer_worker::stages::gather::context_for;
use secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::context_search::ticket;
use crate::relevance::{UNRELATED_ARTICLES, tenant};

pub(crate) const TENANT: &str = "acme";

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
        topic_answer(request, |_| {})
    }
}

/// The topic server's answer to `request`, each vector passed through `alter` first (another model's).
pub(crate) fn topic_answer(request: &Request, alter: impl Fn(&mut Vec<f32>)) -> ResponseTemplate {
    let body: Value = serde_json::from_slice(&request.body).expect("json");
    let data: Vec<Value> = body["input"]
        .as_array()
        .expect("input is an array")
        .iter()
        .enumerate()
        .map(|(index, text)| {
            let mut vector = topic_vector(text.as_str().expect("a text"));
            alter(&mut vector);
            json!({"object": "embedding", "index": index, "embedding": vector})
        })
        .collect();
    ResponseTemplate::new(200).set_body_json(json!({"object": "list", "data": data, "model": "topics"}))
}

/// The topic server's vector of `text`: one component per topic its words name, and one more for none.
pub(crate) fn topic_vector(text: &str) -> Vec<f32> {
    let text = text.to_lowercase();
    let mut vector: Vec<f32> =
        TOPICS.iter().map(|words| if words.iter().any(|w| text.contains(w)) { 1.0 } else { 0.0 }).collect();
    vector.push(if vector.iter().all(|&x| x == 0.0) { 1.0 } else { 0.0 });
    vector
}

/// `[embeddings]` pointing at the topic server.
pub(crate) fn topics_config(server: &MockServer) -> EmbeddingsConfig {
    EmbeddingsConfig {
        base_url: Some(format!("{}/v1", server.uri())),
        model: Some("topics".into()),
        api_key: Some(SecretString::from("embed-key")),
        // wiremock listens on loopback.
        allow_private_base_url: true,
        ..EmbeddingsConfig::default()
    }
}

pub(crate) fn embedder(server: &MockServer) -> Embedder {
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

pub(crate) fn inputs(request: &Request) -> usize {
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
    let config = EmbeddingsConfig { ticket_floor: Some(1.2), article_floor: Some(-1.0), ..topics_config(&server) };
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
pub(crate) struct Delayed(pub(crate) TopicEmbeddings, pub(crate) std::time::Duration);

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
