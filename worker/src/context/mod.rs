//! Context around a ticket, from the tenant's own data in PostgreSQL: similar past tickets, knowledge-base
//! articles, and the assets (and other tickets) behind the IP addresses the ticket mentions. The search sits
//! behind these functions so that a vector index can be added later without touching the stages.

pub mod assets;
pub mod corpus;
pub mod search;

use serde::Serialize;

/// What the writer gets besides the ticket.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Context {
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
