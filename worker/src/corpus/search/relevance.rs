//! Relevance cut-offs: which of the ranked similar tickets and articles a note shows. A match is shown only
//! when its score is a meaningful share of the best match's AND above an absolute floor, and a section shows
//! at most a handful. An empty section is an answer ("no related article found"); an unrelated article is
//! noise an agent learns to skip the section for.
//!
//! The search ranks; this decides. It is a pure function of the ranked scores so the quality binary
//! (`tests/src/quality/`) can sweep its parameters on the labelled set's tuning half (`--calibrate`) and
//! report, on the held-out half, exactly what the worker's notes would show: the gather stage
//! (`crate::stages::gather::context_for`) applies [`TICKETS`] and [`ARTICLES`] and nothing else.
//!
//! ## Why these values
//!
//! Chosen with `cargo run -p enhancer-tests --bin quality -- --calibrate`, which sweeps both parameters on
//! the calibration queries only: both halves of the first set of `tests/data/relevance/` (30 families of
//! look-alike problems, confusable pairs, distractors, six families without an article; 178 queries), over
//! a corpus that also holds the twelve held-out families of `fresh/` (their past tickets and articles are
//! more look-alikes; their queries are never swept). It prints, per setting, how many items a note shows,
//! their on-topic share, how many notes still show their family's answer, and how many notes of a family
//! without an article show none. The rule: the highest share of notes still showing their family's answer
//! among the settings whose on-topic share is at least 0.8 (the target). The tables and the held-out
//! figures are in `docs/BENCHMARKS.md` ("Context search quality"). Scores are those of
//! [`super::ranking`]: weighted coverage blended with consensus, in 0..1 (a resolved ticket's
//! x[`super::RESOLVED_BOOST`] aside); an article's is also scaled by the share of the query the knowledge
//! base knows.
//!
//! - Scores of on-topic and off-topic matches overlap: no share of the best separates them once the best
//!   itself is off topic, so the floor does most of the work and the share of the best only trims what
//!   trails a clear winner.
//! - Tickets, 2026-12-03 (fresh families in the corpus): the rule gives 0.95 / 0.22, 80.5 % on topic,
//!   0.46 tickets per note, one of the family's in 32 % of the notes. The previous 0.95 / 0.14, chosen on the
//!   tuning half alone with a smaller corpus, gave 72 % on topic there now, and 48 % on the fresh families.
//!   No setting reached 0.8 with more notes answered: the ranking, not the cut-off, is what limits it.
//! - Articles, 2026-12-03: the rule gives 0.95 / 0.20 at 80.0 % on topic (64 % of the notes whose family
//!   has an article show it, 69 % of the notes of a family without one show none), and it is taken as it
//!   comes. A margin (0.22: 81.4 %, 55 %) was tried first and dropped: it hid three of the demo's four
//!   exactly right articles (`deploy/local/demo.sh`; their scores 0.17 to 0.22), for 1.4 points of
//!   precision. The previous 0.9 / 0.18 gave 74 % on topic on the same queries.
//!
//! - Ranked by meaning ([`super::semantic`], all-MiniLM-L6-v2 served by `tests/semantic/`, 2026-12-03): the
//!   sweep over cosine floors (`quality --calibrate --embeddings ...`). Tickets: every floor from 0.30 to
//!   0.55 at 0.95 of the best gave the same 92.1 % of notes showing a family ticket, 82.9 to 83.5 % on topic;
//!   the highest of them, 0.55, was taken (ties broken by precision), 1.40 tickets per note. Articles: 0.95 /
//!   0.65 by the rule, 81.5 % on topic, 69.0 % of the notes whose family has an article show it, 69.4 % of
//!   the notes of a family without one show none (by words: 80.0 %, 64.1 %, 69.4 %).
//!
//! - Another model, another scale: the two semantic floors are settings (`embeddings.ticket_floor`,
//!   `embeddings.article_floor`, defaulting to the model's measured floors, or the values above), and
//!   `quality --calibrate --embeddings ...` ends with the floors this rule gives for the model it ranked
//!   with. nomic-embed-text-v1.5 (llama.cpp's server, 2026-12-03): 0.75 and 0.85; at MiniLM's floors it
//!   showed an article in every note of a family without one (`docs/BENCHMARKS.md`, "a second model, and
//!   floors per model"). all-mpnet-base-v2: 0.50 and 0.65. Those measured are what a worker cuts at when
//!   the settings are unset (`enhancer_shared::config::floors`).
//!
//! Changing them: rerun the sweep on the tuning half, pick by the same rule (or say which other), and
//! report the held-out figures of the same run next to the old ones.

use enhancer_shared::config::floors::MINILM;

/// When a ranked match is shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cutoff {
    /// Shown only if its score is at least this share of the best match's score (0..1).
    pub share_of_best: f32,
    /// Shown only if its score is at least this (the weighted coverage, boosts included).
    pub floor: f32,
    /// At most this many are shown.
    pub max: usize,
}

/// Similar tickets in a note.
pub const TICKETS: Cutoff = Cutoff { share_of_best: 0.95, floor: 0.22, max: 5 };

/// Knowledge-base articles in a note.
pub const ARTICLES: Cutoff = Cutoff { share_of_best: 0.95, floor: 0.2, max: 3 };

/// Similar tickets in a note, ranked by meaning ([`super::semantic`]: cosine plus a fifth of the lexical
/// share), with all-MiniLM-L6-v2. See "Why these values"; another model's floor is
/// `embeddings.ticket_floor` ([`Embedder::cutoffs`](super::semantic::Embedder::cutoffs)).
pub const SEMANTIC_TICKETS: Cutoff = Cutoff { share_of_best: 0.95, floor: MINILM.ticket, max: 5 };

/// Knowledge-base articles in a note, ranked by meaning (`embeddings.article_floor`).
pub const SEMANTIC_ARTICLES: Cutoff = Cutoff { share_of_best: 0.95, floor: MINILM.article, max: 3 };

/// The matches of `ranked` (best first, as the searches return them) that `cutoff` lets through, in order.
/// `score` reads an item's score; a NaN score is never shown.
pub fn cut<T>(ranked: Vec<T>, cutoff: &Cutoff, score: impl Fn(&T) -> f32) -> Vec<T> {
    let best = ranked.iter().map(&score).fold(f32::NAN, f32::max);
    if best.is_nan() {
        return Vec::new();
    }
    let threshold = cutoff.floor.max(best * cutoff.share_of_best);
    ranked.into_iter().filter(|item| score(item) >= threshold).take(cutoff.max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: Cutoff = Cutoff { share_of_best: 0.5, floor: 0.2, max: 3 };

    fn shown(scores: &[f32]) -> Vec<f32> {
        cut(scores.to_vec(), &RULE, |s| *s)
    }

    #[test]
    fn matches_far_below_the_best_are_not_shown() {
        assert_eq!(shown(&[0.9, 0.5, 0.44, 0.3]), [0.9, 0.5]);
        assert_eq!(shown(&[0.6, 0.3, 0.29]), [0.6, 0.3]);
    }

    #[test]
    fn nothing_below_the_floor_is_shown_even_when_it_is_the_best() {
        assert!(shown(&[0.19, 0.18]).is_empty());
        assert_eq!(shown(&[0.25, 0.2, 0.19]), [0.25, 0.2]);
    }

    #[test]
    fn at_most_max_are_shown_and_order_is_kept() {
        assert_eq!(shown(&[0.9, 0.8, 0.7, 0.6, 0.5]), [0.9, 0.8, 0.7]);
        assert!(shown(&[]).is_empty());
        let none = Cutoff { max: 0, ..RULE };
        assert!(cut(vec![1.0_f32], &none, |s| *s).is_empty());
    }

    #[test]
    fn the_best_is_found_wherever_it_is_and_nan_is_never_shown() {
        assert_eq!(shown(&[0.3, 1.0, 0.6]), [1.0, 0.6]);
        assert_eq!(shown(&[f32::NAN, 0.8, 0.2]), [0.8]);
        assert!(shown(&[f32::NAN]).is_empty());
    }
}
