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
//!
//! Beside the posting lists, a forward list: each slot's terms, so that the consensus (`consensus.rs`) reads
//! the lexemes of the few best candidates here instead of from PostgreSQL, each already mapped to its
//! thesaurus group's key ([`Postings::agreement`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use super::super::consensus::{self, Agreement};
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
    /// One bit per slot: the documents a term's alternatives matched so far, for its document frequency.
    seen: Vec<u64>,
    /// One bit per slot: the candidates, the documents an essential term matched.
    candidates: Vec<u64>,
}

impl Scratch {
    /// Makes room for `slots` and reserves `terms + 1` tags; the base tag of the pass.
    fn begin(&mut self, slots: usize, terms: usize) -> u32 {
        if self.cells.len() < slots {
            self.cells.resize(slots, Cell::default());
        }
        let words = slots.div_ceil(64);
        self.seen.clear();
        self.seen.resize(words, 0);
        self.candidates.clear();
        self.candidates.resize(words, 0);
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
    /// Every document whose coverage reaches the pass's floor, in no particular order (callers select the
    /// best: sorting every match was an eighth of a search's time at 100,000 tickets).
    pub hits: Vec<Hit>,
    /// The weight of the terms some document contains over the weight of all terms (a term no document
    /// contains weighs as if one did).
    pub known_share: f64,
    /// The terms read for the candidates only (see [`Postings::score`]), for the tests.
    #[cfg(test)]
    pub pruned: usize,
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
        self.slots.push(Slot { id, stamp: document.stamp, resolved: document.resolved, start });
        if self.dead.len() * 64 < self.slots.len() {
            self.dead.push(0);
        }
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

    /// Weighted coverage of every document matching `query` whose coverage reaches `floor`: a term weighs
    /// its query weight times its inverse document frequency, `ln(1 + (N - df + 0.5) / (df + 0.5))`; a
    /// document counts, per term, the best of its matches: the alternative's factor times `fields[field]`.
    /// The coverage is the sum over the terms over the weight of the terms found in the corpus at all. A
    /// term's document frequency is that of the union of its alternatives; terms no document contains leave
    /// the coverage alone and lower [`Scored::known_share`].
    ///
    /// Exact, with a pruning: the most common terms whose weights together stay under `floor` of the whole
    /// cannot lift a document to the floor on their own, so only documents some other (essential) term
    /// matched are candidates, and the common terms' lists are read only to add to those. The common lists
    /// are the long ones (a word in half the tickets), and a read that tests a bit of a small bit set costs
    /// far less than one that updates the document's cell (`docs/BENCHMARKS.md`, "Search at scale").
    pub fn score(&self, query: &QueryTerms, fields: &[f64; 3], floor: f64) -> Scored {
        SCRATCH.with_borrow_mut(|scratch| self.score_with(query, fields, floor, scratch))
    }

    fn score_with(&self, query: &QueryTerms, fields: &[f64; 3], floor: f64, scratch: &mut Scratch) -> Scored {
        let n = self.alive as f64;
        let base = scratch.begin(self.slots.len(), query.terms.len());
        // Each term's lists with the factor of the alternative that names them, and its weight.
        let plans: Vec<Vec<(u32, f32)>> = query
            .terms
            .iter()
            .map(|term| {
                term.alternatives.iter().flat_map(|a| self.term_ids(a).map(move |id| (id, a.factor as f32))).collect()
            })
            .collect();
        let (mut mass, mut known, mut all) = (0.0, 0.0, 0.0);
        let mut weights: Vec<f64> = Vec::with_capacity(plans.len());
        for (term, plan) in query.terms.iter().zip(&plans) {
            let df = self.frequency(plan, &mut scratch.seen) as f64;
            let weight = term.weight * idf(n, df.max(1.0));
            all += weight;
            if df == 0.0 {
                weights.push(0.0);
                continue;
            }
            known += weight;
            mass += weight;
            weights.push(weight);
        }
        let known_share = if all > 0.0 { known / all } else { 0.0 };
        if mass <= 0.0 {
            return Scored { known_share, ..Scored::default() };
        }
        // The most a term can add to a coverage, and the non-essential terms: the lightest, while together
        // they stay under the floor (a margin for rounding).
        let top_field = fields.iter().copied().fold(0.0, f64::max);
        let bound = |index: usize| {
            let factor = plans[index].iter().map(|&(_, f)| f64::from(f)).fold(0.0, f64::max);
            weights[index] * factor * top_field / mass
        };
        let mut by_bound: Vec<usize> = (0..plans.len()).filter(|&i| weights[i] > 0.0).collect();
        by_bound.sort_by(|&a, &b| bound(a).total_cmp(&bound(b)));
        let mut optional = vec![false; plans.len()];
        let mut reach = 0.0;
        for &index in &by_bound {
            reach += bound(index);
            if reach >= floor * (1.0 - 1e-9) {
                break;
            }
            optional[index] = true;
        }
        let mut matched: Vec<u32> = Vec::new();
        let mut touched: Vec<u32> = Vec::new();
        for essential in [true, false] {
            for (index, plan) in plans.iter().enumerate() {
                if weights[index] == 0.0 || optional[index] == essential {
                    continue;
                }
                let tag = base + index as u32 + 1;
                touched.clear();
                for &(term, factor) in plan {
                    for &posting in &self.lists[term as usize] {
                        let slot = posting >> 2;
                        let word = slot as usize / 64;
                        let bit = 1 << (slot % 64);
                        // An essential term reads every live document, a non-essential one only candidates
                        // (never dead: no essential term took a dead slot).
                        let skip =
                            if essential { self.dead[word] & bit != 0 } else { scratch.candidates[word] & bit == 0 };
                        if skip {
                            continue;
                        }
                        let factor = factor * fields[(posting & 3) as usize] as f32;
                        let cell = &mut scratch.cells[slot as usize];
                        if cell.tag != tag {
                            if cell.tag <= base {
                                matched.push(slot);
                                scratch.candidates[word] |= bit;
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
                for &slot in &touched {
                    let cell = &mut scratch.cells[slot as usize];
                    cell.sum += weights[index] * f64::from(cell.best);
                }
            }
        }
        let hits = matched
            .into_iter()
            .map(|slot| Hit { slot, coverage: scratch.cells[slot as usize].sum / mass })
            .filter(|hit| hit.coverage >= floor)
            .collect();
        Scored {
            hits,
            known_share,
            #[cfg(test)]
            pruned: optional.iter().filter(|&&o| o).count(),
        }
    }

    /// The live documents containing any of `plan`'s terms: a term's own count when there is one, else the
    /// union of their lists, marked in `seen` (cleared again after).
    fn frequency(&self, plan: &[(u32, f32)], seen: &mut [u64]) -> usize {
        let first = plan.first().map(|&(term, _)| term);
        if plan.iter().all(|&(term, _)| Some(term) == first) {
            return first.map_or(0, |term| self.live[term as usize] as usize);
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
        count
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
        let scored = p.score(&query(&[(&[("vpn", false, 1.0)], 1.0), (&[("drop", true, 1.0)], 1.0)]), &FIELDS, 0.0);
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
        let scored = p.score(&query(&[(&[("wifi", false, 1.0), ("wireless", false, 0.5)], 1.0)]), &FIELDS, 0.0);
        assert!((coverage(&scored, &p, "a").unwrap() - 1.0).abs() < 1e-9);
        assert!((coverage(&scored, &p, "b").unwrap() - 0.5).abs() < 1e-9);
        let scored = p.score(&query(&[(&[("expir", true, 1.0)], 1.0)]), &FIELDS, 0.0);
        assert!((coverage(&scored, &p, "c").unwrap() - 1.0).abs() < 1e-9, "the best field of the matches");
    }

    #[test]
    fn an_unknown_term_lowers_the_known_share_not_the_coverage() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("disk", 0)]));
        p.insert(doc("b", 1, &[("room", 0)]));
        let scored = p.score(&query(&[(&[("disk", false, 1.0)], 1.0), (&[("zzz", false, 1.0)], 1.0)]), &FIELDS, 0.0);
        assert!((coverage(&scored, &p, "a").unwrap() - 1.0).abs() < 1e-9);
        assert!(scored.known_share > 0.0 && scored.known_share < 1.0, "{}", scored.known_share);
        assert!(p.score(&query(&[(&[("zzz", false, 1.0)], 1.0)]), &FIELDS, 0.0).hits.is_empty());
    }

    #[test]
    fn the_reused_scratch_space_gives_every_pass_the_same_scores() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("vpn", 0), ("drop", 1)]));
        p.insert(doc("b", 1, &[("drop", 0)]));
        let q = query(&[(&[("vpn", false, 1.0)], 1.0), (&[("drop", false, 1.0)], 0.5)]);
        let first = p.score(&q, &FIELDS, 0.0).hits;
        let other = p.score(&query(&[(&[("drop", false, 1.0)], 1.0)]), &FIELDS, 0.0).hits;
        assert_eq!(p.score(&q, &FIELDS, 0.0).hits, first, "a pass in between changes nothing");
        assert_ne!(other, first);
        // Tags about to run out: the cells are cleared and the pass starts again from zero.
        let mut scratch = Scratch { epoch: u32::MAX - 1, ..Scratch::default() };
        assert_eq!(p.score_with(&q, &FIELDS, 0.0, &mut scratch).hits, first);
        assert_eq!(p.score_with(&q, &FIELDS, 0.0, &mut scratch).hits, first);
    }

    #[test]
    fn a_document_written_again_replaces_its_old_version() {
        let mut p = Postings::default();
        assert!(p.insert(doc("a", 1, &[("vpn", 0)])));
        assert!(!p.insert(doc("a", 1, &[("vpn", 0)])), "same version: kept");
        assert!(p.insert(doc("a", 2, &[("wifi", 0)])));
        assert_eq!((p.documents(), p.slots.len(), p.stamp("a")), (1, 2, Some(2)));
        assert!(p.score(&query(&[(&[("vpn", false, 1.0)], 1.0)]), &FIELDS, 0.0).hits.is_empty());
        assert_eq!(p.score(&query(&[(&[("wifi", false, 1.0)], 1.0)]), &FIELDS, 0.0).hits.len(), 1);
        assert!((p.dead_share() - 0.5).abs() < 1e-9);
    }
    #[test]
    fn pruning_the_common_terms_leaves_every_score_above_the_floor_as_it_was() {
        // A corpus with a skewed vocabulary: word w appears in about 1/(w+1) of the documents, so the
        // first words are common enough to be pruned.
        let mut p = Postings::default();
        let mut state: u64 = 7;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        for id in 0..3000 {
            let mut lexemes: Vec<(String, u8)> = Vec::new();
            for word in 0..40u32 {
                if next() % (word + 1) == 0 {
                    lexemes.push((format!("w{word:02}"), (next() % 3) as u8));
                }
            }
            p.insert(doc(&format!("d{id}"), 1, &lexemes.iter().map(|(l, f)| (l.as_str(), *f)).collect::<Vec<_>>()));
        }
        // Some documents written again, so that dead slots are in the lists.
        for id in (0..3000).step_by(7) {
            p.insert(doc(&format!("d{id}"), 2, &[("w00", 0), ("w31", 1)]));
        }
        let q = query(&[
            (&[("w00", false, 1.0)], 1.0),
            (&[("w01", false, 1.0), ("w02", false, 0.5)], 1.0),
            (&[("w0", true, 0.8)], 0.5),
            (&[("w17", false, 1.0)], 1.0),
            (&[("w31", false, 1.0)], 0.5),
            (&[("w39", false, 1.0)], 1.0),
        ]);
        for floor in [0.05, 0.1, 0.2, 0.4] {
            let mut pruned = p.score(&q, &FIELDS, floor).hits;
            let mut all: Vec<Hit> =
                p.score(&q, &FIELDS, 0.0).hits.into_iter().filter(|h| h.coverage >= floor).collect();
            pruned.sort_by_key(|h| h.slot);
            all.sort_by_key(|h| h.slot);
            assert_eq!(pruned.len(), all.len(), "floor {floor}");
            assert!(!all.is_empty());
            for (a, b) in pruned.iter().zip(&all) {
                assert_eq!(a.slot, b.slot);
                assert!((a.coverage - b.coverage).abs() < 1e-12, "floor {floor}: {a:?} {b:?}");
            }
        }
        let (unpruned, pruned) = (p.score(&q, &FIELDS, 0.0), p.score(&q, &FIELDS, 0.2));
        assert_eq!(unpruned.pruned, 0);
        assert!(pruned.pruned >= 2, "the common terms are pruned: {}", pruned.pruned);
        assert!(unpruned.hits.len() > pruned.hits.len(), "the floor leaves some out");
    }
}
