//! The ranking a note's context is cut from: the coverage searches ([`super::tickets`], [`super::kb`]) read
//! [`POOL`] deep on the in-memory indexes, then re-ranked by consensus (`consensus.rs`); an article's score
//! is then scaled by the share of the query the knowledge base knows at all
//! ([`super::kb::KbMatches::known_share`]), which leaves the order as it is and makes the absolute floor of
//! the cut-offs mean "explains this much of the question". With an embedding server, the meaning re-ranks
//! that pool ([`super::semantic`]). [`Ranked::shown`] cuts it with [`super::relevance`] and reads the texts
//! of what is left; the quality binary measures both.

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::consensus;
pub use super::consensus::POOL;
use super::relevance::{self, ARTICLES, Cutoff, TICKETS};
use super::semantic::EmbeddingError;
use super::terms::QueryTerms;
use super::{Searcher, kb};
use crate::context::{KbArticle, SimilarTicket};

/// A ranked match: a ticket's or an article's id, its score, and the version of it the index scored (its
/// `indexed_at` or `updated_at`, in microseconds), which keys its cached embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub id: String,
    pub score: f32,
    pub stamp: i64,
}

/// Similar tickets and articles, best first; a list the caller did not ask for is empty.
#[derive(Debug)]
pub struct Ranked {
    pub tickets: Vec<Scored>,
    pub articles: Vec<Scored>,
    /// Re-ranked by meaning ([`super::semantic`]): the scores are cosines, cut by other cut-offs.
    pub semantic: bool,
    /// Tickets' and articles' cut-offs: [`TICKETS`] and [`ARTICLES`], or the embedding model's
    /// ([`super::semantic::Embedder::cutoffs`]).
    cutoffs: (Cutoff, Cutoff),
    /// For the excerpts of the articles shown.
    query: QueryTerms,
}

impl Ranked {
    /// The cut-offs for these scores: [`TICKETS`] and [`ARTICLES`], or the embedding model's.
    pub fn cutoffs(&self) -> (Cutoff, Cutoff) {
        self.cutoffs
    }

    /// What a note shows: the matches the cut-offs let through ([`Ranked::cutoffs`]), in order, with
    /// their texts, read in one statement (none when nothing is shown).
    pub async fn shown(self, pool: &PgPool, tenant: &str) -> Result<(Vec<SimilarTicket>, Vec<KbArticle>), sqlx::Error> {
        let (ticket_cutoff, article_cutoff) = self.cutoffs();
        let tickets = relevance::cut(self.tickets, &ticket_cutoff, |t| t.score);
        let articles = relevance::cut(self.articles, &article_cutoff, |a| a.score);
        super::texts::read(pool, tenant, &self.query, &tickets, &articles).await
    }
}

/// Ranks the tenant's similar tickets (when `want_tickets`) and articles (when `want_articles`) for
/// `ticket`: by words, then by meaning when the searcher has an embedding server and it answers.
pub async fn rank(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    want_tickets: bool,
    want_articles: bool,
) -> Result<Ranked, sqlx::Error> {
    let query = super::terms::query_terms(search.pool(), ticket).await?;
    let similar = if want_tickets {
        super::tickets::similar(search, tenant, ticket.id.as_str(), &query, POOL).await?
    } else {
        Vec::new()
    };
    let kb = if want_articles { kb::matches(search, tenant, &query, POOL).await? } else { kb::KbMatches::default() };
    let (tickets, mut articles) = consensus::rerank(similar, kb.articles.into_iter().zip(kb.agreement).collect());
    for article in &mut articles {
        article.score *= kb.known_share;
    }
    let Some(semantic) = search.semantic() else {
        return Ok(Ranked { tickets, articles, semantic: false, cutoffs: (TICKETS, ARTICLES), query });
    };
    // The lexical lists are kept until the semantic ones are complete: a failure falls back to them, and so
    // does a ranking not done within the embedding server's timeout (the wait for a request slot included).
    let limit = semantic.embedder.timeout();
    let pooled = (want_tickets.then(|| tickets.clone()), want_articles.then(|| articles.clone()));
    let reranked = super::semantic::rerank(search, semantic, tenant, ticket, pooled.0, pooled.1);
    let reranked =
        tokio::time::timeout(limit, reranked).await.unwrap_or_else(|_| Err(EmbeddingError::TimedOut(limit).into()));
    match reranked {
        Ok((tickets, articles)) => {
            semantic.outcomes.ranked();
            Ok(Ranked { tickets, articles, semantic: true, cutoffs: semantic.embedder.cutoffs(), query })
        }
        Err(err) => {
            semantic.outcomes.fell_back();
            tracing::warn!(error = %err, tenant, "semantic ranking unavailable, the note is ranked by words");
            Ok(Ranked { tickets, articles, semantic: false, cutoffs: (TICKETS, ARTICLES), query })
        }
    }
}
