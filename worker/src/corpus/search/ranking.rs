//! The ranking a note's context is cut from: the coverage searches ([`super::tickets`], [`super::kb`]) read
//! [`POOL`] deep on the in-memory indexes, then re-ranked by consensus (`consensus.rs`); an article's score
//! is then scaled by the share of the query the knowledge base knows at all
//! ([`super::kb::KbMatches::known_share`]), which leaves the order as it is and makes the absolute floor of
//! the cut-offs mean "explains this much of the question". [`Ranked::shown`] cuts it with
//! [`super::relevance`] and reads the texts of what is left; the quality binary measures both.

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::consensus;
pub use super::consensus::POOL;
use super::relevance::{self, ARTICLES, TICKETS};
use super::terms::QueryTerms;
use super::{Searcher, kb};
use crate::context::{KbArticle, SimilarTicket};

/// A ranked match: a ticket's or an article's id and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub id: String,
    pub score: f32,
}

/// Similar tickets and articles, best first; a list the caller did not ask for is empty.
#[derive(Debug, Default)]
pub struct Ranked {
    pub tickets: Vec<Scored>,
    pub articles: Vec<Scored>,
    /// For the excerpts of the articles shown.
    query: QueryTerms,
}

impl Ranked {
    /// What a note shows: the matches the cut-offs let through ([`TICKETS`], [`ARTICLES`]), in order, with
    /// their texts, read in one statement (none when nothing is shown).
    pub async fn shown(self, pool: &PgPool, tenant: &str) -> Result<(Vec<SimilarTicket>, Vec<KbArticle>), sqlx::Error> {
        let tickets = relevance::cut(self.tickets, &TICKETS, |t| t.score);
        let articles = relevance::cut(self.articles, &ARTICLES, |a| a.score);
        super::texts::read(pool, tenant, &self.query, &tickets, &articles).await
    }
}

/// Ranks the tenant's similar tickets (when `tickets`) and articles (when `articles`) for `ticket`.
pub async fn rank(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    tickets: bool,
    articles: bool,
) -> Result<Ranked, sqlx::Error> {
    let query = super::terms::query_terms(search.pool(), ticket).await?;
    let similar = if tickets {
        super::tickets::similar(search, tenant, ticket.id.as_str(), &query, POOL).await?
    } else {
        Vec::new()
    };
    let kb = if articles { kb::matches(search, tenant, &query, POOL).await? } else { kb::KbMatches::default() };
    let (tickets, mut articles) = consensus::rerank(similar, kb.articles.into_iter().zip(kb.agreement).collect());
    for article in &mut articles {
        article.score *= kb.known_share;
    }
    Ok(Ranked { tickets, articles, query })
}
