//! Similar tickets from the tenant's past tickets, the ticket itself excluded: scored on the worker's
//! in-memory index ([`super::index`]), the texts of the best read from `tickets` by primary key.

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::consensus::Agreement;
use super::index::{Cut, Kind, Searcher};
use super::terms::{self, QueryTerms};
use super::{MIN_SCORE, RESOLVED_BOOST};
use crate::context::SimilarTicket;

/// What a match counts in a ticket's subject, description and resolution.
const FIELDS: [f64; 3] = [1.0, 0.6, 0.3];

const TEXTS: &str =
    "SELECT ticket_id, subject, resolution, status, url FROM tickets WHERE tenant_id = $1 AND ticket_id = ANY($2)";

#[derive(sqlx::FromRow)]
struct TextRow {
    ticket_id: String,
    subject: String,
    resolution: Option<String>,
    status: Option<String>,
    url: Option<String>,
}

/// The `k` most similar tickets of the tenant's corpus, best first, the ticket itself excluded and matches
/// below [`MIN_SCORE`] left out.
pub async fn similar_tickets(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
) -> Result<Vec<SimilarTicket>, sqlx::Error> {
    let query = terms::query_terms(search.pool(), ticket).await?;
    let similar = similar(search, tenant, ticket.id.as_str(), &query, k).await?;
    Ok(similar.into_iter().map(|(ticket, _)| ticket).collect())
}

/// [`similar_tickets`] for a query already made, each with its lexemes for the consensus.
pub(super) async fn similar(
    search: &Searcher,
    tenant: &str,
    exclude: &str,
    query: &QueryTerms,
    k: usize,
) -> Result<Vec<(SimilarTicket, Agreement)>, sqlx::Error> {
    if query.is_empty() || k == 0 {
        return Ok(Vec::new());
    }
    let index = search.index(tenant, Kind::Tickets);
    let best = index
        .read(search.pool(), |postings| {
            let scored =
                postings.score(query, &FIELDS, Cut { floor: MIN_SCORE, k: k + 1, resolved_boost: RESOLVED_BOOST });
            // By slot: comparing every match's id with the ticket's was a twentieth of a search's time.
            let excluded = postings.slot(exclude);
            let hits = scored.hits.iter().filter(|hit| Some(hit.slot) != excluded).map(|hit| {
                let boost = if postings.resolved(hit.slot) { RESOLVED_BOOST } else { 1.0 };
                (hit.slot, (hit.coverage * boost) as f32)
            });
            postings.best(hits, k)
        })
        .await?;
    texts(search.pool(), tenant, best).await
}

/// The ranked ids with their texts, in order; an id whose row is gone (deleted since the index read it)
/// is left out.
async fn texts(
    pool: &PgPool,
    tenant: &str,
    best: Vec<(String, f32, Agreement)>,
) -> Result<Vec<(SimilarTicket, Agreement)>, sqlx::Error> {
    if best.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&str> = best.iter().map(|(id, ..)| id.as_str()).collect();
    let mut rows: Vec<TextRow> = sqlx::query_as(TEXTS).bind(tenant).bind(&ids).fetch_all(pool).await?;
    Ok(best
        .into_iter()
        .filter_map(|(id, score, agreement)| {
            let at = rows.iter().position(|row| row.ticket_id == id)?;
            let row = rows.swap_remove(at);
            let ticket = SimilarTicket {
                ticket_id: row.ticket_id,
                subject: row.subject,
                resolution: row.resolution.filter(|r| !r.trim().is_empty()),
                status: row.status,
                url: row.url,
                score,
            };
            Some((ticket, agreement))
        })
        .collect())
}
