//! The searches over the corpus: similar tickets and knowledge-base articles by full-text relevance over the
//! generated `search` columns, and the IP cross-reference ([`related_assets`], [`tickets_mentioning`], in
//! `assets.rs`).
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
//!
//! What a note shows is decided after these searches: [`ranking`] re-ranks their best candidates by
//! consensus (`consensus.rs`) and [`relevance`] cuts them (`docs/ARCHITECTURE.md`, "How ranking works").
//!
//! ## Bounded cost on a large corpus
//!
//! A mass incident fills the corpus with near-identical tickets, and a query term can match tens of
//! thousands of them. No step of the similar-ticket query reads a number of rows that grows with the matches:
//!
//! - **Common terms never touch the index.** A term found in at least [`COMMON_IN_RECENT`] of the
//!   [`RECENT_SAMPLE`] most recently indexed tickets is common: its hits are those recent tickets, and its
//!   document frequency is its share there times the corpus size. A GIN bitmap scan collects every match
//!   before a `LIMIT` applies, so looking such a term up in the index costs one index entry per matching
//!   ticket, which is what a mass incident multiplies.
//! - **Other terms' document frequencies are capped.** Each reads at most [`DF_CAP`] matching rows. Below the
//!   cap the count is exact; a term reaching it has its frequency estimated on the recent sample, as above.
//!   On a corpus no larger than the sample, every count is exact.
//! - **The corpus size is capped** at [`CORPUS_CAP`] (counted on the primary key, `LIMIT`), and enters the
//!   idf as such. Relative weights of rare and common terms keep their order; only their ratio flattens on
//!   corpora past the cap.
//! - **Candidates come from the rare terms.** The same per-term sample of at most [`DF_CAP`] tickets is the
//!   candidate pool: every ticket sharing a term below the cap is in it (rare terms are enumerated in full),
//!   common terms contribute a bounded sample. Candidates are pre-ranked by the summed weight of the terms
//!   that fetched them, the best [`CANDIDATES`] are read and scored on their full `search` vector. There is
//!   no `ts_rank` over every match any more.
//! - **Each (recent ticket, term) pair is tested once** (`in_recent`): its result gives both the terms'
//!   shares of the sample and the sampled terms' hits, which were two passes of `terms x RECENT_SAMPLE`
//!   tests before. Likewise each candidate's coverage is computed once (`scored` is materialized).
//!
//! So a query reads at most `terms x DF_CAP` index hits of rare terms plus [`CORPUS_CAP`] index entries,
//! [`RECENT_SAMPLE`] recent rows and [`CANDIDATES`] rows, whatever the corpus holds. Bounded is not cheap:
//! on a generated corpus of 100,000 varied tickets (`search-bench`, docs/BENCHMARKS.md "Search at scale")
//! most of the query's time goes to terms in 1 to 10 % of the tickets, below the common mark of the recent
//! sample but far above [`DF_CAP`] (each a GIN bitmap over all its matches and [`DF_CAP`] heap fetches), and
//! the rest to `terms x RECENT_SAMPLE` and `terms x CANDIDATES` tests of a term against a `tsvector`. Taking
//! such terms' hits from the recent sample (named by `pg_stats`) made the query 2 to 3 times faster but
//! changed which tickets rank for 7 of 24 queries there, so it is not done; the section lists what
//! would. Knowledge-base search (`kb.rs`) keeps its uncapped form: articles number in the hundreds and do
//! not come in floods.

mod assets;
mod consensus;
mod kb;
pub mod ranking;
pub mod relevance;
mod synonyms;
mod terms;
mod tickets;

pub use assets::{TICKETS_MENTIONING, related_assets, tickets_mentioning};
pub use kb::{KbMatches, kb_articles, kb_matches};
pub use synonyms::lexemes as thesaurus_lexemes;
pub use tickets::similar_tickets;

/// Below this weighted coverage a match is left out: sharing one moderately rare word is not similarity.
/// A pre-filter only: what a note shows is decided by the cut-offs of [`relevance`], well above it.
pub const MIN_SCORE: f64 = 0.1;
/// A ticket with a resolution is worth more to the agent than an open look-alike.
pub const RESOLVED_BOOST: f64 = 1.2;
/// Candidates pre-selected (by the summed weight of the sampled terms they match) before the weighted
/// scoring on their full `search` vector.
const CANDIDATES: i64 = 200;
/// At most this many matching tickets are read per query term: its capped document frequency and its share
/// of the candidate pool. Far above the document frequency of any term in the labelled set; a real corpus's
/// duplicates share terms far below this.
const DF_CAP: i64 = 200;
/// The corpus size used in the idf is counted up to this many tickets.
const CORPUS_CAP: i64 = 5_000;
/// The most recently indexed tickets, on which common terms are sampled and their frequency estimated: in a
/// mass incident its terms fill the recent tickets, and weigh next to nothing.
const RECENT_SAMPLE: i64 = 200;
/// A term found in at least this many of the [`RECENT_SAMPLE`] recent tickets (10 %) is common: its hits
/// come from the recent tickets, not from the index. Terms that identify a duplicate are far rarer.
const COMMON_IN_RECENT: i64 = 20;

/// `k` as a SQL limit.
fn limit(k: usize) -> i64 {
    i64::try_from(k).unwrap_or(i64::MAX)
}
