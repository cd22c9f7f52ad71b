//! Unit tests of the index and its scoring.

use super::super::super::terms::{Alternative, QueryTerm, QueryTerms};
use super::score::{Hit, Scored, Scratch, gallop};
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
    let scored = p.score(&query(&[(&[("vpn", false, 1.0)], 1.0), (&[("drop", true, 1.0)], 1.0)]), &FIELDS, Cut::ALL);
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
    let scored = p.score(&query(&[(&[("disk", false, 1.0)], 1.0), (&[("zzz", false, 1.0)], 1.0)]), &FIELDS, Cut::ALL);
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
    let mut scratch = Scratch::at_epoch(u32::MAX - 1);
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
