//! The worker's in-memory search indexes: per tenant, one over its past tickets and one over its knowledge
//! base ([`postings`]), each kept in step with its table ([`tables`], `super::mirror`). The similar-ticket
//! and knowledge-base searches score here, in the worker, and read PostgreSQL only for the query's lexemes, the texts of the
//! few documents a note shows, and what changed since the last search: scoring in the database cost tens
//! of milliseconds of its CPU per search on a corpus of 100,000 tickets, on the one database every worker
//! shares, where here it is a pass over the posting lists of the query's terms (docs/BENCHMARKS.md, "Search
//! at scale").
//!
//! Memory: about 8 bytes per (document, distinct lexeme) pair (a posting and a forward entry) plus the ids
//! and the lexeme dictionary: the process grew by 50 MiB for 100,000 tickets (docs/BENCHMARKS.md); a
//! tenant's indexes are built on its first search.

mod postings;
mod tables;
mod tsvector;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use sqlx::PgPool;

use super::mirror::Cadence;
use super::semantic::{Embedder, Semantic};

pub(super) use postings::Cut;
use tables::WordTable;
pub(super) use tables::{Kind, LiveIndex};

/// The search side of the corpus: the pool, and the in-memory indexes of the tenants searched so far.
/// Cheap to clone; clones share the indexes. One per worker process.
#[derive(Debug, Clone)]
pub struct Searcher {
    pool: PgPool,
    cadence: Cadence,
    tenants: Arc<Mutex<Indexes>>,
    /// The embedding server and cache, when `[embeddings]` configures one.
    semantic: Option<Semantic>,
}

/// The indexes made so far, by tenant and kind.
type Indexes = HashMap<(String, Kind), Arc<LiveIndex>>;

impl Searcher {
    pub fn new(pool: PgPool) -> Self {
        Self::with_cadence(pool, Cadence::DEFAULT)
    }

    /// A searcher whose indexes catch up, check and rebuild at another cadence (tests).
    pub fn with_cadence(pool: PgPool, cadence: Cadence) -> Self {
        Self { pool, cadence, tenants: Arc::default(), semantic: None }
    }

    /// This searcher, re-ranking by meaning with `embedder` ([`super::semantic`]).
    pub fn with_embedder(self, embedder: Embedder) -> Self {
        Self { semantic: Some(Semantic::new(embedder, self.cadence)), ..self }
    }

    pub fn semantic(&self) -> Option<&Semantic> {
        self.semantic.as_ref()
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Documents in the indexes of every tenant, by kind (`tickets`, `articles`), for the metrics.
    pub fn documents(&self) -> [(&'static str, i64); 2] {
        let indexes: Vec<Arc<LiveIndex>> =
            self.tenants.lock().unwrap_or_else(PoisonError::into_inner).values().cloned().collect();
        let count = |kind| indexes.iter().filter(|i| i.table().kind == kind).map(|i| i.documents()).sum::<usize>();
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        [("tickets", gauge(count(Kind::Tickets))), ("articles", gauge(count(Kind::Articles)))]
    }

    /// Rebuilds of every tenant's indexes so far (full loads after the first), for the metrics.
    pub fn rebuilds(&self) -> u64 {
        self.tenants.lock().unwrap_or_else(PoisonError::into_inner).values().map(|i| i.rebuilds()).sum()
    }

    /// The tenant's index of `kind`, made (empty, loaded on its first read) when it has none yet.
    pub(super) fn index(&self, tenant: &str, kind: Kind) -> Arc<LiveIndex> {
        let mut tenants = self.tenants.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            tenants
                .entry((tenant.to_owned(), kind))
                .or_insert_with(|| LiveIndex::new(WordTable { kind, tenant: tenant.to_owned() }, self.cadence)),
        )
    }
}
