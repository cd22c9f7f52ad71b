//! Similar tickets and knowledge-base articles by full-text relevance (in progress).

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::{KbArticle, SimilarTicket};

/// The `k` most similar tickets of the tenant's corpus, the ticket itself excluded.
pub async fn similar_tickets(
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
) -> Result<Vec<SimilarTicket>, sqlx::Error> {
    let _ = (pool, tenant, ticket, k);
    Ok(Vec::new())
}

/// The `k` most relevant knowledge-base articles.
pub async fn kb_articles(
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
) -> Result<Vec<KbArticle>, sqlx::Error> {
    let _ = (pool, tenant, ticket, k);
    Ok(Vec::new())
}
