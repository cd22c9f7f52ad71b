//! Search by meaning, when an embedding server is configured (`[embeddings]`): the lexical ranking's
//! candidates (`super::ranking`, [`super::consensus::POOL`] deep) and the `embeddings.nearest` (default
//! 20) documents nearest in meaning to the new ticket ([`nearest`], over the vectors the [`backfill`]
//! stored) are re-scored by the cosine of their embedding with the new ticket's. Word overlap cannot tell
//! "lock the account of an intern who left" (a leaver) from a locked account, nor find "cannot reach the
//! intranet" for "DNS does not resolve"; a sentence-embedding model mostly can (`docs/BENCHMARKS.md`,
//! "Semantic re-ranking").
//!
//! A candidate's score becomes `cosine + LEXICAL_WEIGHT x lexical / best lexical` of its list: the meaning
//! decides, the words break near-ties. One embedding request per note: the new ticket, and any candidate
//! of the word search with no vector in the [`cache::EmbeddingCache`] or the shared store ([`store`]) yet
//! (stored for the others once embedded), e-mail addresses and phone numbers replaced. Any failure (the
//! server down, slow, or answering nonsense) leaves the lexical ranking as it was: the note loses its
//! semantic ranking, never its job.

pub mod backfill;
mod cache;
mod client;
mod nearest;
pub mod probe;
mod store;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;
use tokio::sync::Semaphore;

pub use cache::{EmbeddingCache, Source};
pub use client::{Embedder, EmbeddingError};
use nearest::{NearestIndex, VectorTable};

use super::index::Kind;
use super::ranking::Scored;
use super::{Cadence, Searcher};
use crate::writer::llm::redact;

/// The weight of a candidate's lexical score (as a share of the best in its list) against its cosine.
/// Chosen on the calibration queries (`docs/BENCHMARKS.md`): 0.1 to 0.3 were within two queries of each
/// other; the middle was taken.
pub const LEXICAL_WEIGHT: f32 = 0.2;

/// Why the semantic ranking could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SemanticError {
    #[error(transparent)]
    Embedding(#[from] EmbeddingError),
    #[error("embeddings: reading the candidates' texts: {0}")]
    Database(#[from] sqlx::Error),
}

/// At most this many embedding requests of one worker at once. When a worker starts, every note in flight
/// (`worker.concurrency`, 64 by default) finds the same candidates missing: without a bound each would send
/// them all at once. A note that waits for a slot reads the cache after it, so it sends only what the notes
/// before it did not (most often its ticket alone).
pub const MAX_REQUESTS_IN_FLIGHT: usize = 16;

/// The embedder, its cache, its request slots and the nearest-neighbour indexes, shared by every search of
/// the process.
#[derive(Debug, Clone)]
pub struct Semantic {
    pub embedder: Embedder,
    pub cache: Arc<EmbeddingCache>,
    pub outcomes: Arc<Outcomes>,
    pub slots: Arc<Semaphore>,
    /// How long a backfill batch's request may take: [`backfill::BATCH_TIMEOUT`] (tests shorten it).
    pub batch_timeout: Duration,
    cadence: Cadence,
    nearest: Arc<Mutex<NearestIndexes>>,
    /// The probe's vector when this worker last embedded it ([`probe`]).
    seen_probe: Arc<Mutex<Option<Vec<f32>>>>,
}

/// The nearest-neighbour indexes made so far, by tenant and kind.
type NearestIndexes = HashMap<(String, Source), Arc<NearestIndex>>;

impl Semantic {
    /// Its nearest-neighbour indexes catch up and rebuild at `cadence`, as the word indexes do.
    pub fn new(embedder: Embedder, cadence: Cadence) -> Self {
        Self {
            embedder,
            cache: Arc::default(),
            outcomes: Arc::default(),
            slots: Arc::new(Semaphore::new(MAX_REQUESTS_IN_FLIGHT)),
            batch_timeout: backfill::BATCH_TIMEOUT,
            cadence,
            nearest: Arc::default(),
            seen_probe: Arc::default(),
        }
    }

    pub fn cadence(&self) -> Cadence {
        self.cadence
    }

    /// The tenant's nearest-neighbour index of `source`, made (empty, loaded on its first read) when it has
    /// none yet.
    fn nearest(&self, tenant: &str, source: Source) -> Arc<NearestIndex> {
        let mut indexes = self.nearest.lock().unwrap_or_else(PoisonError::into_inner);
        let make = || {
            let table = VectorTable { source, tenant: tenant.to_owned(), model: self.embedder.model().to_owned() };
            NearestIndex::new(table, self.cadence)
        };
        Arc::clone(indexes.entry((tenant.to_owned(), source)).or_insert_with(make))
    }

    /// Vectors in the nearest-neighbour indexes of every tenant, by kind (`tickets`, `articles`), for the
    /// metrics.
    pub fn indexed(&self) -> [(&'static str, usize); 2] {
        let indexes = self.nearest.lock().unwrap_or_else(PoisonError::into_inner);
        let count = |kind| indexes.iter().filter(|((_, s), _)| *s == kind).map(|(_, i)| i.documents()).sum();
        [("tickets", count(Source::Ticket)), ("articles", count(Source::Article))]
    }
}

/// How many notes were ranked by meaning, and how many fell back to words; how many documents the backfill
/// stored, and how often it failed; how often this worker's probe found another model (for the metrics).
#[derive(Debug, Default)]
pub struct Outcomes {
    ranked: AtomicU64,
    fallbacks: AtomicU64,
    backfilled: AtomicU64,
    backfill_failures: AtomicU64,
    model_changes: AtomicU64,
}

impl Outcomes {
    pub fn ranked(&self) {
        self.ranked.fetch_add(1, Ordering::Relaxed);
    }

    pub fn fell_back(&self) {
        self.fallbacks.fetch_add(1, Ordering::Relaxed);
    }

    /// (ranked by meaning, fell back to words) so far.
    pub fn counts(&self) -> (u64, u64) {
        (self.ranked.load(Ordering::Relaxed), self.fallbacks.load(Ordering::Relaxed))
    }

    pub fn backfilled(&self, documents: u64) {
        self.backfilled.fetch_add(documents, Ordering::Relaxed);
    }

    pub fn backfill_failed(&self) {
        self.backfill_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// (documents the backfill stored, backfill failures) so far.
    pub fn backfill_counts(&self) -> (u64, u64) {
        (self.backfilled.load(Ordering::Relaxed), self.backfill_failures.load(Ordering::Relaxed))
    }

    pub fn model_changed(&self) {
        self.model_changes.fetch_add(1, Ordering::Relaxed);
    }

    /// Probes of this worker that found another model under the name and dropped its vectors, so far.
    pub fn model_changes(&self) -> u64 {
        self.model_changes.load(Ordering::Relaxed)
    }
}

/// `tickets` and `articles` (each best first, with their lexical scores), with the documents nearest in
/// meaning to the ticket added (`embeddings.nearest`, default 20, of each kind, lexical score 0),
/// re-scored and re-sorted by meaning, once one of the request slots is free. A candidate whose row is
/// gone, or a nearest document with no vector of its current version, is left out. The caller bounds the
/// whole of it, the wait for a slot included, by [`Embedder::timeout`] (`super::ranking::rank`).
pub async fn rerank(
    search: &Searcher,
    semantic: &Semantic,
    tenant: &str,
    ticket: &Ticket,
    tickets: Option<Vec<Scored>>,
    articles: Option<Vec<Scored>>,
) -> Result<(Vec<Scored>, Vec<Scored>), SemanticError> {
    let pool = search.pool();
    let wanted = [tickets.is_some(), articles.is_some()];
    let (tickets, articles) = (tickets.unwrap_or_default(), articles.unwrap_or_default());
    if tickets.is_empty() && articles.is_empty() && semantic.embedder.nearest() == 0 {
        // Nothing to rank, and nothing to look for by meaning: no request.
        return Ok((tickets, articles));
    }
    // The semaphore is never closed: acquiring fails only if it were, and then no request is made.
    let Ok(slot) = semantic.slots.acquire().await else {
        return Err(EmbeddingError::TimedOut(Duration::ZERO).into());
    };
    let mut note = NoteVectors::default();
    // The word search's candidates: from the cache, else the store, else embedded in the request that
    // embeds the ticket.
    let mut to_embed: Vec<(Source, store::Document)> = Vec::new();
    for (source, items) in [(Source::Ticket, &tickets), (Source::Article, &articles)] {
        let missing = note.take_cached(semantic, tenant, source, items.iter().map(|i| (i.id.as_str(), i.stamp)));
        for document in store::named(pool, tenant, source, semantic.embedder.model(), &missing).await? {
            if let Some(document) = note.stored(semantic, tenant, source, document) {
                to_embed.push((source, document));
            }
        }
    }
    // E-mail addresses and phone numbers say nothing about the problem: they never leave (as with an LLM
    // tenant's `redact_pii`, here for every tenant).
    let mut texts = vec![redact(&format!("{}\n{}", ticket.subject, ticket.description)).0];
    texts.extend(to_embed.iter().map(|(_, d)| redact(d.text.as_deref().unwrap_or_default()).0));
    let mut embedded = semantic.embedder.embed(&texts).await?.into_iter();
    drop(slot);
    let query = embedded.next().unwrap_or_default();
    for ((source, document), vector) in to_embed.iter().zip(embedded) {
        note.put(semantic, tenant, *source, &document.id, document.stamp.timestamp_micros(), vector.into());
    }
    save(semantic, pool, tenant, &to_embed, &note).await;
    // The documents nearest in meaning that the word search did not find, with their stored vectors.
    let mut extra: [Vec<Scored>; 2] = [Vec::new(), Vec::new()];
    for (source, kind, items) in
        [(Source::Ticket, Kind::Tickets, &tickets), (Source::Article, Kind::Articles, &articles)]
    {
        if !wanted[source as usize] || semantic.embedder.nearest() == 0 {
            continue;
        }
        let pooled: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        let skip = |id: &str| pooled.contains(id) || (source == Source::Ticket && id == ticket.id.as_str());
        let k = semantic.embedder.nearest();
        let near = semantic.nearest(tenant, source).read(pool, |codes| codes.nearest(&query, k, skip)).await?;
        // Their current versions, from the word index this note's search brought up to date: a document
        // deleted since it was embedded is not there.
        let current: Vec<(String, i64)> = search
            .index(tenant, kind)
            .read(pool, |index| near.into_iter().filter_map(|id| index.stamp(&id).map(|stamp| (id, stamp))).collect())
            .await?;
        let missing =
            note.take_cached(semantic, tenant, source, current.iter().map(|(id, stamp)| (id.as_str(), *stamp)));
        for document in store::named(pool, tenant, source, semantic.embedder.model(), &missing).await? {
            // A document rewritten since it was embedded has no vector of its version: the backfill embeds
            // it again, and it is left out until then.
            _ = note.stored(semantic, tenant, source, document);
        }
        extra[source as usize] = current
            .into_iter()
            .filter(|(id, _)| note.vectors[source as usize].contains_key(id.as_str()))
            .map(|(id, stamp)| Scored { id, score: 0.0, stamp })
            .collect();
    }
    if let Some(other) = note.vectors.iter().flat_map(HashMap::values).find(|vector| vector.len() != query.len()) {
        // The server's model changed behind the same name: the stored and cached vectors of the old
        // dimension are another model's and never compare with the new ones. They go, so that the next notes
        // embed their candidates afresh and the backfill's next full walk the rest; this note is ranked by
        // words. Each worker drops its own cache the first time it meets one.
        let (old, new, model) = (other.len(), query.len(), semantic.embedder.model());
        semantic.cache.clear();
        let dropped = store::drop_other_dimensions(pool, tenant, model, new).await?;
        tracing::warn!(
            tenant,
            model,
            old,
            new,
            dropped,
            "the embedding model's dimension changed: old vectors dropped"
        );
        return Err(EmbeddingError::Malformed(format!("{old} dimensions against {new}")).into());
    }
    let [extra_tickets, extra_articles] = extra;
    Ok((
        note.rescore(Source::Ticket, &query, tickets, extra_tickets),
        note.rescore(Source::Article, &query, articles, extra_articles),
    ))
}

/// Each candidate's vector for this note, from the cache, the store or this note's request: kept here, so
/// that an eviction by another note in between cannot drop a candidate. By source, then id (looked up by
/// `&str`, without an allocation per candidate).
#[derive(Default)]
struct NoteVectors {
    vectors: [HashMap<String, Arc<[f32]>>; 2],
}

impl NoteVectors {
    /// Takes the cached vectors of `items` (id, stamp); returns the ids of those not cached.
    fn take_cached<'a>(
        &mut self,
        semantic: &Semantic,
        tenant: &str,
        source: Source,
        items: impl Iterator<Item = (&'a str, i64)>,
    ) -> Vec<&'a str> {
        let mut missing = Vec::new();
        for (id, stamp) in items {
            match semantic.cache.get(tenant, source, id, stamp) {
                Some(vector) => _ = self.vectors[source as usize].insert(id.to_owned(), vector),
                None => missing.push(id),
            }
        }
        missing
    }

    /// Takes the document's stored vector (and caches it); returns the document when it has none.
    fn stored(
        &mut self,
        semantic: &Semantic,
        tenant: &str,
        source: Source,
        document: store::Document,
    ) -> Option<store::Document> {
        match document.vector {
            Some(ref vector) => {
                let stamp = document.stamp.timestamp_micros();
                self.put(semantic, tenant, source, &document.id, stamp, vector.as_slice().into());
                None
            }
            None => Some(document),
        }
    }

    fn put(&mut self, semantic: &Semantic, tenant: &str, source: Source, id: &str, stamp: i64, vector: Arc<[f32]>) {
        semantic.cache.put(tenant, source, id, stamp, Arc::clone(&vector));
        self.vectors[source as usize].insert(id.to_owned(), vector);
    }

    /// The pool and the extra candidates with a vector, scored `cosine + LEXICAL_WEIGHT x lexical / best`,
    /// best first.
    fn rescore(&self, source: Source, query: &[f32], pool: Vec<Scored>, extra: Vec<Scored>) -> Vec<Scored> {
        let best = pool.iter().map(|item| item.score).fold(0.0_f32, f32::max);
        let mut scored: Vec<Scored> = pool
            .into_iter()
            .chain(extra)
            .filter_map(|item| {
                let vector = self.vectors[source as usize].get(item.id.as_str())?;
                let cosine: f32 = vector.iter().zip(query).map(|(a, b)| a * b).sum();
                let lexical = if best > 0.0 { item.score / best } else { 0.0 };
                Some(Scored { score: cosine + LEXICAL_WEIGHT * lexical, ..item })
            })
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        scored
    }
}

/// Stores what the note embedded, for the other workers and the nearest-neighbour indexes. A failure
/// costs only that: the note has its vectors.
async fn save(
    semantic: &Semantic,
    pool: &PgPool,
    tenant: &str,
    embedded: &[(Source, store::Document)],
    note: &NoteVectors,
) {
    for source in [Source::Ticket, Source::Article] {
        let documents: Vec<&store::Document> = embedded.iter().filter(|(s, _)| *s == source).map(|(_, d)| d).collect();
        let made_from: Vec<(&str, chrono::DateTime<chrono::Utc>)> =
            documents.iter().map(|d| (d.id.as_str(), d.stamp)).collect();
        let vectors: Vec<&[f32]> =
            documents.iter().filter_map(|d| note.vectors[source as usize].get(d.id.as_str()).map(|v| &v[..])).collect();
        if made_from.is_empty() || vectors.len() != made_from.len() {
            continue;
        }
        if let Err(err) = store::save(pool, tenant, source, semantic.embedder.model(), &made_from, &vectors).await {
            tracing::warn!(error = %err, tenant, "cannot store the embeddings a note made");
        }
    }
}
