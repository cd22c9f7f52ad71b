//! One pass over the queries: for each new ticket, our ranking (the worker's, before any cut-off),
//! what the worker's note context shows (the gather stage's `context_for`, cut-offs applied), and BM25's
//! ranking over the same documents.

use std::time::{Duration, Instant};

use enhancer_shared::domain::{Priority, Ticket, TicketId};
use enhancer_shared::tenant::StageToggles;
use enhancer_worker::corpus::search::relevance::Cutoff;
use enhancer_worker::corpus::search::semantic::{Embedder, backfill};
use enhancer_worker::corpus::search::{Searcher, ranking};
use enhancer_worker::stages::gather;
use sqlx::PgPool;

use crate::bm25::Bm25;
use crate::dataset::{Dataset, Group, Query};

/// BM25's naive note: its first five tickets and first three articles, no cut-off.
pub const BM25_TICKETS: usize = 5;
pub const BM25_ARTICLES: usize = 3;

/// Everything measured for one query.
#[derive(Debug)]
pub struct Outcome {
    pub id: String,
    pub family: String,
    pub subject: String,
    pub group: Group,
    pub relevant: Vec<String>,
    pub kb: Vec<String>,
    /// Ours, best first, with scores, before the cut-offs ([`ranking::POOL`] deep).
    pub tickets: Vec<(String, f32)>,
    pub articles: Vec<(String, f32)>,
    /// Ranked by meaning (an embedding server answered): the semantic cut-offs apply.
    pub semantic: bool,
    /// The cut-offs the worker applied to these scores, tickets then articles.
    pub cutoffs: (Cutoff, Cutoff),
    /// What the worker's note shows.
    pub shown_tickets: Vec<String>,
    pub shown_articles: Vec<String>,
    pub bm25_tickets: Vec<String>,
    pub bm25_articles: Vec<String>,
}

impl Outcome {
    pub fn ticket_ids(&self) -> Vec<String> {
        self.tickets.iter().map(|(id, _)| id.clone()).collect()
    }

    pub fn article_ids(&self) -> Vec<String> {
        self.articles.iter().map(|(id, _)| id.clone()).collect()
    }
}

/// Every query's outcome, and the mean time per query of the gather stage's searches (the note context).
pub async fn run(
    pool: &PgPool,
    tenant: &str,
    data: &Dataset,
    embedder: Option<Embedder>,
) -> anyhow::Result<(Vec<Outcome>, Duration)> {
    let tickets_bm25 = Bm25::new(data.all_past().map(|t| {
        (t.id.clone(), format!("{} {} {}", t.subject, t.description, t.resolution.as_deref().unwrap_or_default()))
    }));
    let kb_bm25 = Bm25::new(data.all_articles().map(|a| (a.id.clone(), format!("{} {}", a.title, a.body))));
    let toggles = StageToggles { similar_tickets: true, knowledge_base: true, assets: false };
    // One index for every query, as a worker holds it: loaded on the first search (not timed), read after.
    let search = match embedder {
        Some(embedder) => Searcher::new(pool.clone()).with_embedder(embedder),
        None => Searcher::new(pool.clone()),
    };
    // Every past ticket and article embedded first, as a worker's backfill leaves a corpus.
    if let Some(semantic) = search.semantic() {
        backfill::complete(semantic, pool, tenant).await?;
    }
    let queries = data.queries();
    let mut outcomes = Vec::with_capacity(queries.len());
    let mut elapsed = Duration::ZERO;
    for query in &queries {
        let ticket = ticket(query)?;
        let ranked = ranking::rank(&search, tenant, &ticket, true, true).await?;
        let started = Instant::now();
        let context = gather::context_for(&search, tenant, &ticket, toggles).await?;
        elapsed += started.elapsed();
        let text = format!("{} {}", ticket.subject, ticket.description);

        outcomes.push(Outcome {
            id: query.ticket.id.clone(),
            family: query.family.to_owned(),
            subject: query.ticket.subject.clone(),
            group: query.group,
            relevant: query.relevant.clone(),
            kb: query.articles.clone(),
            semantic: ranked.semantic,
            cutoffs: ranked.cutoffs(),
            tickets: ranked.tickets.into_iter().map(|t| (t.id, t.score)).collect(),
            articles: ranked.articles.into_iter().map(|a| (a.id, a.score)).collect(),
            shown_tickets: context.similar_tickets.into_iter().map(|t| t.ticket_id).collect(),
            shown_articles: context.kb_articles.into_iter().map(|a| a.article_id).collect(),
            bm25_tickets: tickets_bm25.search(&text, &query.ticket.id, BM25_TICKETS),
            bm25_articles: kb_bm25.search(&text, "", BM25_ARTICLES),
        });
    }
    Ok((outcomes, elapsed / u32::try_from(queries.len().max(1)).unwrap_or(u32::MAX)))
}

/// The new ticket as the worker would fetch it: no status, no resolution yet.
fn ticket(query: &Query<'_>) -> anyhow::Result<Ticket> {
    Ok(Ticket {
        id: TicketId::parse(query.ticket.id.clone())?,
        subject: query.ticket.subject.clone(),
        description: query.ticket.description.clone(),
        status: None,
        priority: Priority::Medium,
        requester: None,
        created_at: None,
        updated_at: None,
        url: None,
        resolution: None,
    })
}
