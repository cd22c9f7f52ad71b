//! Knowledge-base articles from the tenant's `kb_articles`, scored on the tenant's in-memory index.

use enhancer_shared::domain::Ticket;

use super::MIN_SCORE;
use super::consensus::Agreement;
use super::index::{Cut, Kind, Searcher};
use super::ranking::Scored;
use super::terms::{self, QueryTerms};
use crate::context::KbArticle;

/// What a match counts in an article's title and body (articles have no third field).
const FIELDS: [f64; 3] = [1.0, 0.6, 0.0];

/// Articles, best first, and the share of the query the knowledge base knows at all.
#[derive(Debug, Default)]
pub(super) struct KbMatches {
    pub articles: Vec<Scored>,
    /// The weight of the query terms some article contains, over the weight of all of them (0..1). Coverage
    /// counts the first only, so it ranks the articles among themselves; this says how much of the question
    /// the knowledge base speaks to at all (a disk alert's "disk", "drive", "full" in a knowledge base about
    /// rooms and printers: little). A term no article contains weighs as if one did: its document frequency
    /// is unknown, and the idf of a frequency of zero would make any typo outweigh the question.
    pub known_share: f32,
    /// Each article's lexemes for the consensus, in the order of `articles`.
    pub agreement: Vec<Agreement>,
}

/// The `k` most relevant knowledge-base articles, best first, weak matches left out, with their texts and
/// excerpts (no consensus, no cut-off: the gather stage goes through [`super::ranking`]).
pub async fn kb_articles(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
) -> Result<Vec<KbArticle>, sqlx::Error> {
    let query = terms::query_terms(search.pool(), ticket).await?;
    let found = matches(search, tenant, &query, k).await?;
    let (_, articles) = super::texts::read(search.pool(), tenant, &query, &[], &found.articles).await?;
    Ok(articles)
}

/// The same weighted coverage as similar tickets, over titles and bodies, on the tenant's in-memory index.
pub(super) async fn matches(
    search: &Searcher,
    tenant: &str,
    query: &QueryTerms,
    k: usize,
) -> Result<KbMatches, sqlx::Error> {
    if query.is_empty() || k == 0 {
        return Ok(KbMatches::default());
    }
    let index = search.index(tenant, Kind::Articles);
    let (best, known_share) = index
        .read(search.pool(), |postings| {
            let scored = postings.score(query, &FIELDS, Cut { floor: MIN_SCORE, k, resolved_boost: 1.0 });
            let hits = scored.hits.iter().map(|hit| (hit.slot, hit.coverage as f32));
            (postings.best(hits, k), scored.known_share as f32)
        })
        .await?;
    let known_share = if best.is_empty() { 0.0 } else { known_share };
    let (articles, agreement) = best
        .into_iter()
        .map(|found| (Scored { id: found.id, score: found.score, stamp: found.stamp }, found.agreement))
        .unzip();
    Ok(KbMatches { articles, known_share, agreement })
}
