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
use std::sync::{Mutex, PoisonError};

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

/// Which documents [`Postings::score`] must score exactly: those that can be among the `k` best by
/// coverage times their boost (`resolved_boost` for a resolved ticket, else 1), with a coverage of at least
/// `floor`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    pub floor: f64,
    pub k: usize,
    pub resolved_boost: f64,
}

impl Cut {
    /// Every document matching a term (no pruning).
    #[cfg(test)]
    pub const ALL: Cut = Cut { floor: 0.0, k: usize::MAX, resolved_boost: 1.0 };
}

/// The result of [`Postings::score`].
#[derive(Debug, Default)]
pub struct Scored {
    /// Every document that can be among the cut's `k` best, with its exact coverage, in no particular order
    /// (callers select the best: sorting every match was an eighth of a search's time at 100,000 tickets).
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

    /// Weighted coverage of the documents matching `query` that can be among the `cut.k` best: a term weighs
    /// its query weight times its inverse document frequency, `ln(1 + (N - df + 0.5) / (df + 0.5))`; a
    /// document counts, per term, the best of its matches: the alternative's factor times `fields[field]`.
    /// The coverage is the sum over the terms over the weight of the terms found in the corpus at all. A
    /// term's document frequency is that of the union of its alternatives; terms no document contains leave
    /// the coverage alone and lower [`Scored::known_share`].
    ///
    /// Exact for the `k` best, with a pruning (term at a time, "quit and continue"): the terms are read from
    /// the heaviest (rarest) down, and before a long list the k-th best score so far is a floor for the
    /// final k best, since the remaining terms only add. Once the remaining terms together cannot lift a
    /// document they alone match to that floor (or to `cut.floor`), no new document is taken: the common
    /// terms' lists are read only to add to the candidates, a test of a bit in a small bit set per posting
    /// instead of an update of the document's cell, and candidates that cannot reach the floor any more are
    /// dropped. The common lists are the long ones (a word in half the tickets): `docs/BENCHMARKS.md`,
    /// "Search at scale".
    pub fn score(&self, query: &QueryTerms, fields: &[f64; 3], cut: Cut) -> Scored {
        SCRATCH.with_borrow_mut(|scratch| self.score_with(query, fields, cut, scratch))
    }

    fn score_with(&self, query: &QueryTerms, fields: &[f64; 3], cut: Cut, scratch: &mut Scratch) -> Scored {
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
        // The terms from the heaviest down, each with the most it can add to a coverage.
        let top_field = fields.iter().copied().fold(0.0, f64::max);
        let bound = |index: usize| {
            let factor = plans[index].iter().map(|&(_, f)| f64::from(f)).fold(0.0, f64::max);
            weights[index] * factor * top_field / mass
        };
        let mut order: Vec<(usize, f64)> =
            (0..plans.len()).filter(|&i| weights[i] > 0.0).map(|i| (i, bound(i))).collect();
        order.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut remaining: f64 = order.iter().map(|&(_, b)| b).sum();
        let top_boost = cut.resolved_boost.max(1.0);
        let boost = |slot: u32| if bit(&self.resolved, slot) { top_boost } else { 1.0 };
        // Below this a document cannot be among the `k` best nor reach the floor (a margin for rounding).
        let margin = 1.0 - 1e-9;
        let mut matched: Vec<u32> = Vec::new();
        let mut touched: Vec<u32> = Vec::new();
        let mut finals: Vec<f64> = Vec::new();
        let mut essential = true;
        // The k-th best score so far; the postings read since it was taken; whether candidates may drop.
        let (mut theta, mut since_check, mut dropping) = (f64::NEG_INFINITY, 0, false);
        #[cfg(test)]
        let mut pruned = 0;
        for &(index, bound) in &order {
            let plan = &plans[index];
            let postings: usize = plan.iter().map(|&(term, _)| self.lists[term as usize].len()).sum();
            since_check += postings;
            // The k-th best score so far is a floor for the final k best, since the remaining terms only add.
            // Finding it costs a pass over the candidates: taken once the lists read since the last one are
            // longer than that, so it never costs more than the reading.
            if since_check > matched.len() {
                since_check = 0;
                theta = kth_best(&matched, cut.k, &mut finals, |slot| {
                    let sum = scratch.cells[slot as usize].sum;
                    sum / mass * boost(slot)
                });
                dropping = true;
            }
            if essential && remaining < cut.floor.max(theta / top_boost) * margin {
                // No document the remaining terms alone match can reach the bar: only candidates from now on.
                essential = false;
                dropping = true;
            }
            if !essential && dropping {
                // Candidates that cannot reach the k-th best or the floor with every remaining term.
                dropping = false;
                for &slot in &matched {
                    let cell = &mut scratch.cells[slot as usize];
                    let reach = cell.sum / mass + remaining;
                    if reach * boost(slot) < theta * margin || reach < cut.floor * margin {
                        cell.sum = f64::NEG_INFINITY;
                        scratch.candidates[slot as usize / 64] &= !(1 << (slot % 64));
                    }
                }
                matched.retain(|&slot| scratch.cells[slot as usize].sum > f64::NEG_INFINITY);
                // By slot, for the lookups (nothing is added to it from here on).
                matched.sort_unstable();
            }
            #[cfg(test)]
            if !essential {
                pruned += 1;
            }
            remaining -= bound;
            let tag = base + index as u32 + 1;
            touched.clear();
            for &(term, factor) in plan {
                let list = &self.lists[term as usize];
                if !essential && matched.len() * LOOKUP_COST < list.len() {
                    // Few candidates, a long list: look each up instead of reading it all. Both are sorted
                    // by slot, so each search starts where the previous one ended.
                    let mut from = 0;
                    for &slot in &matched {
                        from += gallop(&list[from..], slot);
                        if let Some(&posting) = list.get(from).filter(|&&posting| posting >> 2 == slot) {
                            let factor = factor * fields[(posting & 3) as usize] as f32;
                            touch(&mut scratch.cells[slot as usize], slot, tag, factor, &mut touched);
                        }
                    }
                    continue;
                }
                for &posting in list {
                    let slot = posting >> 2;
                    let word = slot as usize / 64;
                    let bit = 1 << (slot % 64);
                    // An essential term reads every live document, a non-essential one only candidates (never
                    // dead: no essential term took a dead slot).
                    let skip = if essential { self.dead[word] & bit != 0 } else { scratch.candidates[word] & bit == 0 };
                    if skip {
                        continue;
                    }
                    let factor = factor * fields[(posting & 3) as usize] as f32;
                    let cell = &mut scratch.cells[slot as usize];
                    if cell.tag <= base {
                        matched.push(slot);
                        scratch.candidates[word] |= bit;
                        cell.sum = 0.0;
                    }
                    touch(cell, slot, tag, factor, &mut touched);
                }
            }
            for &slot in &touched {
                let cell = &mut scratch.cells[slot as usize];
                cell.sum += weights[index] * f64::from(cell.best);
            }
        }
        let hits = matched
            .into_iter()
            .map(|slot| Hit { slot, coverage: scratch.cells[slot as usize].sum / mass })
            .filter(|hit| hit.coverage >= cut.floor)
            .collect();
        Scored {
            hits,
            known_share,
            #[cfg(test)]
            pruned,
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

/// The first position in `list` (postings sorted by slot) whose slot is `slot` or after: an exponential
/// search from its start, then a binary one, so a lookup costs the logarithm of the distance it moves.
fn gallop(list: &[u32], slot: u32) -> usize {
    let mut step = 1;
    while step < list.len() && list[step] >> 2 < slot {
        step *= 2;
    }
    let low = step / 2;
    low + list[low..list.len().min(step + 1)].partition_point(|&posting| posting >> 2 < slot)
}

/// Whether `slot`'s bit is set in `bits`.
fn bit(bits: &[u64], slot: u32) -> bool {
    bits[slot as usize / 64] & (1 << (slot % 64)) != 0
}

/// At most this many document frequencies of unions are kept (see [`Postings::unions`]).
const MAX_UNIONS: usize = 10_000;

/// What looking a slot up in a posting list costs against reading one posting (a binary search of a long
/// list, its steps missing the cache).
const LOOKUP_COST: usize = 256;

/// Counts `factor` in `cell` for the term tagged `tag`: the first match of the term in the slot is noted in
/// `touched`, a later one (another field, another alternative) keeps the best factor.
fn touch(cell: &mut Cell, slot: u32, tag: u32, factor: f32, touched: &mut Vec<u32>) {
    if cell.tag != tag {
        cell.tag = tag;
        cell.best = factor;
        touched.push(slot);
    } else if factor > cell.best {
        cell.best = factor;
    }
}

/// The `k`-th best of `score` over `slots` (minus infinity when there are fewer), in `buffer`'s space.
fn kth_best(slots: &[u32], k: usize, buffer: &mut Vec<f64>, score: impl Fn(u32) -> f64) -> f64 {
    if k == 0 || slots.len() < k {
        return f64::NEG_INFINITY;
    }
    buffer.clear();
    buffer.extend(slots.iter().map(|&slot| score(slot)));
    let (_, kth, _) = buffer.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
    *kth
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
        let scored =
            p.score(&query(&[(&[("vpn", false, 1.0)], 1.0), (&[("drop", true, 1.0)], 1.0)]), &FIELDS, Cut::ALL);
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
        let scored = p.score(&query(&[(&[("wifi", false, 1.0), ("wireless", false, 0.5)], 1.0)]), &FIELDS, Cut::ALL);
        assert!((coverage(&scored, &p, "a").unwrap() - 1.0).abs() < 1e-9);
        assert!((coverage(&scored, &p, "b").unwrap() - 0.5).abs() < 1e-9);
        let scored = p.score(&query(&[(&[("expir", true, 1.0)], 1.0)]), &FIELDS, Cut::ALL);
        assert!((coverage(&scored, &p, "c").unwrap() - 1.0).abs() < 1e-9, "the best field of the matches");
    }

    #[test]
    fn an_unknown_term_lowers_the_known_share_not_the_coverage() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("disk", 0)]));
        p.insert(doc("b", 1, &[("room", 0)]));
        let scored =
            p.score(&query(&[(&[("disk", false, 1.0)], 1.0), (&[("zzz", false, 1.0)], 1.0)]), &FIELDS, Cut::ALL);
        assert!((coverage(&scored, &p, "a").unwrap() - 1.0).abs() < 1e-9);
        assert!(scored.known_share > 0.0 && scored.known_share < 1.0, "{}", scored.known_share);
        assert!(p.score(&query(&[(&[("zzz", false, 1.0)], 1.0)]), &FIELDS, Cut::ALL).hits.is_empty());
    }

    #[test]
    fn the_reused_scratch_space_gives_every_pass_the_same_scores() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("vpn", 0), ("drop", 1)]));
        p.insert(doc("b", 1, &[("drop", 0)]));
        let q = query(&[(&[("vpn", false, 1.0)], 1.0), (&[("drop", false, 1.0)], 0.5)]);
        let first = p.score(&q, &FIELDS, Cut::ALL).hits;
        let other = p.score(&query(&[(&[("drop", false, 1.0)], 1.0)]), &FIELDS, Cut::ALL).hits;
        assert_eq!(p.score(&q, &FIELDS, Cut::ALL).hits, first, "a pass in between changes nothing");
        assert_ne!(other, first);
        // Tags about to run out: the cells are cleared and the pass starts again from zero.
        let mut scratch = Scratch { epoch: u32::MAX - 1, ..Scratch::default() };
        assert_eq!(p.score_with(&q, &FIELDS, Cut::ALL, &mut scratch).hits, first);
        assert_eq!(p.score_with(&q, &FIELDS, Cut::ALL, &mut scratch).hits, first);
    }

    #[test]
    fn a_document_written_again_replaces_its_old_version() {
        let mut p = Postings::default();
        assert!(p.insert(doc("a", 1, &[("vpn", 0)])));
        assert!(!p.insert(doc("a", 1, &[("vpn", 0)])), "same version: kept");
        assert!(p.insert(doc("a", 2, &[("wifi", 0)])));
        assert_eq!((p.documents(), p.slots.len(), p.stamp("a")), (1, 2, Some(2)));
        assert!(p.score(&query(&[(&[("vpn", false, 1.0)], 1.0)]), &FIELDS, Cut::ALL).hits.is_empty());
        assert_eq!(p.score(&query(&[(&[("wifi", false, 1.0)], 1.0)]), &FIELDS, Cut::ALL).hits.len(), 1);
        assert!((p.dead_share() - 0.5).abs() < 1e-9);
    }
    /// The `k` best of `hits` by coverage times boost, ties by id, as (id, score).
    fn top(p: &Postings, hits: &[Hit], k: usize, boost: f64) -> Vec<(String, f64)> {
        let mut scored: Vec<(String, f64)> = hits
            .iter()
            .map(|h| (p.id(h.slot).to_owned(), h.coverage * if p.resolved(h.slot) { boost } else { 1.0 }))
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        scored.truncate(k);
        scored
    }

    #[test]
    fn a_union_frequency_is_computed_again_after_a_change() {
        let mut p = Postings::default();
        p.insert(doc("a", 1, &[("wifi", 0)]));
        p.insert(doc("b", 1, &[("printer", 0)]));
        p.insert(doc("e", 1, &[("wireless", 1)]));
        let q = query(&[(&[("wifi", false, 1.0), ("wireless", false, 1.0)], 1.0), (&[("printer", false, 1.0)], 1.0)]);
        let before = coverage(&p.score(&q, &FIELDS, Cut::ALL), &p, "a").unwrap();
        assert_eq!(p.unions.lock().unwrap().len(), 1, "the union's frequency is kept");
        p.insert(doc("c", 1, &[("wireless", 0)]));
        p.insert(doc("d", 1, &[("wifi", 0), ("wireless", 1)]));
        let after = coverage(&p.score(&q, &FIELDS, Cut::ALL), &p, "a").unwrap();
        assert!(after < before, "the wifi term is now in 4 of 5 documents, printer in 1: {before} -> {after}");
        let plan = vec![(p.terms["wifi"], 1.0), (p.terms["wireless"], 1.0)];
        let mut seen = vec![0; 1];
        assert_eq!(p.frequency(&plan, &mut seen), 4);
        assert_eq!(seen, vec![0], "the bits are cleared after");
    }

    #[test]
    fn gallop_finds_the_first_posting_at_or_after_a_slot() {
        let list: Vec<u32> = [1u32, 2, 5, 9, 10, 40, 41, 100].iter().map(|slot| slot << 2 | 1).collect();
        for slot in 0..110 {
            let want = list.iter().position(|&p| p >> 2 >= slot).unwrap_or(list.len());
            assert_eq!(gallop(&list, slot), want, "slot {slot}");
        }
        assert_eq!(gallop(&[], 3), 0);
    }

    #[test]
    fn pruning_leaves_the_k_best_and_their_scores_as_they_were() {
        // A corpus with a skewed vocabulary: word w appears in about 1/(w+1) of the documents, so the
        // first words are common enough to be pruned; a third of the documents are resolved.
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
            let lexemes: Vec<(&str, u8)> = lexemes.iter().map(|(l, f)| (l.as_str(), *f)).collect();
            p.insert(Document { resolved: id % 3 == 0, ..doc(&format!("d{id}"), 1, &lexemes) });
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
            (&[("w23", false, 1.0)], 0.5),
            (&[("w31", false, 1.0)], 0.5),
            (&[("w39", false, 1.0)], 1.0),
        ]);
        let every = p.score(&q, &FIELDS, Cut::ALL);
        assert_eq!(every.pruned, 0);
        let mut pruned_somewhere = false;
        for floor in [0.0, 0.1, 0.3] {
            for k in [1, 5, 21, 500] {
                for resolved_boost in [1.0, 1.2] {
                    let cut = Cut { floor, k, resolved_boost };
                    let scored = p.score(&q, &FIELDS, cut);
                    pruned_somewhere |= scored.pruned > 0;
                    let above: Vec<Hit> = every.hits.iter().copied().filter(|h| h.coverage >= floor).collect();
                    let (want, got) = (top(&p, &above, k, resolved_boost), top(&p, &scored.hits, k, resolved_boost));
                    assert_eq!(got.len(), want.len(), "{cut:?}");
                    for (g, w) in got.iter().zip(&want) {
                        assert_eq!(g.0, w.0, "{cut:?}");
                        assert!((g.1 - w.1).abs() < 1e-12, "{cut:?}: {g:?} {w:?}");
                    }
                    assert!((scored.known_share - every.known_share).abs() < 1e-12);
                }
            }
        }
        assert!(pruned_somewhere, "some cut read the common terms for candidates only");
        let few = p.score(&q, &FIELDS, Cut { floor: 0.1, k: 5, resolved_boost: 1.2 });
        assert!(few.hits.len() < every.hits.len() / 2, "{} of {}", few.hits.len(), every.hits.len());
    }
}
