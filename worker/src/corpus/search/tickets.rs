//! Similar tickets from the tenant's past tickets, the ticket itself excluded: scored on the worker's
//! in-memory index ([`super::index`]); the texts of those shown are read afterwards ([`super::texts`]).

use enhancer_shared::domain::Ticket;

use super::consensus::Agreement;
use super::index::{Cut, Kind, Searcher};
use super::ranking::Scored;
use super::terms::{self, QueryTerms};
use super::{MIN_SCORE, RESOLVED_BOOST};
use crate::context::SimilarTicket;

/// What a match counts in a ticket's subject, description and resolution.
const FIELDS: [f64; 3] = [1.0, 0.6, 0.3];

/// The `k` most similar tickets of the tenant's corpus, best first, the ticket itself excluded and matches
/// below [`MIN_SCORE`] left out, with their texts (no consensus, no cut-off: the gather stage goes through
/// [`super::ranking`]).
pub async fn similar_tickets(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
) -> Result<Vec<SimilarTicket>, sqlx::Error> {
    let query = terms::query_terms(search.pool(), ticket).await?;
    let similar: Vec<Scored> =
        similar(search, tenant, ticket.id.as_str(), &query, k).await?.into_iter().map(|(scored, _)| scored).collect();
    let (tickets, _) = super::texts::read(search.pool(), tenant, &query, &similar, &[]).await?;
    Ok(tickets)
}

/// [`similar_tickets`] for a query already made, ids and scores, each with its lexemes for the consensus.
pub(super) async fn similar(
    search: &Searcher,
    tenant: &str,
    exclude: &str,
    query: &QueryTerms,
    k: usize,
) -> Result<Vec<(Scored, Agreement)>, sqlx::Error> {
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
    Ok(best
        .into_iter()
        .map(|found| (Scored { id: found.id, score: found.score, stamp: found.stamp }, found.agreement))
        .collect())
}
