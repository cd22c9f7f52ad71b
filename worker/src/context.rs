//! [`TicketContext`]: what the writer gets besides the ticket, found in the tenant's own data (similar past
//! tickets, knowledge-base articles, the assets and other tickets behind the IP addresses the ticket
//! mentions). The searches that fill it are in [`crate::corpus::search`]; the gather stage runs them.

use serde::Serialize;

/// The search results around one ticket, as the writer gets them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TicketContext {
    pub similar_tickets: Vec<SimilarTicket>,
    pub kb_articles: Vec<KbArticle>,
    pub assets: Vec<RelatedAsset>,
    /// Other recent tickets that mention the same addresses.
    pub related_tickets: Vec<RelatedTicket>,
    /// The addresses and networks found in the ticket, as text (`10.20.30.40`, `10.0.0.0/24`).
    pub addresses: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SimilarTicket {
    pub ticket_id: String,
    pub subject: String,
    pub resolution: Option<String>,
    pub status: Option<String>,
    pub url: Option<String>,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct KbArticle {
    pub article_id: String,
    pub title: String,
    pub url: Option<String>,
    pub excerpt: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedAsset {
    /// The address from the ticket that matched.
    pub matched: String,
    /// The asset's own address or network.
    pub address: String,
    pub hostname: Option<String>,
    pub owner: Option<String>,
    pub location: Option<String>,
    pub criticality: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RelatedTicket {
    pub ticket_id: String,
    pub subject: String,
    pub status: Option<String>,
    pub address: String,
}
