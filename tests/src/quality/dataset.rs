//! The labelled data set (`tests/data/quality/`): the ticket corpus, the knowledge base, and for each query
//! ticket the corpus tickets and the article an agent would want. Loaded into a fresh database as one tenant.

use std::path::Path;

use anyhow::Context as _;
use enhancer_worker::corpus::import::{self, ArticleRow, TicketRow};
use serde::Deserialize;
use sqlx::PgPool;

#[derive(Debug, Deserialize)]
pub struct CorpusTicket {
    pub id: String,
    pub subject: String,
    pub description: String,
    pub resolution: Option<String>,
    pub status: String,
}

#[derive(Debug, Deserialize)]
pub struct Article {
    pub id: String,
    pub title: String,
    pub url: String,
    pub body: String,
}

#[derive(Debug, Deserialize)]
pub struct Label {
    /// A corpus ticket used as the query (left out of its own results).
    pub query: String,
    /// The other corpus tickets about the same problem.
    pub relevant: Vec<String>,
    /// The knowledge-base article that answers it.
    pub kb: String,
}

#[derive(Debug)]
pub struct Dataset {
    pub tickets: Vec<CorpusTicket>,
    pub articles: Vec<Article>,
    pub labels: Vec<Label>,
}

fn read<T: for<'de> Deserialize<'de>>(dir: &Path, file: &str) -> anyhow::Result<T> {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parse {}", path.display()))
}

impl Dataset {
    pub fn load(dir: &Path) -> anyhow::Result<Dataset> {
        let dataset = Dataset {
            tickets: read(dir, "tickets.json")?,
            articles: read(dir, "kb.json")?,
            labels: read(dir, "labels.json")?,
        };
        dataset.check()?;
        Ok(dataset)
    }

    /// Every label names tickets and an article that exist, so a typo cannot silently lower a score.
    fn check(&self) -> anyhow::Result<()> {
        let ticket = |id: &str| self.tickets.iter().any(|t| t.id == id);
        for label in &self.labels {
            anyhow::ensure!(ticket(&label.query), "label query {} is not in tickets.json", label.query);
            for id in &label.relevant {
                anyhow::ensure!(ticket(id) && *id != label.query, "label {}: bad relevant ticket {id}", label.query);
            }
            anyhow::ensure!(
                self.articles.iter().any(|a| a.id == label.kb),
                "label {}: no article {}",
                label.query,
                label.kb
            );
        }
        Ok(())
    }

    pub fn ticket(&self, id: &str) -> &CorpusTicket {
        self.tickets.iter().find(|t| t.id == id).expect("labels are checked on load")
    }

    /// Inserts a placeholder tenant, then imports the tickets and the articles.
    pub async fn seed(&self, pool: &PgPool, tenant: &str) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO tenant_configs (tenant_id, name, tool, base_url, credentials_enc, webhook_secret_enc, key_id) \
             VALUES ($1, 'Quality', 'generic', 'https://quality.example.com', '\\x00', '\\x00', '0000000000000000')",
        )
        .bind(tenant)
        .execute(pool)
        .await?;
        // Through the import path, as an operator's `import tickets` / `import kb` would load them.
        let tickets: Vec<TicketRow> = self
            .tickets
            .iter()
            .map(|t| TicketRow {
                ticket_id: t.id.clone(),
                subject: t.subject.clone(),
                description: t.description.clone(),
                resolution: t.resolution.clone(),
                status: Some(t.status.clone()),
                priority: None,
                opened_at: None,
                resolved_at: None,
                url: None,
            })
            .collect();
        import::tickets(pool, tenant, &tickets).await?;
        let articles: Vec<ArticleRow> = self
            .articles
            .iter()
            .map(|a| ArticleRow {
                article_id: a.id.clone(),
                title: a.title.clone(),
                body: a.body.clone(),
                url: Some(a.url.clone()),
            })
            .collect();
        import::articles(pool, tenant, &articles).await?;
        Ok(())
    }
}
