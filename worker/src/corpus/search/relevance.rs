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
//! the TUNING half of `tests/data/relevance/` only (30 families of look-alike problems, confusable pairs,
//! distractors, six families without an article) and prints, per setting, how many items a note shows,
//! their on-topic share, how many notes still show their family's answer, and how many notes of a family
//! without an article show none. The rule: the highest share of notes still showing their family's answer
//! among the settings whose on-topic share is at least 0.8 (the target). The tables and the held-out
//! figures are in `docs/BENCHMARKS.md` ("Context search quality"). Scores are those of
//! [`super::ranking`]: weighted coverage blended with consensus, in 0..1 (a resolved ticket's
//! x[`super::RESOLVED_BOOST`] aside); an article's is also scaled by the share of the query the knowledge
//! base knows.
//!
//! - The floor does most of the work for articles: scores of on-topic and off-topic matches overlap, and no
//!   share of the best separates them once the best itself is off topic. The share of the best (0.9) only
//!   trims what trails a clear winner.
//! - Tickets: since the thesaurus and the heavier consensus (`consensus.rs`) the best ticket is the family's
//!   in 90 % of the tuning queries, and the share of the best does the work: 0.95 shows the winner and what
//!   ties with it. The rule gives a floor of 0.10 (80.3 % on topic, 92 % of the notes show one of the
//!   family's, 1.5 per note); 0.14 was taken (82.7 % on topic, 87 % of the notes, 1.4 per note) for a
//!   margin above 0.8 (0.12: 81.2 %, 90 %). With the share at 0.9 no floor reached 0.8 on topic below 0.16
//!   (82 %, 82 % of the notes). On the held-out half this showed 1.24 tickets per note, 74.3 % on topic
//!   (before: 0.78, 79.7 %) and one of the family's in 68 % of the notes (before: 48 %): the margin taken
//!   on the tuning half was not enough, and the held-out target of 0.8 is missed.
//!   Before the thesaurus the cut-off was 0.9 / 0.22: 81 % on topic, 54 % of the notes showing a ticket.
//! - Articles (re-checked with the thesaurus, same choice: 0.16 by the rule at 80.5 % on topic and 87.5 % of
//!   the notes answered, 0.18 kept at 83 %, 85 %, and 78 % of the notes without an article showing none).
//!   Before: the rule gave 0.16 (81 % on topic, 74 % of the notes whose family has an article show it,
//!   72 % of the notes of a family without one show none); 0.18 was taken instead (83 %, 71 %, 83 %) for a
//!   margin above 0.8 and a better answer where there is no article, at three points of answered notes.
//!
//! Changing them: rerun the sweep on the tuning half, pick by the same rule (or say which other), and
//! report the held-out figures of the same run next to the old ones.

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
pub const TICKETS: Cutoff = Cutoff { share_of_best: 0.95, floor: 0.14, max: 5 };

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
