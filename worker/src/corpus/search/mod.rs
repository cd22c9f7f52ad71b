//! The searches over the corpus: similar tickets and knowledge-base articles by weighted coverage of the
//! ticket's terms, scored on the worker's in-memory indexes ([`index`]), and the IP cross-reference
//! ([`related_assets`], [`tickets_mentioning`], in `assets.rs`) in PostgreSQL.
//!
//! The query is the OR of the ticket's salient lexemes ([`terms`]: words of four letters or more as
//! prefixes, addresses also by their /24), so a document sharing only part of the wording still ranks; a
//! search requiring every word would miss most duplicates, which are worded differently. PostgreSQL's
//! `english` configuration normalizes the query's words, as it normalized the stored `search` vectors the
//! indexes are built from, so both sides meet.
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
//! ## Cost on a large corpus
//!
//! Scoring reads the posting lists of the query's terms, in memory: in a mass incident a term's list holds
//! thousands of near-identical tickets, and a pass over them costs microseconds per thousand. Document
//! frequencies are exact at any size (the database query this replaced had to sample and cap them to
//! bound its cost), and the pruning of `Postings::score` reads the common terms' lists only for the
//! candidates. Per note, PostgreSQL answers the query's lexemes, then one primary-key read of the texts of
//! what the note shows after the cut-offs, articles' bodies included (their excerpts are chosen here,
//! `headline.rs`; [`texts`]), none when it shows nothing; and, at most every 500 ms, what was written since
//! ([`index`]). The consensus reads the candidates' lexemes from the index.

mod assets;
mod consensus;
mod headline;
mod index;
mod kb;
mod mirror;
pub mod ranking;
pub mod relevance;
pub mod semantic;
mod synonyms;
mod terms;
mod texts;
mod tickets;

pub use assets::{related_assets, tickets_mentioning};
pub use index::Searcher;
pub use kb::kb_articles;
pub use mirror::Cadence;
pub use synonyms::lexemes as thesaurus_lexemes;
pub use tickets::similar_tickets;

/// Below this weighted coverage a match is left out: sharing one moderately rare word is not similarity.
/// A pre-filter only: what a note shows is decided by the cut-offs of [`relevance`], well above it.
pub const MIN_SCORE: f64 = 0.1;
/// A ticket with a resolution is worth more to the agent than an open look-alike.
pub const RESOLVED_BOOST: f64 = 1.2;

/// The ticket's query terms flattened to tsquery operands and weights (an alternative weighs its term's
/// weight times its factor): what a database-side scorer takes. For `search-bench`'s database-scored
/// baseline only; the worker scores on its index.
#[doc(hidden)]
pub async fn flat_query_terms(
    pool: &sqlx::PgPool,
    ticket: &enhancer_shared::domain::Ticket,
) -> Result<(Vec<String>, Vec<f64>), sqlx::Error> {
    let query = terms::query_terms(pool, ticket).await?;
    Ok(query
        .terms
        .iter()
        .flat_map(|term| term.alternatives.iter().map(|a| (a.operand(), term.weight * a.factor)))
        .unzip())
}
