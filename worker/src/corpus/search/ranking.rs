//! The ranking a note's context is cut from: the coverage searches ([`super::similar_tickets`],
//! [`super::kb_matches`]) read [`POOL`] deep, then re-ranked by consensus (`consensus.rs`); an
//! article's score is then scaled by the share of the query the knowledge base knows at all
//! ([`super::KbMatches::known_share`]), which leaves the order as it is and makes the absolute floor of the
//! cut-offs mean "explains this much of the question". The gather stage cuts the result with
//! [`super::relevance`]; the quality binary measures it.

use super::consensus;
pub use super::consensus::POOL;
use super::relevance::ARTICLES;
use super::{KbMatches, Searcher};
use crate::context::{KbArticle, SimilarTicket};
use enhancer_shared::domain::Ticket;

/// Similar tickets and articles, best first; a list the caller did not ask for is empty. Only the first
/// `relevance::ARTICLES.max` articles carry an excerpt: no cut-off shows more.
#[derive(Debug, Default)]
pub struct Ranked {
    pub tickets: Vec<SimilarTicket>,
    pub articles: Vec<KbArticle>,
}

/// Ranks the tenant's similar tickets (when `tickets`) and articles (when `articles`) for `ticket`.
pub async fn rank(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    tickets: bool,
    articles: bool,
) -> Result<Ranked, sqlx::Error> {
    let pool = search.pool();
    let query = super::terms::query_terms(pool, ticket).await?;
    let similar = if tickets {
        super::tickets::similar(search, tenant, ticket.id.as_str(), &query, POOL).await?
    } else {
        Vec::new()
    };
    let kb =
        if articles { super::kb::matches(search, tenant, &query, POOL, false).await? } else { KbMatches::default() };
    let (tickets, mut articles) = consensus::rerank(similar, kb.articles.into_iter().zip(kb.agreement).collect());
    for article in &mut articles {
        article.score *= kb.known_share;
    }
    // The cut-offs show a prefix of this order, at most `ARTICLES.max` long: only those need an excerpt.
    let shown = articles.len().min(ARTICLES.max);
    super::kb::excerpts(pool, tenant, &query, &mut articles[..shown]).await?;
    Ok(Ranked { tickets, articles })
}
