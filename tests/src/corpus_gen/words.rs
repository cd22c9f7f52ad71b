//! The generator's vocabulary: made-up words (so families never collide by accident with English), a
//! shared vocabulary drawn by a Zipf law (a few words in almost every ticket, a long tail in few), and the
//! sampler both use.

use std::collections::HashSet;

use rand::Rng;
use rand::rngs::StdRng;

/// Real words at the head of the shared vocabulary: what every service desk writes. Stop words among them
/// are dropped by PostgreSQL, as in real tickets.
const COMMON_HEAD: &[&str] = &[
    "please",
    "user",
    "error",
    "since",
    "morning",
    "cannot",
    "working",
    "laptop",
    "issue",
    "again",
    "help",
    "today",
    "office",
    "access",
    "problem",
    "after",
    "update",
    "still",
    "users",
    "system",
    "screen",
    "open",
    "login",
    "computer",
    "team",
    "request",
    "need",
    "check",
    "restart",
    "message",
    "failed",
    "shows",
    "window",
    "application",
    "network",
    "install",
    "yesterday",
    "several",
    "customer",
    "urgent",
    "slow",
    "version",
    "account",
    "device",
    "internet",
    "manager",
    "support",
    "desktop",
    "connection",
    "service",
    "tried",
    "reboot",
    "new",
    "week",
    "meeting",
    "email",
    "phone",
    "floor",
    "building",
    "remote",
];

const ONSETS: &[&str] = &[
    "b", "br", "c", "cr", "d", "dr", "f", "fl", "g", "gr", "h", "k", "kl", "l", "m", "n", "p", "pl", "qu", "r", "s",
    "st", "sk", "t", "tr", "v", "w", "z", "sh", "th",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou", "ea", "io"];
const CODAS: &[&str] = &["", "", "n", "r", "l", "m", "x", "nd", "rk", "st", "lt", "nk"];

/// `count` distinct made-up words of two or three syllables (six letters or so: salient prefixes), none in
/// `taken`, each added to it.
pub fn invent(rng: &mut StdRng, count: usize, taken: &mut HashSet<String>) -> Vec<String> {
    let mut words = Vec::with_capacity(count);
    while words.len() < count {
        let syllables = rng.random_range(2..=3);
        let mut word = String::new();
        for _ in 0..syllables {
            word.push_str(ONSETS[rng.random_range(0..ONSETS.len())]);
            word.push_str(VOWELS[rng.random_range(0..VOWELS.len())]);
        }
        word.push_str(CODAS[rng.random_range(0..CODAS.len())]);
        if word.len() >= 5 && taken.insert(word.clone()) {
            words.push(word);
        }
    }
    words
}

/// Draws ranks 0..n with probability proportional to 1 / (rank + 1)^s.
#[derive(Debug, Clone)]
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n.max(1))
            .map(|rank| {
                total += 1.0 / ((rank + 1) as f64).powf(s);
                total
            })
            .collect::<Vec<_>>();
        Zipf { cumulative: cumulative.into_iter().map(|c| c / total).collect() }
    }

    pub fn sample(&self, rng: &mut StdRng) -> usize {
        let x: f64 = rng.random();
        self.cumulative.partition_point(|c| *c < x).min(self.cumulative.len() - 1)
    }
}

/// The shared vocabulary: [`COMMON_HEAD`] then made-up words, drawn by rank with a Zipf law.
#[derive(Debug, Clone)]
pub struct Common {
    pub words: Vec<String>,
    zipf: Zipf,
}

impl Common {
    pub fn new(rng: &mut StdRng, size: usize, s: f64, taken: &mut HashSet<String>) -> Common {
        let mut words: Vec<String> = COMMON_HEAD.iter().map(|w| (*w).to_owned()).collect();
        taken.extend(words.iter().cloned());
        let rest = size.saturating_sub(words.len());
        words.extend(invent(rng, rest, taken));
        let zipf = Zipf::new(words.len(), s);
        Common { words, zipf }
    }

    pub fn draw(&self, rng: &mut StdRng) -> &str {
        &self.words[self.zipf.sample(rng)]
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn zipf_favours_low_ranks_and_stays_in_range() {
        let mut rng = StdRng::seed_from_u64(7);
        let zipf = Zipf::new(1000, 1.0);
        let draws: Vec<usize> = (0..10_000).map(|_| zipf.sample(&mut rng)).collect();
        assert!(draws.iter().all(|r| *r < 1000));
        let first = draws.iter().filter(|r| **r == 0).count();
        let tenth = draws.iter().filter(|r| **r == 9).count();
        assert!(first > 5 * tenth, "rank 0 drawn {first} times, rank 9 {tenth}");
    }

    #[test]
    fn invented_words_are_distinct() {
        let mut rng = StdRng::seed_from_u64(1);
        let mut taken = HashSet::new();
        let words = invent(&mut rng, 2000, &mut taken);
        assert_eq!(words.iter().collect::<HashSet<_>>().len(), 2000);
    }
}
