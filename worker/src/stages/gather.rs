//! Gather: fetch the full ticket through the tenant's plugin, and the context around it: the searches of
//! [`crate::corpus::search`] (similar tickets, knowledge base, assets), as the tenant enabled them, into a
//! [`TicketContext`]. Similar tickets and articles are ranked ([`crate::corpus::search::ranking`]) and cut
//! ([`crate::corpus::search::relevance`]): the context holds what the note shows, and nothing weaker.

use enhancer_plugins::{TicketingTool, ToolApi};
use enhancer_shared::domain::{Ticket, TicketId};
use enhancer_shared::ip_extract;
use enhancer_shared::tenant::StageToggles;

use super::{Stage, StageError};
use crate::context::TicketContext;
use crate::corpus;
use crate::corpus::search::{Searcher, ranking};
use crate::metrics::Metrics;

#[derive(Debug, Clone)]
pub struct Gathered {
    pub ticket: Ticket,
    pub context: TicketContext,
}

/// How many other tickets about the same addresses are listed.
const RELATED_LIMIT: usize = 5;

pub async fn gather(
    plugin: &dyn TicketingTool,
    api: &ToolApi<'_>,
    id: &TicketId,
    metrics: &Metrics,
    search: &Searcher,
    tenant: &str,
) -> Result<Gathered, StageError> {
    let fetched = plugin.get_ticket(api, id).await;
    metrics.outbound(plugin.kind().as_str(), "get_ticket", &fetched);
    let ticket = fetched.map_err(|err| StageError::from_error(Stage::Gather, &err))?;
    let context = context_for(search, tenant, &ticket, api.settings.stages)
        .await
        .map_err(|err| StageError::from_error(Stage::Gather, &err))?;
    Ok(Gathered { ticket, context })
}

/// Searches the tenant's data for what surrounds `ticket`, stage by stage as the tenant enabled them, and
/// keeps the similar tickets and articles that pass the relevance cut-offs. The quality binary measures the
/// notes through this function.
pub async fn context_for(
    search: &Searcher,
    tenant: &str,
    ticket: &Ticket,
    stages: StageToggles,
) -> Result<TicketContext, sqlx::Error> {
    let mut context = TicketContext {
        addresses: ip_extract::extract(&format!("{}\n{}", ticket.subject, ticket.description)),
        ..TicketContext::default()
    };
    if stages.similar_tickets || stages.knowledge_base {
        let ranked = ranking::rank(search, tenant, ticket, stages.similar_tickets, stages.knowledge_base).await?;
        (context.similar_tickets, context.kb_articles) = ranked.shown(search.pool(), tenant).await?;
    }
    if stages.assets && !context.addresses.is_empty() {
        let pool = search.pool();
        context.assets = corpus::search::related_assets(pool, tenant, &context.addresses).await?;
        context.related_tickets =
            corpus::search::tickets_mentioning(pool, tenant, &context.addresses, ticket.id.as_str(), RELATED_LIMIT)
                .await?;
    }
    Ok(context)
}
