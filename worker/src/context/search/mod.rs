//! Similar tickets and knowledge-base articles by full-text relevance over the generated `search` columns.
//!
//! The query is the OR of the ticket's salient lexemes ([`terms`]: words of four letters or more as
//! prefixes, addresses also by their /24), so a document sharing only part of the wording still ranks; a
//! search requiring every word would miss most duplicates, which are worded differently.
//!
//! Each candidate is scored by *weighted coverage*: the share of the query's weight it matches. A term
//! weighs its inverse document frequency in the tenant's corpus (a word every ticket has counts for little)
//! times 1 for a subject term or 0.5 for a description-only term; a match in a document's subject or title
//! counts fully, in its body 0.6, in a resolution 0.3. Scores lie in 0..1 (a resolved ticket's boost
//! aside), which makes one minimum score meaningful across tickets. The functions here are the whole
//! interface, so a vector index can be put behind them later.

mod kb;
mod terms;
mod tickets;

pub use kb::kb_articles;
pub use tickets::similar_tickets;

/// Below this weighted coverage a match is left out: sharing one moderately rare word is not similarity.
/// On the labelled set (`docs/BENCHMARKS.md`) every relevant ticket scored at least 0.12.
pub const MIN_SCORE: f64 = 0.1;
/// A ticket with a resolution is worth more to the agent than an open look-alike.
pub const RESOLVED_BOOST: f64 = 1.2;
/// Candidates pre-selected (by `ts_rank` over the OR query, served by the GIN index) before the weighted
/// scoring; bounds the per-query cost on a large corpus.
const CANDIDATES: i64 = 200;

/// `k` as a SQL limit.
fn limit(k: usize) -> i64 {
    i64::try_from(k).unwrap_or(i64::MAX)
}
