//! An inverted index of one tenant's documents (past tickets, or knowledge-base articles) in the worker's
//! memory, and the weighted-coverage scoring over it (the formula of `docs/ARCHITECTURE.md`, "How ranking
//! works"). Pure data and arithmetic: loading and freshness are `live.rs`'s.
//!
//! A document is the lexemes of its stored `search` vector, each with its best field (subject or title,
//! description or body, resolution), which is all the scoring reads; the texts stay in PostgreSQL and are
//! read for the few documents a note shows. A posting is one `u32`: the document's slot shifted left by two,
//! the field in the low bits. Slots only grow, so every posting list is sorted by slot. A document written
//! again gets a new slot and its old slot is marked dead (its postings stay, skipped, until the next
//! rebuild), which keeps an update to one append per lexeme.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use super::super::terms::{Alternative, QueryTerms};

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
    resolved: bool,
}

/// One tenant's documents of one kind.
#[derive(Debug, Default)]
pub struct Postings {
    slots: Vec<Slot>,
    /// One bit per slot, set when the slot is dead: a scoring pass tests it for every posting, and a bit
    /// set fits the processor's cache where the slots do not.
    dead: Vec<u64>,
    by_id: HashMap<Box<str>, u32>,
    terms: BTreeMap<Box<str>, Vec<u32>>,
    alive: usize,
}

/// What a scoring pass keeps per slot, in one place so that a posting costs one memory access.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    /// The term that last touched the slot, as `base + index + 1` of its pass (see [`Scratch`]).
    tag: u32,
    /// That term's best factor in the slot.
    best: f32,
    /// The weighted sum so far.
    sum: f64,
}

/// Per-thread scratch space of the scoring passes, reused: allocating and zeroing a cell per slot for every
/// search was a tenth of its time at 100,000 tickets. A pass takes tags above `epoch`, so cells touched by
/// earlier passes read as untouched without being cleared.
#[derive(Debug, Default)]
struct Scratch {
    cells: Vec<Cell>,
    epoch: u32,
}

impl Scratch {
    /// Makes room for `slots` and reserves `terms + 1` tags; the base tag of the pass.
    fn begin(&mut self, slots: usize, terms: usize) -> u32 {
        if self.cells.len() < slots {
            self.cells.resize(slots, Cell::default());
        }
        let terms = u32::try_from(terms).unwrap_or(u32::MAX / 2);
        if self.epoch.checked_add(terms + 1).is_none() {
            self.cells.iter_mut().for_each(|cell| cell.tag = 0);
            self.epoch = 0;
        }
        let base = self.epoch;
        self.epoch += terms + 1;
        base
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

/// A scored document: its slot and weighted coverage (0..1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub slot: u32,
    pub coverage: f64,
}

/// The result of [`Postings::score`].
#[derive(Debug, Default)]
pub struct Scored {
    /// Every document matching at least one term, in no particular order (callers select the best: sorting
    /// every match was an eighth of a search's time at 100,000 tickets).
    pub hits: Vec<Hit>,
    /// The weight of the terms some document contains over the weight of all terms (a term no document
    /// contains weighs as if one did).
    pub known_share: f64,
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
        self.slots[slot as usize].resolved
    }

    /// Adds `document`, replacing an earlier version of it. False when the same version is already there.
    pub fn insert(&mut self, document: Document) -> bool {
        if let Some(&old) = self.by_id.get(document.id.as_str()) {
            if self.slots[old as usize].stamp == document.stamp {
                return false;
            }
            self.dead[old as usize / 64] |= 1 << (old % 64);
            self.alive -= 1;
        }
        let slot = u32::try_from(self.slots.len()).ok().filter(|&s| s < 1 << 30).expect("under 2^30 slots");
        let id: Box<str> = document.id.into();
        self.by_id.insert(id.clone(), slot);
        self.slots.push(Slot { id, stamp: document.stamp, resolved: document.resolved });
        if self.dead.len() * 64 < self.slots.len() {
            self.dead.push(0);
        }
        self.alive += 1;
        for (lexeme, field) in document.lexemes {
            let posting = slot << 2 | u32::from(field.min(2));
            match self.terms.get_mut(lexeme.as_str()) {
                Some(list) => list.push(posting),
                None => {
                    self.terms.insert(lexeme.into(), vec![posting]);
                }
            }
        }
        true
    }

    /// Frees the spare capacity the posting lists grew with (up to half of each): done once a full load is
    /// in, since a list mostly grows during the load and little after.
    pub fn shrink(&mut self) {
        self.terms.values_mut().for_each(Vec::shrink_to_fit);
        self.slots.shrink_to_fit();
        self.dead.shrink_to_fit();
    }

    /// Share of slots that are dead: a rebuild reclaims them.
    pub fn dead_share(&self) -> f64 {
        if self.slots.is_empty() { 0.0 } else { 1.0 - self.alive as f64 / self.slots.len() as f64 }
    }

    /// The posting lists of the lexemes `alternative` stands for: one, or every lexeme with its prefix.
    fn lists<'a>(&'a self, alternative: &'a Alternative) -> Box<dyn Iterator<Item = &'a Vec<u32>> + 'a> {
        if alternative.prefix {
            let from = Bound::Included(alternative.lexeme.as_str());
            Box::new(
                self.terms
                    .range::<str, _>((from, Bound::Unbounded))
                    .take_while(|(lexeme, _)| lexeme.starts_with(alternative.lexeme.as_str()))
                    .map(|(_, list)| list),
            )
        } else {
            Box::new(self.terms.get(alternative.lexeme.as_str()).into_iter())
        }
    }

    /// Weighted coverage of every document matching `query`: a term weighs its query weight times its
    /// inverse document frequency, `ln(1 + (N - df + 0.5) / (df + 0.5))`; a document counts, per term, the
    /// best of its matches: the alternative's factor times `fields[field]`. The coverage is the sum over the
    /// terms over the weight of the terms found in the corpus at all. A term's document frequency is that of
    /// the union of its alternatives; terms no document contains leave the coverage alone and lower
    /// [`Scored::known_share`].
    pub fn score(&self, query: &QueryTerms, fields: &[f64; 3]) -> Scored {
        SCRATCH.with_borrow_mut(|scratch| self.score_with(query, fields, scratch))
    }

    fn score_with(&self, query: &QueryTerms, fields: &[f64; 3], scratch: &mut Scratch) -> Scored {
        let n = self.alive as f64;
        let base = scratch.begin(self.slots.len(), query.terms.len());
        let cells = &mut scratch.cells;
        let mut touched: Vec<u32> = Vec::new();
        let mut matched: Vec<u32> = Vec::new();
        let (mut mass, mut known, mut all) = (0.0, 0.0, 0.0);
        for (index, term) in query.terms.iter().enumerate() {
            let tag = base + index as u32 + 1;
            touched.clear();
            for alternative in &term.alternatives {
                for list in self.lists(alternative) {
                    for &posting in list {
                        let slot = posting >> 2;
                        if self.dead[slot as usize / 64] & (1 << (slot % 64)) != 0 {
                            continue;
                        }
                        let factor = (alternative.factor * fields[(posting & 3) as usize]) as f32;
                        let cell = &mut cells[slot as usize];
                        if cell.tag != tag {
                            if cell.tag <= base {
                                matched.push(slot);
                                cell.sum = 0.0;
                            }
                            cell.tag = tag;
                            cell.best = factor;
                            touched.push(slot);
                        } else if factor > cell.best {
                            cell.best = factor;
                        }
                    }
                }
            }
            let df = touched.len() as f64;
            let weight = term.weight * idf(n, df.max(1.0));
            all += weight;
            if touched.is_empty() {
                continue;
            }
            known += weight;
            let weight = term.weight * idf(n, df);
            mass += weight;
            for &slot in &touched {
                let cell = &mut cells[slot as usize];
                cell.sum += weight * f64::from(cell.best);
            }
        }
        let hits = if mass > 0.0 {
            matched.into_iter().map(|slot| Hit { slot, coverage: cells[slot as usize].sum / mass }).collect()
        } else {
            Vec::new()
        };
        Scored { hits, known_share: if all > 0.0 { known / all } else { 0.0 } }
    }
}

/// BM25's inverse document frequency, never negative.
fn idf(n: f64, df: f64) -> f64 {
    (1.0 + ((n - df).max(0.0) + 0.5) / (df + 0.5)).ln()
}

#[cfg(test)]
mod tests {
    use super::super::super::terms::QueryTerm;
    use super::*;

    const FIELDS: [f64; 3] = [1.0, 0.6, 0.3];

    fn doc(id: &str, stamp: i64, lexemes: &[(&str, u8)]) -> Document {
        Document {
            id: id.to_owned(),
            stamp,
            resolved: false,
            lexemes: lexemes.iter().map(|(l, f)| ((*l).to_owned(), *f)).collect(),
        }
    }

    /// (lexeme, prefix, factor)
    type Alternatives<'a> = &'a [(&'a str, bool, f64)];

    fn query(terms: &[(Alternatives, f64)]) -> QueryTerms {
        QueryTerms {
            terms: terms
                .iter()
                .map(|(alternatives, weight)| QueryTerm {
                    weight: *weight,
                    alternatives: alternatives
                        .iter()
                        .map(|(l, prefix, factor)| Alternative {
                            lexeme: (*l).to_owned(),
                            prefix: *prefix,
                            factor: *factor,
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    fn coverage(scored: &Scored, postings: &Postings, id: &str) -> Option<f64> {
        scored.hits.iter().find(|h| postings.id(h.slot) == id).map(|h| h.coverage)
    }

    #[test]
    fn coverage_weighs_fields_and_rare_terms() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("vpn", 0), ("drop", 0)]));
        p.insert(doc("b", 1, &[("vpn", 1)]));
        p.insert(doc("c", 1, &[("printer", 0)]));
        let scored = p.score(&query(&[(&[("vpn", false, 1.0)], 1.0), (&[("drop", true, 1.0)], 1.0)]), &FIELDS);
        let (a, b) = (coverage(&scored, &p, "a").unwrap(), coverage(&scored, &p, "b").unwrap());
        assert!((a - 1.0).abs() < 1e-9, "every term in the best field: {a}");
        assert!(b > 0.0 && b < 0.6 && b < a, "one common term in the body: {b}");
        assert_eq!(coverage(&scored, &p, "c"), None);
        assert!((scored.known_share - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_term_matches_by_any_alternative_with_its_factor_and_by_prefix() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("wifi", 0)]));
        p.insert(doc("b", 1, &[("wireless", 0)]));
        p.insert(doc("c", 1, &[("expir", 1), ("expiri", 0)]));
        let scored = p.score(&query(&[(&[("wifi", false, 1.0), ("wireless", false, 0.5)], 1.0)]), &FIELDS);
        assert!((coverage(&scored, &p, "a").unwrap() - 1.0).abs() < 1e-9);
        assert!((coverage(&scored, &p, "b").unwrap() - 0.5).abs() < 1e-9);
        let scored = p.score(&query(&[(&[("expir", true, 1.0)], 1.0)]), &FIELDS);
        assert!((coverage(&scored, &p, "c").unwrap() - 1.0).abs() < 1e-9, "the best field of the matches");
    }

    #[test]
    fn an_unknown_term_lowers_the_known_share_not_the_coverage() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("disk", 0)]));
        p.insert(doc("b", 1, &[("room", 0)]));
        let scored = p.score(&query(&[(&[("disk", false, 1.0)], 1.0), (&[("zzz", false, 1.0)], 1.0)]), &FIELDS);
        assert!((coverage(&scored, &p, "a").unwrap() - 1.0).abs() < 1e-9);
        assert!(scored.known_share > 0.0 && scored.known_share < 1.0, "{}", scored.known_share);
        assert!(p.score(&query(&[(&[("zzz", false, 1.0)], 1.0)]), &FIELDS).hits.is_empty());
    }

    #[test]
    fn the_reused_scratch_space_gives_every_pass_the_same_scores() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("vpn", 0), ("drop", 1)]));
        p.insert(doc("b", 1, &[("drop", 0)]));
        let q = query(&[(&[("vpn", false, 1.0)], 1.0), (&[("drop", false, 1.0)], 0.5)]);
        let first = p.score(&q, &FIELDS).hits;
        let other = p.score(&query(&[(&[("drop", false, 1.0)], 1.0)]), &FIELDS).hits;
        assert_eq!(p.score(&q, &FIELDS).hits, first, "a pass in between changes nothing");
        assert_ne!(other, first);
        // Tags about to run out: the cells are cleared and the pass starts again from zero.
        let mut scratch = Scratch { epoch: u32::MAX - 1, ..Scratch::default() };
        assert_eq!(p.score_with(&q, &FIELDS, &mut scratch).hits, first);
        assert_eq!(p.score_with(&q, &FIELDS, &mut scratch).hits, first);
    }

    #[test]
    fn a_document_written_again_replaces_its_old_version() {
        let mut p = Postings::default();
        assert!(p.insert(doc("a", 1, &[("vpn", 0)])));
        assert!(!p.insert(doc("a", 1, &[("vpn", 0)])), "same version: kept");
        assert!(p.insert(doc("a", 2, &[("wifi", 0)])));
        assert_eq!((p.documents(), p.slots.len(), p.stamp("a")), (1, 2, Some(2)));
        assert!(p.score(&query(&[(&[("vpn", false, 1.0)], 1.0)]), &FIELDS).hits.is_empty());
        assert_eq!(p.score(&query(&[(&[("wifi", false, 1.0)], 1.0)]), &FIELDS).hits.len(), 1);
        assert!((p.dead_share() - 0.5).abs() < 1e-9);
    }
}
