//! Gather: fetch the full ticket through the tenant's plugin, and the context around it. Context search
//! (similar tickets, knowledge base, assets) sits behind [`Context`] so it can grow without touching the
//! other stages.

use enhancer_plugins::{TicketingTool, ToolApi};
use enhancer_shared::domain::{Ticket, TicketId};
use serde::Serialize;

use super::{Stage, StageError};
use crate::metrics::Metrics;

/// What the writer gets besides the ticket.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Context {
    pub similar_tickets: Vec<SimilarTicket>,
    pub kb_articles: Vec<KbArticle>,
    pub assets: Vec<RelatedAsset>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimilarTicket {
    pub ticket_id: String,
    pub subject: String,
    pub resolution: Option<String>,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct KbArticle {
    pub title: String,
    pub url: Option<String>,
    pub excerpt: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedAsset {
    pub address: String,
    pub hostname: Option<String>,
    pub owner: Option<String>,
    pub location: Option<String>,
    pub criticality: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Gathered {
    pub ticket: Ticket,
    pub context: Context,
}

pub async fn gather(
    plugin: &dyn TicketingTool,
    api: &ToolApi<'_>,
    id: &TicketId,
    metrics: &Metrics,
) -> Result<Gathered, StageError> {
    let fetched = plugin.get_ticket(api, id).await;
    metrics.outbound(plugin.kind().as_str(), "get_ticket", &fetched);
    let ticket = fetched.map_err(|err| StageError::from_error(Stage::Gather, &err))?;
    Ok(Gathered { ticket, context: Context::default() })
}
