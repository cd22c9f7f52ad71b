//! Semantic re-ranking: the lexical ranking's candidates (`super::ranking`, [`super::consensus::POOL`]
//! deep) re-scored by the cosine of their embedding with the new ticket's, when an embedding server is
//! configured (`[embeddings]`). Word overlap cannot tell "lock the account of an intern who left" (a
//! leaver) from a locked account; a sentence-embedding model mostly can (`docs/BENCHMARKS.md`, "Semantic
//! re-ranking").
//!
//! A candidate's score becomes `cosine + LEXICAL_WEIGHT x lexical / best lexical` of its list: the meaning
//! decides, the words break near-ties. One embedding request per note: the new ticket and every candidate
//! not in the [`cache::EmbeddingCache`] yet, whose texts are read in one statement, e-mail addresses and
//! phone numbers replaced. Any failure (the
//! server down, slow, or answering nonsense) leaves the lexical ranking as it was: the note loses its
//! semantic ranking, never its job.

mod cache;
mod client;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;
use tokio::sync::Semaphore;

pub use cache::{EmbeddingCache, Source};
pub use client::{Embedder, EmbeddingError};

use super::ranking::Scored;
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

/// The embedder, its cache and its request slots, shared by every search of the process.
#[derive(Debug, Clone)]
pub struct Semantic {
    pub embedder: Embedder,
    pub cache: Arc<EmbeddingCache>,
    pub outcomes: Arc<Outcomes>,
    pub slots: Arc<Semaphore>,
}

impl Semantic {
    pub fn new(embedder: Embedder) -> Self {
        Self {
            embedder,
            cache: Arc::default(),
            outcomes: Arc::default(),
            slots: Arc::new(Semaphore::new(MAX_REQUESTS_IN_FLIGHT)),
        }
    }
}

/// How many notes were ranked by meaning, and how many fell back to words (for the metrics).
#[derive(Debug, Default)]
pub struct Outcomes {
    ranked: AtomicU64,
    fallbacks: AtomicU64,
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
}

/// Tickets (`$2`) and articles (`$3`) of the tenant (`$1`) with the text that is embedded: a ticket's
/// subject, description and resolution, an article's title and body, as the model reads them.
const TEXTS: &str = "\
    SELECT true AS ticket, ticket_id AS id, concat_ws(E'\\n', subject, description, resolution) AS text \
    FROM tickets WHERE tenant_id = $1 AND ticket_id = ANY ($2) \
    UNION ALL \
    SELECT false, article_id, concat_ws(E'\\n', title, body) \
    FROM kb_articles WHERE tenant_id = $1 AND article_id = ANY ($3)";

#[derive(sqlx::FromRow)]
struct TextRow {
    ticket: bool,
    id: String,
    text: String,
}

/// `tickets` and `articles` (each best first, with their lexical scores) re-scored and re-sorted by
/// meaning, once one of the request slots is free. A candidate whose row is gone is left out. The caller
/// bounds the whole of it, the wait for a slot included, by [`Embedder::timeout`] (`super::ranking::rank`).
pub async fn rerank(
    semantic: &Semantic,
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    tickets: Vec<Scored>,
    articles: Vec<Scored>,
) -> Result<(Vec<Scored>, Vec<Scored>), SemanticError> {
    if tickets.is_empty() && articles.is_empty() {
        return Ok((tickets, articles));
    }
    // The semaphore is never closed: acquiring fails only if it were, and then no request is made.
    let Ok(_slot) = semantic.slots.acquire().await else {
        return Err(EmbeddingError::TimedOut(Duration::ZERO).into());
    };
    // Each candidate's vector for this note, from the cache or from this request: kept here, so that an
    // eviction by another note in between cannot drop a candidate.
    let mut vectors: HashMap<(Source, &str), Arc<[f32]>> = HashMap::new();
    let mut missing: [Vec<&str>; 2] = [Vec::new(), Vec::new()];
    for (source, items) in [(Source::Ticket, &tickets), (Source::Article, &articles)] {
        for item in items.iter() {
            match semantic.cache.get(tenant, source, &item.id, item.stamp) {
                Some(vector) => _ = vectors.insert((source, item.id.as_str()), vector),
                None => missing[source as usize].push(item.id.as_str()),
            }
        }
    }
    let rows: Vec<TextRow> = if missing.iter().all(Vec::is_empty) {
        Vec::new()
    } else {
        sqlx::query_as(TEXTS).bind(tenant).bind(&missing[0]).bind(&missing[1]).fetch_all(pool).await?
    };
    // E-mail addresses and phone numbers say nothing about the problem: they never leave (as with an LLM
    // tenant's `redact_pii`, here for every tenant).
    let mut texts = vec![redact(&format!("{}\n{}", ticket.subject, ticket.description)).0];
    texts.extend(rows.iter().map(|row| redact(&row.text).0));
    let mut embedded = semantic.embedder.embed(&texts).await?.into_iter();
    let query = embedded.next().unwrap_or_default();
    for (row, vector) in rows.iter().zip(embedded) {
        let (source, items) = if row.ticket { (Source::Ticket, &tickets) } else { (Source::Article, &articles) };
        if let Some(item) = items.iter().find(|item| item.id == row.id) {
            let vector: Arc<[f32]> = vector.into();
            semantic.cache.put(tenant, source, &item.id, item.stamp, Arc::clone(&vector));
            vectors.insert((source, item.id.as_str()), vector);
        }
    }
    if let Some(other) = vectors.values().find(|vector| vector.len() != query.len()) {
        // The server's model changed under a running worker: its vectors are not comparable.
        return Err(EmbeddingError::Malformed(format!("{} dimensions against {}", other.len(), query.len())).into());
    }
    let rescore = |source, items: &[Scored]| -> Vec<Scored> {
        let best = items.iter().map(|item| item.score).fold(0.0_f32, f32::max);
        let mut scored: Vec<Scored> = items
            .iter()
            .filter_map(|item| {
                let vector = vectors.get(&(source, item.id.as_str()))?;
                let cosine: f32 = vector.iter().zip(&query).map(|(a, b)| a * b).sum();
                let lexical = if best > 0.0 { item.score / best } else { 0.0 };
                Some(Scored { score: cosine + LEXICAL_WEIGHT * lexical, ..item.clone() })
            })
            .collect();
        scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        scored
    };
    Ok((rescore(Source::Ticket, &tickets), rescore(Source::Article, &articles)))
}
