//! Consensus re-ranking: the candidates the coverage searches return are re-scored by how much they agree
//! with the best of them. Tickets about the same problem share their vocabulary with each other (the
//! product, the error, the fix), while a look-alike from a neighbouring problem shares a word or two with
//! the query and little with the others; an article that answers the problem shares the words of the
//! tickets that had it.
//!
//! - A similar ticket's score becomes `(coverage + TICKET_WEIGHT x support) / (1 + TICKET_WEIGHT)`, where
//!   `support` is its mean lexeme overlap (cosine of the lexeme sets) with the other tickets among the best
//!   [`TOP`], weighted by their coverage.
//! - An article's score becomes `(coverage + ARTICLE_WEIGHT x support) / (1 + ARTICLE_WEIGHT)`, its support
//!   being its overlap with the best [`TOP`] similar tickets after their re-ranking. Without similar tickets
//!   (the tenant turned them off, or none matched) an article keeps its coverage.
//!
//! Scores stay in 0..1 (a resolved ticket's boost aside), so the cut-offs ([`super::relevance`]) keep one
//! meaning. Lexemes found in more than [`COMMON_SHARE`] of the candidates are left out of the overlap: in a
//! pool drawn by the query's words they say nothing about which candidates belong together. Lexemes are
//! compared as the thesaurus groups them (`synonyms.rs`, `canonical`): a ticket saying "wireless" agrees
//! with one saying "Wi-Fi".
//!
//! Calibrated on the tuning half of `tests/data/relevance/` (`docs/BENCHMARKS.md`): on it, recall@3 of
//! similar tickets rose from 0.57 to 0.68, top-1 from 0.78 to 0.82, KB hit@3 from 0.93 to 1.00 (a grid of
//! [`TOP`] in 2..8 and the ticket weight in 0.1..2; more rounds did not help). On the held-out half: recall@3
//! 0.58 to 0.64, top-1 0.76 to 0.74, KB hit@3 0.93 to 0.94.
//!
//! With the thesaurus (query-side synonyms, `synonyms.rs`) the ticket weight was swept again on the tuning
//! half (1.2 to 3, [`TOP`] 4 to 7, [`COMMON_SHARE`] 0.6 to 0.9, the article weight 0.5 to 2.5): agreement
//! now weighs more than twice the coverage ([`TICKET_WEIGHT`] 2.25, was 1.2), because the synonyms let a
//! family's paraphrases into the pool and their agreement is what tells them from the look-alikes. Top-1
//! was 0.88 to 0.91 for weights from 1.5 to 2.5 and fell to 0.83 at 3 (a cluster of look-alikes then
//! outvotes the coverage), so the middle of that range was taken; recall@3 rose from 0.71 at 1.2 to 0.75.
//! The other constants kept their values (no setting was better by more than a query). On the held-out half
//! the thesaurus, this weight and the new ticket cut-off together moved recall@3 from 0.652 to 0.659, top-1
//! from 0.727 to 0.739 and KB hit@3 from 0.943 to 0.957 (main at 0d66917 against this, one run each): most
//! of the tuning half's gain did not carry over.
//! The candidates' lexemes come from the worker's index (`index/postings/`, [`Agreement`]), each already
//! mapped to its thesaurus group's key when the index first saw it: reading them from PostgreSQL (the
//! candidates' `search` vectors) and mapping every lexeme per search was one of a search's four round trips
//! (`docs/BENCHMARKS.md`). The rest is a few thousand comparisons of sorted keys.

use std::collections::HashMap;

use super::ranking::Scored;

/// How many candidates the searches return for re-ranking (the note shows at most five).
pub const POOL: usize = 20;
/// How many of the best candidates vote.
const TOP: usize = 5;
/// The weight of a ticket's agreement with the best tickets, against its own coverage.
const TICKET_WEIGHT: f32 = 2.25;
/// The weight of an article's agreement with the best tickets, against its own coverage.
const ARTICLE_WEIGHT: f32 = 1.0;
/// A lexeme in more than this share of the ticket candidates does not count in the overlap.
const COMMON_SHARE: f32 = 0.8;

/// A document's lexemes as the consensus compares them: the keys of their thesaurus groups
/// ([`key`]), sorted, each once ("wifi" and "wireless" are one key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agreement(Vec<u64>);

impl Agreement {
    pub fn new(mut keys: Vec<u64>) -> Self {
        keys.sort_unstable();
        keys.dedup();
        Self(keys)
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    /// Keys in both (a merge of the two sorted lists).
    fn shared(&self, other: &Agreement) -> usize {
        let (mut a, mut b) = (self.0.iter().peekable(), other.0.iter().peekable());
        let mut both = 0;
        while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
            match x.cmp(y) {
                std::cmp::Ordering::Less => _ = a.next(),
                std::cmp::Ordering::Greater => _ = b.next(),
                std::cmp::Ordering::Equal => {
                    both += 1;
                    a.next();
                    b.next();
                }
            }
        }
        both
    }

    /// Cosine of the two key sets.
    fn overlap(&self, other: &Agreement) -> f32 {
        self.shared(other) as f32 / ((self.len() * other.len()) as f32).sqrt().max(1.0)
    }
}

/// A lexeme's consensus key: a hash of the word that stands for its thesaurus group (`synonyms.rs`,
/// `canonical`), so "wireless" and "wifi" agree. FNV-1a, a fixed function: the same lexeme has the same key
/// in every index (tickets' and articles' are compared), and 64 bits make a collision among the few thousand
/// lexemes compared per search negligible.
pub fn key(lexeme: &str) -> u64 {
    super::synonyms::canonical(lexeme)
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

/// `tickets` and `articles` (each best first by coverage, as the searches return them, with their
/// [`Agreement`]s) re-scored and re-sorted, best first. The articles vote with the re-ranked tickets.
pub fn rerank(tickets: Vec<(Scored, Agreement)>, articles: Vec<(Scored, Agreement)>) -> (Vec<Scored>, Vec<Scored>) {
    let strip = |items: Vec<(Scored, Agreement)>| items.into_iter().map(|(item, _)| item).collect();
    if tickets.is_empty() {
        return (Vec::new(), strip(articles));
    }
    let ticket_sets: Vec<&Agreement> = tickets.iter().map(|(_, a)| a).collect();
    let coverage: Vec<f32> = tickets.iter().map(|(t, _)| t.score).collect();
    let scores = rescore_tickets(&coverage, &ticket_sets);
    let tickets = apply(tickets, &scores, |(t, _)| &t.id, |(t, _), s| t.score = s);
    if articles.is_empty() {
        return (tickets.into_iter().map(|(t, _)| t).collect(), Vec::new());
    }
    let votes: Vec<(f32, &Agreement)> = tickets.iter().take(TOP).map(|(t, a)| (t.score, a)).collect();
    let scored: Vec<(f32, &Agreement)> = articles.iter().map(|(a, set)| (a.score, set)).collect();
    let scores = rescore_articles(&scored, &votes);
    let articles = apply(articles, &scores, |(a, _)| &a.id, |(a, _), s| a.score = s);
    (tickets.into_iter().map(|(t, _)| t).collect(), strip(articles))
}

/// `items` with their new `scores` (in the same order), best first (ties by id, as the searches order them).
fn apply<T>(items: Vec<T>, scores: &[f32], id: impl Fn(&T) -> &String, set: impl Fn(&mut T, f32)) -> Vec<T> {
    let mut items: Vec<(T, f32)> = items.into_iter().zip(scores.iter().copied()).collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| id(&a.0).cmp(id(&b.0))));
    items
        .into_iter()
        .map(|(mut item, score)| {
            set(&mut item, score);
            item
        })
        .collect()
}

/// Each candidate's keys, without those common to the pool.
fn distinctive(sets: &[&Agreement]) -> Vec<Agreement> {
    let mut frequency: HashMap<u64, usize> = HashMap::new();
    for set in sets {
        for &key in &set.0 {
            *frequency.entry(key).or_default() += 1;
        }
    }
    let common = |key: &u64| frequency[key] as f32 > COMMON_SHARE * sets.len() as f32;
    sets.iter().map(|set| Agreement(set.0.iter().copied().filter(|key| !common(key)).collect())).collect()
}

/// New ticket scores, in order, from the coverages (best first) and the tickets' keys.
fn rescore_tickets(coverage: &[f32], sets: &[&Agreement]) -> Vec<f32> {
    let sets = distinctive(sets);
    let voters = coverage.len().min(TOP);
    let mass = coverage[..voters].iter().sum::<f32>();
    coverage
        .iter()
        .enumerate()
        .map(|(i, score)| {
            let votes = (0..voters).filter(|&j| j != i).map(|j| coverage[j] * sets[i].overlap(&sets[j]));
            let support = if mass > 0.0 { votes.sum::<f32>() / mass } else { 0.0 };
            (score + TICKET_WEIGHT * support) / (1.0 + TICKET_WEIGHT)
        })
        .collect()
}

/// New article scores, in order, from (coverage, keys) pairs and the voting tickets' (score, keys) pairs.
fn rescore_articles(ranked: &[(f32, &Agreement)], votes: &[(f32, &Agreement)]) -> Vec<f32> {
    let mass = votes.iter().map(|(s, _)| s).sum::<f32>();
    ranked
        .iter()
        .map(|(score, article)| {
            let support = votes.iter().map(|(weight, voter)| weight * article.overlap(voter));
            let support = if mass > 0.0 { support.sum::<f32>() / mass } else { *score };
            (score + ARTICLE_WEIGHT * support) / (1.0 + ARTICLE_WEIGHT)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(words: &str) -> Agreement {
        Agreement::new(words.split(' ').map(key).collect())
    }

    #[test]
    fn a_candidate_that_agrees_with_the_best_overtakes_a_lone_look_alike() {
        let sets = [
            set("vpn globalprotect drop tunnel"),
            set("wifi drop access point"),
            set("vpn globalprotect tunnel reconnect"),
            set("globalprotect tunnel keepal"),
        ];
        let scores = rescore_tickets(&[0.6, 0.4, 0.35, 0.3], &sets.iter().collect::<Vec<_>>());
        assert!(scores[2] > scores[1] && scores[3] > scores[1], "{scores:?}");
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
    }

    #[test]
    fn an_article_sharing_the_tickets_words_overtakes_one_sharing_the_querys_only() {
        let (t1, t2) = (set("mailbox quota full archiv"), set("mailbox quota limit outlook"));
        let (disk, mail) = (set("disk space server clean"), set("mailbox quota archiv outlook"));
        let votes = [(0.5, &t1), (0.4, &t2)];
        let scores = rescore_articles(&[(0.5, &disk), (0.35, &mail)], &votes);
        assert!(scores[1] > scores[0], "{scores:?}");
        let alone = rescore_articles(&[(0.5, &disk)], &[]);
        assert!((alone[0] - 0.5).abs() < 1e-6, "no voters: coverage kept");
    }

    #[test]
    fn synonyms_share_a_key_and_count_once() {
        assert_eq!(key("wifi"), key("wireless"), "one thesaurus group");
        assert_ne!(key("wifi"), key("printer"));
        let both = set("wifi wireless drop");
        assert_eq!(both.len(), 2, "wifi and wireless are one key");
        assert_eq!(both.shared(&set("wireless drop")), 2);
        assert!((set("a b").overlap(&set("b c")) - 0.5).abs() < 1e-6, "cosine: 1 / sqrt(2 x 2)");
    }
}
