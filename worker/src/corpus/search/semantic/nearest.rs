//! The worker's nearest-neighbour index over one tenant's stored embeddings of one kind ([`super::store`]):
//! the documents nearest in meaning to a new ticket, whether or not they share a word with it. The word
//! search's pool misses a look-alike told in other words ("cannot reach the intranet" for "DNS does not
//! resolve"); this finds it.
//!
//! Each vector is kept as the signs of its components, one bit per dimension (48 bytes at 384
//! dimensions), and searched by Hamming distance, exhaustively: 100,000 tickets are 4.8 MB and a pass
//! over them with the selection of the nearest 1.7 ms on the test machine (0.7 ms where the build may use
//! the POPCNT instruction, which the portable x86-64 target does not). The bits only choose the candidates; their exact cosines, from
//! the store, rank them ([`super::rerank`]). On the labelled set the 10, 20 or 40 nearest by bits, added to
//! a pool of the best by words, gave the same top three as the same number nearest by exact cosines
//! (`docs/BENCHMARKS.md`, "Search by meaning across the corpus").
//!
//! Kept in step with the store as the word indexes are with their tables (`super::super::index`): loaded
//! in full on first use, caught up by `embedded_at` at most every `refresh_every` less an `overlap`, and
//! rebuilt every `rebuild_every` (which drops the vectors of deleted documents). A vector of a document
//! rewritten since is still here until the backfill replaces it: [`super::rerank`] reads each candidate's
//! vector for the document's current version, and leaves out one that has none.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Instant;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::PgPool;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::cache::Source;
use crate::corpus::search::Cadence;

/// The vectors of one tenant and kind, as sign bits.
#[derive(Debug, Default)]
struct Codes {
    /// 64-bit words per vector; 0 while empty.
    words: usize,
    ids: Vec<String>,
    bits: Vec<u64>,
    slots: HashMap<String, usize>,
}

impl Codes {
    fn insert(&mut self, id: String, vector: &[f32]) {
        let words = vector.len().div_ceil(64);
        if words != self.words {
            // Another model's dimensions (the model was changed): the old codes cannot be compared.
            *self = Codes { words, ..Codes::default() };
        }
        let code = signs(vector);
        match self.slots.get(&id) {
            Some(&slot) => self.bits[slot * words..(slot + 1) * words].copy_from_slice(&code),
            None => {
                self.slots.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.bits.extend_from_slice(&code);
            }
        }
    }

    /// The ids of the `k` codes nearest to `query`'s, nearest first, those `skip` refuses left out.
    fn nearest(&self, query: &[f32], k: usize, skip: impl Fn(&str) -> bool) -> Vec<String> {
        if self.words == 0 || query.len().div_ceil(64) != self.words || k == 0 {
            return Vec::new();
        }
        let code = signs(query);
        let mut distances: Vec<(u32, usize)> = self
            .bits
            .chunks_exact(self.words)
            .enumerate()
            .map(|(slot, bits)| (bits.iter().zip(&code).map(|(a, b)| (a ^ b).count_ones()).sum(), slot))
            .collect();
        // `skip` is asked only of the nearest few: enough to still have `k` after the skipped.
        let wanted = (k * 2).min(distances.len());
        if wanted < distances.len() {
            distances.select_nth_unstable(wanted);
            distances.truncate(wanted);
        }
        distances.sort_unstable();
        distances
            .into_iter()
            .map(|(_, slot)| self.ids[slot].as_str())
            .filter(|id| !skip(id))
            .take(k)
            .map(str::to_owned)
            .collect()
    }
}

/// One bit per component: set when it is positive.
fn signs(vector: &[f32]) -> Vec<u64> {
    vector
        .chunks(64)
        .map(|chunk| chunk.iter().enumerate().fold(0_u64, |word, (i, x)| word | (u64::from(*x > 0.0) << i)))
        .collect()
}

/// The stored vectors of the tenant (`$1`) and model (`$2`) written at or after `$3`.
fn written_since_sql(source: Source) -> &'static str {
    match source {
        Source::Ticket => {
            "SELECT ticket_id AS id, vector FROM ticket_embeddings WHERE tenant_id = $1 AND model = $2 AND embedded_at >= $3"
        }
        Source::Article => {
            "SELECT article_id AS id, vector FROM article_embeddings WHERE tenant_id = $1 AND model = $2 AND embedded_at >= $3"
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    vector: Vec<f32>,
}

#[derive(Debug)]
struct Freshness {
    loaded: bool,
    /// The database's time when the previous read started.
    read_at: DateTime<Utc>,
    refreshed: Instant,
    rebuilt: Instant,
}

/// The nearest-neighbour index of one tenant, kind and model.
#[derive(Debug)]
pub struct NearestIndex {
    source: Source,
    tenant: String,
    model: String,
    cadence: Cadence,
    codes: RwLock<Codes>,
    /// Set once the first load is in: from then on a search never waits for `freshness`.
    loaded: AtomicBool,
    freshness: Arc<Mutex<Freshness>>,
}

impl NearestIndex {
    pub fn new(source: Source, tenant: &str, model: &str, cadence: Cadence) -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            source,
            tenant: tenant.to_owned(),
            model: model.to_owned(),
            cadence,
            codes: RwLock::new(Codes::default()),
            loaded: AtomicBool::new(false),
            freshness: Arc::new(Mutex::new(Freshness {
                loaded: false,
                read_at: DateTime::<Utc>::UNIX_EPOCH,
                refreshed: now,
                rebuilt: now,
            })),
        })
    }

    /// Vectors indexed now.
    pub fn documents(&self) -> usize {
        self.codes.read().unwrap_or_else(PoisonError::into_inner).ids.len()
    }

    /// The ids of the `k` documents nearest to `query`, nearest first, those `skip` refuses left out; the
    /// index brought up to date first (a first use waits for the load).
    pub async fn nearest(
        self: &Arc<Self>,
        pool: &PgPool,
        query: &[f32],
        k: usize,
        skip: impl Fn(&str) -> bool,
    ) -> Result<Vec<String>, sqlx::Error> {
        self.bring_up_to_date(pool).await?;
        Ok(self.codes.read().unwrap_or_else(PoisonError::into_inner).nearest(query, k, skip))
    }

    async fn bring_up_to_date(self: &Arc<Self>, pool: &PgPool) -> Result<(), sqlx::Error> {
        let freshness = match self.freshness.clone().try_lock_owned() {
            Ok(freshness) => freshness,
            // Someone else is catching up or rebuilding: read the index as it is.
            Err(_) if self.loaded.load(Ordering::Acquire) => return Ok(()),
            // Someone else is loading it: wait, there is nothing to read yet.
            Err(_) => self.freshness.clone().lock_owned().await,
        };
        let cadence = self.cadence;
        let loaded = freshness.loaded;
        if loaded && freshness.refreshed.elapsed() < cadence.refresh_every {
            return Ok(());
        }
        let rebuild = !loaded || freshness.rebuilt.elapsed() >= cadence.rebuild_every;
        // In a task of its own, holding `freshness`: a note cancelled by its time limit while waiting for the
        // first load leaves it running for the next one (as the word indexes' loads,
        // `super::super::index::live`); a rebuild of a loaded index runs in the background, unwaited.
        let reading = tokio::spawn(Arc::clone(self).read(pool.clone(), freshness, rebuild));
        if loaded && rebuild {
            let tenant = self.tenant.clone();
            tokio::spawn(async move {
                if let Ok(Err(err)) = reading.await {
                    // Kept as it is; the next search past `rebuild_every` tries again.
                    tracing::warn!(tenant, error = %err, "nearest-neighbour index rebuild failed");
                }
            });
            return Ok(());
        }
        reading.await.unwrap_or(Err(sqlx::Error::WorkerCrashed))
    }

    /// Reads every stored vector (`rebuild`) or those written since the previous read less `overlap`.
    async fn read(
        self: Arc<Self>,
        pool: PgPool,
        mut freshness: OwnedMutexGuard<Freshness>,
        rebuild: bool,
    ) -> Result<(), sqlx::Error> {
        let since = if rebuild {
            DateTime::<Utc>::UNIX_EPOCH
        } else {
            freshness.read_at - chrono::Duration::from_std(self.cadence.overlap).unwrap_or_default()
        };
        // Taken before the reading statement's snapshot: a row committed between the two is read by both.
        let read_at: DateTime<Utc> = sqlx::query_scalar("SELECT now()").fetch_one(&pool).await?;
        let mut rows = sqlx::query_as::<_, Row>(written_since_sql(self.source))
            .bind(&self.tenant)
            .bind(&self.model)
            .bind(since)
            .fetch(&pool);
        let mut fresh = Codes::default();
        let mut written = Vec::new();
        while let Some(row) = rows.try_next().await? {
            if rebuild { fresh.insert(row.id, &row.vector) } else { written.push(row) }
        }
        let mut codes = self.codes.write().unwrap_or_else(PoisonError::into_inner);
        if rebuild {
            *codes = fresh;
            freshness.rebuilt = Instant::now();
        }
        for row in written {
            codes.insert(row.id, &row.vector);
        }
        drop(codes);
        freshness.loaded = true;
        freshness.read_at = read_at;
        freshness.refreshed = Instant::now();
        self.loaded.store(true, Ordering::Release);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(vectors: &[(&str, &[f32])]) -> Codes {
        let mut codes = Codes::default();
        for (id, vector) in vectors {
            codes.insert((*id).to_owned(), vector);
        }
        codes
    }

    #[test]
    fn the_nearest_by_signs_come_first() {
        let codes = codes(&[("far", &[-1.0, -1.0, -1.0]), ("near", &[1.0, 1.0, -1.0]), ("same", &[0.5, 0.2, 0.9])]);
        assert_eq!(codes.nearest(&[1.0, 1.0, 1.0], 2, |_| false), ["same", "near"]);
        assert_eq!(codes.nearest(&[1.0, 1.0, 1.0], 5, |id| id == "same"), ["near", "far"]);
    }

    #[test]
    fn a_document_written_again_keeps_one_slot() {
        let mut codes = codes(&[("a", &[1.0, 1.0]), ("b", &[-1.0, -1.0])]);
        codes.insert("a".into(), &[-1.0, -1.0]);
        assert_eq!(codes.ids.len(), 2);
        assert_eq!(codes.nearest(&[1.0, 1.0], 1, |_| false).len(), 1);
        assert_eq!(codes.nearest(&[-1.0, -1.0], 2, |_| false).len(), 2);
        assert_eq!(codes.nearest(&[1.0, -1.0], 1, |_| false).len(), 1);
    }

    #[test]
    fn vectors_of_other_dimensions_are_not_compared() {
        let mut codes = codes(&[("a", &[1.0; 70])]);
        assert!(codes.nearest(&[1.0; 3], 1, |_| false).is_empty(), "a query of another model");
        codes.insert("b".into(), &[1.0; 3]);
        assert_eq!(codes.ids, ["b"], "another model's vectors replace the old ones");
        assert_eq!(codes.nearest(&[1.0; 3], 1, |_| false), ["b"]);
    }
}
