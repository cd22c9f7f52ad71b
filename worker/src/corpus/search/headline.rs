//! The passage of an article a note quotes: the run of at most [`MAX_WORDS`] words, from the start of a
//! sentence, that holds the most of the query's terms. Chosen in the worker from the article's body:
//! PostgreSQL's `ts_headline` did the same and was a sixth of the database's CPU per job
//! (`docs/BENCHMARKS.md`, "Search at scale"), since it parses the whole body for every article shown.
//!
//! A word of the body meets a query term when it starts with one of the term's lexemes: the lexemes are
//! PostgreSQL's stems, which begin most of the words they stand for ("connect" for "connection"); a stem
//! that turned a final "y" into "i" ("polici") is also tried without it. The passage only has to hold the
//! words, so this rougher matching is enough.

use super::terms::QueryTerms;

/// The longest passage, in words.
const MAX_WORDS: usize = 40;
/// The shortest passage, in words, when the body has that many.
const MIN_WORDS: usize = 15;

/// The passage of `body` to quote for `query`: whole words, as written, separated by single spaces. The
/// start of the body when no word meets a term.
pub(super) fn headline(body: &str, query: &QueryTerms) -> String {
    let words: Vec<&str> = body.split_whitespace().collect();
    if words.is_empty() {
        return String::new();
    }
    // Per word, the query terms it meets.
    let met: Vec<Vec<usize>> = words.iter().map(|word| terms_met(word, query)).collect();
    let starts = (0..words.len()).filter(|&i| i == 0 || ends_sentence(words[i - 1]));
    let mut best = (f64::MIN, 0);
    for start in starts {
        let end = (start + MAX_WORDS).min(words.len());
        let mut seen: Vec<usize> = met[start..end].iter().flatten().copied().collect();
        let matches = seen.len();
        seen.sort_unstable();
        seen.dedup();
        // The weight of the distinct terms, then (a hundredth each) how often they occur, then (a thousandth
        // per word) how soon the first comes: a passage opens on the sentence that matters.
        let lead = met[start..end].iter().position(|terms| !terms.is_empty()).unwrap_or(MAX_WORDS);
        let score = seen.iter().map(|&term| query.terms[term].weight).sum::<f64>() + 0.01 * matches as f64
            - 0.001 * lead as f64;
        if score > best.0 {
            best = (score, start);
        }
    }
    let end = (best.1 + MAX_WORDS).min(words.len());
    let start = best.1.min(end.saturating_sub(MIN_WORDS));
    words[start..end].join(" ")
}

/// The indexes of the query terms `word` meets.
fn terms_met(word: &str, query: &QueryTerms) -> Vec<usize> {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    if word.is_empty() {
        return Vec::new();
    }
    let meets = |lexeme: &str| {
        word.starts_with(lexeme)
            || lexeme.strip_suffix('i').is_some_and(|stem| stem.len() >= 3 && word.starts_with(stem))
    };
    (0..query.terms.len()).filter(|&term| query.terms[term].alternatives.iter().any(|a| meets(&a.lexeme))).collect()
}

/// Whether a sentence ends with `word`.
fn ends_sentence(word: &str) -> bool {
    word.ends_with(['.', '!', '?', ':'])
}

#[cfg(test)]
mod tests {
    use super::super::terms::{Alternative, QueryTerm};
    use super::*;

    fn query(lexemes: &[(&str, f64)]) -> QueryTerms {
        QueryTerms {
            terms: lexemes
                .iter()
                .map(|(lexeme, weight)| QueryTerm {
                    weight: *weight,
                    alternatives: vec![Alternative { lexeme: (*lexeme).to_owned(), prefix: true, factor: 1.0 }],
                })
                .collect(),
        }
    }

    #[test]
    fn the_sentence_with_the_most_terms_is_quoted_from_its_start() {
        let body = "Booking rooms is done in the portal. Pick a room and a time. \
                    When GlobalProtect disconnects every few minutes, reinstall the VPN client and check the \
                    gateway certificate. Then restart the laptop.";
        let quoted = headline(body, &query(&[("globalprotect", 1.0), ("disconnect", 1.0), ("vpn", 0.5)]));
        assert!(quoted.starts_with("When GlobalProtect disconnects"), "{quoted}");
        assert!(quoted.split(' ').count() <= MAX_WORDS);
    }

    #[test]
    fn stems_meet_their_words_including_a_final_y() {
        let q = query(&[("polici", 1.0), ("connect", 1.0)]);
        assert_eq!(terms_met("Policy,", &q), [0]);
        assert_eq!(terms_met("(connection)", &q), [1]);
        assert!(terms_met("room", &q).is_empty());
    }

    #[test]
    fn short_and_unmatched_bodies_give_their_start() {
        let q = query(&[("printer", 1.0)]);
        assert_eq!(headline("", &q), "");
        let body = (0..60).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        let quoted = headline(&body, &q);
        assert!(quoted.starts_with("w0 ") && quoted.split(' ').count() == MAX_WORDS, "{quoted}");
        // A match in a last, short sentence: the passage reaches back to hold at least MIN_WORDS words.
        let body = format!("{body}. Printer jammed.");
        let quoted = headline(&body, &q);
        assert!(quoted.ends_with("Printer jammed.") && quoted.split(' ').count() >= MIN_WORDS, "{quoted}");
    }
}
