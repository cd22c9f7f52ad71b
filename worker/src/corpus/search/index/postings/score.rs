//! Weighted-coverage scoring over a [`Postings`] index (the formula of `docs/ARCHITECTURE.md`, "How ranking
//! works"), exact for the k best and pruned: the common terms' long lists are read only for the candidates
//! the rarer terms found ([`Postings::score`]).

use std::cell::RefCell;

use super::super::super::consensus::Agreement;
use super::super::super::terms::QueryTerms;
use super::{Postings, bit};

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
pub(super) struct Scratch {
    cells: Vec<Cell>,
    epoch: u32,
    /// One bit per slot: the documents a term's alternatives matched so far, for its document frequency.
    seen: Vec<u64>,
    /// One bit per slot: the candidates, the documents an essential term matched.
    candidates: Vec<u64>,
}

impl Scratch {
    /// A scratch space whose tags are about to run out (tests).
    #[cfg(test)]
    pub(super) fn at_epoch(epoch: u32) -> Self {
        Self { epoch, ..Self::default() }
    }

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

/// One of [`Postings::best`]'s documents.
#[derive(Debug)]
pub struct Found {
    pub id: String,
    pub score: f32,
    /// The version of the document that was scored ([`super::Document::stamp`]).
    pub stamp: i64,
    pub agreement: Agreement,
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

    pub(super) fn score_with(&self, query: &QueryTerms, fields: &[f64; 3], cut: Cut, scratch: &mut Scratch) -> Scored {
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

    /// The `k` best of `hits` (slot, score), best first, ties by id, with their ids, versions and lexemes
    /// for the consensus: a partial selection, since a mass incident matches thousands.
    pub fn best(&self, hits: impl Iterator<Item = (u32, f32)>, k: usize) -> Vec<Found> {
        let order = |a: &(u32, f32), b: &(u32, f32)| b.1.total_cmp(&a.1).then_with(|| self.id(a.0).cmp(self.id(b.0)));
        let mut hits: Vec<(u32, f32)> = hits.collect();
        if hits.len() > k {
            hits.select_nth_unstable_by(k, order);
            hits.truncate(k);
        }
        hits.sort_by(order);
        hits.into_iter()
            .map(|(slot, score)| Found {
                id: self.id(slot).to_owned(),
                score,
                stamp: self.slots[slot as usize].stamp,
                agreement: self.agreement(slot),
            })
            .collect()
    }
}

/// The first position in `list` (postings sorted by slot) whose slot is `slot` or after: an exponential
/// search from its start, then a binary one, so a lookup costs the logarithm of the distance it moves.
pub(super) fn gallop(list: &[u32], slot: u32) -> usize {
    let mut step = 1;
    while step < list.len() && list[step] >> 2 < slot {
        step *= 2;
    }
    let low = step / 2;
    low + list[low..list.len().min(step + 1)].partition_point(|&posting| posting >> 2 < slot)
}

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
