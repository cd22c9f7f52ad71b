//! The worker's nearest-neighbour index over one tenant's stored embeddings of one kind ([`super::store`]):
//! the documents nearest in meaning to a new ticket, whether or not they share a word with it. The word
//! search's pool misses a look-alike told in other words ("cannot reach the intranet" for "DNS does not
//! resolve"); this finds it.
//!
//! Each vector is kept as the signs of its components, one bit per dimension (48 bytes at 384
//! dimensions), and searched by Hamming distance, exhaustively: 100,000 tickets are 4.8 MB and a pass
//! over them with the selection of the nearest 1.7 ms on the test machine (0.7 ms where the build may use
//! the POPCNT instruction, which the portable x86-64 target does not). The bits only choose the
//! candidates; their exact cosines, from the store, rank them ([`super::rerank`]). On the labelled set the 10, 20 or 40 nearest by bits, added to
//! a pool of the best by words, gave the same top three as the same number nearest by exact cosines
//! (`docs/BENCHMARKS.md`, "Search by meaning across the corpus").
//!
//! Kept in step with the store as the word indexes are with their tables ([`super::super::mirror`]): loaded
//! in full on first use, caught up by `embedded_at` at most every `refresh_every` (the ids and stamps
//! written in the window, then the vectors of those not held in that version), and rebuilt every
//! `rebuild_every` (which drops the vectors of deleted documents). A vector of a document rewritten since
//! is still here until the backfill replaces it: [`super::rerank`] reads each candidate's vector for the
//! document's current version, and leaves out one that has none.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::Postgres;
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;

use super::cache::Source;
use crate::corpus::search::mirror::{Contents, Mirror, Table, Written};

/// The nearest-neighbour index of one tenant, kind and model.
pub type NearestIndex = Mirror<VectorTable>;

/// The vectors of one tenant and kind, as sign bits.
#[derive(Debug, Default)]
pub struct Codes {
    /// 64-bit words per vector; 0 while empty.
    words: usize,
    ids: Vec<String>,
    /// Each slot's `embedded_at`, in microseconds.
    stamps: Vec<i64>,
    bits: Vec<u64>,
    slots: HashMap<String, usize>,
}

impl Codes {
    fn insert(&mut self, id: String, stamp: i64, vector: &[f32]) {
        let words = vector.len().div_ceil(64);
        if words != self.words {
            // Another model's dimensions (the model was changed): the old codes cannot be compared.
            *self = Codes { words, ..Codes::default() };
        }
        let code = signs(vector);
        match self.slots.get(&id) {
            Some(&slot) => {
                self.bits[slot * words..(slot + 1) * words].copy_from_slice(&code);
                self.stamps[slot] = stamp;
            }
            None => {
                self.slots.insert(id.clone(), self.ids.len());
                self.ids.push(id);
                self.stamps.push(stamp);
                self.bits.extend_from_slice(&code);
            }
        }
    }

    /// The ids of the `k` codes nearest to `query`'s, nearest first, those `skip` refuses left out.
    pub fn nearest(&self, query: &[f32], k: usize, skip: impl Fn(&str) -> bool) -> Vec<String> {
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

/// One tenant's stored vectors of one kind and model.
#[derive(Debug)]
pub struct VectorTable {
    pub source: Source,
    pub tenant: String,
    pub model: String,
}

/// A stored vector as the loading statements return it.
#[derive(sqlx::FromRow)]
pub struct Row {
    id: String,
    stamp: DateTime<Utc>,
    vector: Vec<f32>,
}

impl Table for VectorTable {
    type Contents = Codes;

    /// The vectors of the tenant (`$1`) and model (`$2`), all or those named (`$3`, when not null).
    fn rows<'q>(&'q self, ids: Option<&'q Vec<String>>) -> QueryAs<'q, Postgres, Row, PgArguments> {
        let sql = match self.source {
            Source::Ticket => {
                "SELECT ticket_id AS id, embedded_at AS stamp, vector FROM ticket_embeddings \
                 WHERE tenant_id = $1 AND model = $2 AND ($3::text[] IS NULL OR ticket_id = ANY($3))"
            }
            Source::Article => {
                "SELECT article_id AS id, embedded_at AS stamp, vector FROM article_embeddings \
                 WHERE tenant_id = $1 AND model = $2 AND ($3::text[] IS NULL OR article_id = ANY($3))"
            }
        };
        sqlx::query_as(sql).bind(&self.tenant).bind(&self.model).bind(ids)
    }

    /// Ids and `embedded_at` written at or after `$3` (served by `*_embeddings_written_idx`).
    fn written_since(&self, since: DateTime<Utc>, _count: bool) -> QueryAs<'_, Postgres, Written, PgArguments> {
        let sql = match self.source {
            Source::Ticket => {
                "SELECT now() AS read_at, array_agg(ticket_id) AS ids, array_agg(embedded_at) AS stamps, \
                 NULL::int8 AS rows FROM ticket_embeddings WHERE tenant_id = $1 AND model = $2 AND embedded_at >= $3"
            }
            Source::Article => {
                "SELECT now() AS read_at, array_agg(article_id) AS ids, array_agg(embedded_at) AS stamps, \
                 NULL::int8 AS rows FROM article_embeddings WHERE tenant_id = $1 AND model = $2 AND embedded_at >= $3"
            }
        };
        sqlx::query_as(sql).bind(&self.tenant).bind(&self.model).bind(since)
    }

    /// Not counted: vectors of another dimension than the newest (a model changed behind the same name) are
    /// dropped ([`Codes::insert`]), so the codes may rightly hold fewer than the table, and a rebuild would
    /// not change that. The rebuild every `rebuild_every` drops the vectors of deleted documents.
    fn counted(&self) -> bool {
        false
    }

    fn tenant(&self) -> &str {
        &self.tenant
    }
}

impl Contents for Codes {
    type Row = Row;

    fn insert(&mut self, row: Row) {
        Codes::insert(self, row.id, row.stamp.timestamp_micros(), &row.vector);
    }

    fn stamp(&self, id: &str) -> Option<i64> {
        self.slots.get(id).map(|&slot| self.stamps[slot])
    }

    fn documents(&self) -> usize {
        self.ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(vectors: &[(&str, &[f32])]) -> Codes {
        let mut codes = Codes::default();
        for (id, vector) in vectors {
            codes.insert((*id).to_owned(), 0, vector);
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
        codes.insert("a".into(), 1, &[-1.0, -1.0]);
        assert_eq!(codes.ids.len(), 2);
        assert_eq!(Contents::stamp(&codes, "a"), Some(1), "the new version's stamp");
        assert_eq!(codes.nearest(&[1.0, 1.0], 1, |_| false).len(), 1);
        assert_eq!(codes.nearest(&[-1.0, -1.0], 2, |_| false).len(), 2);
        assert_eq!(codes.nearest(&[1.0, -1.0], 1, |_| false).len(), 1);
    }

    #[test]
    fn vectors_of_other_dimensions_are_not_compared() {
        let mut codes = codes(&[("a", &[1.0; 70])]);
        assert!(codes.nearest(&[1.0; 3], 1, |_| false).is_empty(), "a query of another model");
        codes.insert("b".into(), 1, &[1.0; 3]);
        assert_eq!(codes.ids, ["b"], "another model's vectors replace the old ones");
        assert_eq!(codes.nearest(&[1.0; 3], 1, |_| false), ["b"]);
    }
}
