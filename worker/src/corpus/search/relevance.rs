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
//! Calibrated with `cargo run -p enhancer-tests --bin quality -- --calibrate` on the tuning half of
//! `tests/data/relevance/` (30 families, confusable pairs, 12 distractor articles, six families without an
//! article); the sweep and the held-out figures are in `docs/BENCHMARKS.md` ("Context search quality").
//! Scores are the weighted coverage of [`super`] (0..1, a resolved ticket's x[`super::RESOLVED_BOOST`]
//! aside).
//!
//! - Tickets: on-topic look-alikes share the rare words of the query; a confusable family shares its common
//!   ones, and scores roughly half as much as the best look-alike. Hence [`TICKETS`]' share of the best.
//! - Articles: a family without an article still has a best-scoring article, from a neighbouring family or a
//!   distractor; only the absolute floor can drop it. Articles are scored over longer bodies with more
//!   incidental matches, so their floor is the higher one.

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
pub const TICKETS: Cutoff = Cutoff { share_of_best: 0.9, floor: 0.22, max: 5 };

/// Knowledge-base articles in a note.
pub const ARTICLES: Cutoff = Cutoff { share_of_best: 0.9, floor: 0.18, max: 3 };

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
