//! An inverted index of one tenant's documents (past tickets, or knowledge-base articles) in the worker's
//! memory; the weighted-coverage scoring over it is [`score`]'s (the formula of `docs/ARCHITECTURE.md`,
//! "How ranking works"). Pure data and arithmetic: loading and freshness are `super::super::mirror`'s.
//!
//! A document is the lexemes of its stored `search` vector, each with its best field (subject or title,
//! description or body, resolution), which is all the scoring reads; the texts stay in PostgreSQL and are
//! read for the few documents a note shows. A posting is one `u32`: the document's slot shifted left by two,
//! the field in the low bits. Slots only grow, so every posting list is sorted by slot. A document written
//! again gets a new slot and its old slot is marked dead (its postings stay, skipped, until the next
//! rebuild), which keeps an update to one append per lexeme.
//!
//! Beside the posting lists, a forward list: each slot's terms, so that the consensus (`consensus.rs`) reads
//! the lexemes of the few best candidates here instead of from PostgreSQL, each already mapped to its
//! thesaurus group's key ([`Postings::agreement`]).

mod score;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Mutex, PoisonError};

use super::super::consensus::{self, Agreement};
use super::super::terms::Alternative;

pub use score::Cut;

/// A document as loaded from PostgreSQL.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub id: String,
    /// When it was last written (`indexed_at`, `updated_at`) in microseconds since the epoch: a document
    /// read again with the same stamp is not re-indexed.
    pub stamp: i64,
    /// Has a non-blank resolution (tickets only).
    pub resolved: bool,
    /// Lexemes with their best field: 0 subject or title, 1 description or body, 2 resolution.
    pub lexemes: Vec<(String, u8)>,
}

#[derive(Debug)]
struct Slot {
    id: Box<str>,
    stamp: i64,
    /// Where its term ids start in [`Postings::forward`]; they end where the next slot's start.
    start: u32,
}

/// One tenant's documents of one kind.
#[derive(Debug, Default)]
pub struct Postings {
    slots: Vec<Slot>,
    /// One bit per slot, set when the slot is dead: a scoring pass tests it for every posting, and a bit
    /// set fits the processor's cache where the slots do not.
    dead: Vec<u64>,
    /// One bit per slot, set when the document is a resolved ticket (the pruning reads it per candidate).
    resolved: Vec<u64>,
    /// Document frequencies of terms of several lexemes (a prefix, synonyms) computed since the index last
    /// changed, by their term ids: a union of lists costs a pass over them, and the common prefixes recur
    /// in query after query.
    unions: Mutex<HashMap<Box<[u32]>, u32>>,
    by_id: HashMap<Box<str>, u32>,
    /// Each lexeme's term id: the index of its posting list in `lists` and of its key in `keys`. Ordered,
    /// for the range scans of prefix terms.
    terms: BTreeMap<Box<str>, u32>,
    lists: Vec<Vec<u32>>,
    /// Each term's document frequency: the postings of its list in live slots.
    live: Vec<u32>,
    /// Each term's consensus key ([`consensus::key`]): its thesaurus group, hashed.
    keys: Vec<u64>,
    /// The term ids of every slot's document, slot after slot (see [`Slot::start`]).
    forward: Vec<u32>,
    alive: usize,
}

impl Postings {
    /// Documents in the index (dead slots not counted).
    pub fn documents(&self) -> usize {
        self.alive
    }

    /// The stamp of the document `id`, if indexed.
    pub fn stamp(&self, id: &str) -> Option<i64> {
        self.by_id.get(id).map(|&slot| self.slots[slot as usize].stamp)
    }

    /// The slot of the document `id`, if indexed.
    pub fn slot(&self, id: &str) -> Option<u32> {
        self.by_id.get(id).copied()
    }

    pub fn id(&self, slot: u32) -> &str {
        &self.slots[slot as usize].id
    }

    pub fn resolved(&self, slot: u32) -> bool {
        bit(&self.resolved, slot)
    }

    /// The consensus keys of the document in `slot`: its lexemes as the thesaurus groups them, sorted.
    pub fn agreement(&self, slot: u32) -> Agreement {
        Agreement::new(self.forward[self.range(slot)].iter().map(|&term| self.keys[term as usize]).collect())
    }

    /// Where the term ids of `slot` lie in `forward`.
    fn range(&self, slot: u32) -> std::ops::Range<usize> {
        let start = self.slots[slot as usize].start as usize;
        start..self.slots.get(slot as usize + 1).map_or(self.forward.len(), |next| next.start as usize)
    }

    /// Adds `document`, replacing an earlier version of it. False when the same version is already there.
    pub fn insert(&mut self, document: Document) -> bool {
        if let Some(&old) = self.by_id.get(document.id.as_str()) {
            if self.slots[old as usize].stamp == document.stamp {
                return false;
            }
            self.dead[old as usize / 64] |= 1 << (old % 64);
            self.alive -= 1;
            for &term in &self.forward[self.range(old)] {
                self.live[term as usize] -= 1;
            }
        }
        let slot = u32::try_from(self.slots.len()).ok().filter(|&s| s < 1 << 30).expect("under 2^30 slots");
        let id: Box<str> = document.id.into();
        let start = u32::try_from(self.forward.len()).expect("under 2^32 (document, lexeme) pairs");
        self.by_id.insert(id.clone(), slot);
        self.slots.push(Slot { id, stamp: document.stamp, start });
        if self.dead.len() * 64 < self.slots.len() {
            self.dead.push(0);
            self.resolved.push(0);
        }
        if document.resolved {
            self.resolved[slot as usize / 64] |= 1 << (slot % 64);
        }
        self.unions.get_mut().unwrap_or_else(PoisonError::into_inner).clear();
        self.alive += 1;
        for (lexeme, field) in document.lexemes {
            let posting = slot << 2 | u32::from(field.min(2));
            let term = match self.terms.get(lexeme.as_str()) {
                Some(&term) => term,
                None => {
                    let term = u32::try_from(self.lists.len()).expect("under 2^32 lexemes");
                    self.keys.push(consensus::key(&lexeme));
                    self.lists.push(Vec::new());
                    self.live.push(0);
                    self.terms.insert(lexeme.into(), term);
                    term
                }
            };
            self.lists[term as usize].push(posting);
            self.live[term as usize] += 1;
            self.forward.push(term);
        }
        true
    }

    /// Frees the spare capacity the posting lists grew with (up to half of each): done once a full load is
    /// in, since a list mostly grows during the load and little after.
    pub fn shrink(&mut self) {
        self.lists.iter_mut().for_each(Vec::shrink_to_fit);
        self.lists.shrink_to_fit();
        self.keys.shrink_to_fit();
        self.live.shrink_to_fit();
        self.forward.shrink_to_fit();
        self.slots.shrink_to_fit();
        self.dead.shrink_to_fit();
        self.resolved.shrink_to_fit();
    }

    /// Share of slots that are dead: a rebuild reclaims them.
    pub fn dead_share(&self) -> f64 {
        if self.slots.is_empty() { 0.0 } else { 1.0 - self.alive as f64 / self.slots.len() as f64 }
    }

    /// The term ids of the lexemes `alternative` stands for: one, or every lexeme with its prefix.
    fn term_ids<'a>(&'a self, alternative: &'a Alternative) -> Box<dyn Iterator<Item = u32> + 'a> {
        if alternative.prefix {
            let from = Bound::Included(alternative.lexeme.as_str());
            Box::new(
                self.terms
                    .range::<str, _>((from, Bound::Unbounded))
                    .take_while(|(lexeme, _)| lexeme.starts_with(alternative.lexeme.as_str()))
                    .map(|(_, &term)| term),
            )
        } else {
            Box::new(self.terms.get(alternative.lexeme.as_str()).copied().into_iter())
        }
    }

    /// The live documents containing any of `plan`'s terms: a term's own count when there is one, else the
    /// union of their lists, marked in `seen` (cleared again after).
    fn frequency(&self, plan: &[(u32, f32)], seen: &mut [u64]) -> usize {
        let first = plan.first().map(|&(term, _)| term);
        if plan.iter().all(|&(term, _)| Some(term) == first) {
            return first.map_or(0, |term| self.live[term as usize] as usize);
        }
        let mut key: Vec<u32> = plan.iter().map(|&(term, _)| term).collect();
        key.sort_unstable();
        key.dedup();
        let unions = || self.unions.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&count) = unions().get(key.as_slice()) {
            return count as usize;
        }
        let mut count = 0;
        for &(term, _) in plan {
            for &posting in &self.lists[term as usize] {
                let slot = posting >> 2;
                let (word, bit) = (slot as usize / 64, 1u64 << (slot % 64));
                if self.dead[word] & bit == 0 && seen[word] & bit == 0 {
                    seen[word] |= bit;
                    count += 1;
                }
            }
        }
        for &(term, _) in plan {
            for &posting in &self.lists[term as usize] {
                seen[(posting >> 2) as usize / 64] = 0;
            }
        }
        let mut unions = unions();
        // Cleared by every change to the index; bounded as well, for an index nothing writes to.
        if unions.len() >= MAX_UNIONS {
            unions.clear();
        }
        unions.insert(key.into(), count as u32);
        count
    }
}

/// Whether `slot`'s bit is set in `bits`.
fn bit(bits: &[u64], slot: u32) -> bool {
    bits[slot as usize / 64] & (1 << (slot % 64)) != 0
}

/// At most this many document frequencies of unions are kept (see [`Postings::unions`]).
const MAX_UNIONS: usize = 10_000;
