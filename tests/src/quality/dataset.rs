//! The labelled relevance set (`tests/data/relevance/`, format in its README): one file per family of
//! look-alike problems (past tickets, new tickets marked `tune` or `heldout`, 0 to 2 articles) and the
//! distractor files (past tickets and articles that answer no family). Past tickets and articles of every
//! file are loaded into a fresh database as one tenant, through the importers; each new ticket is a query.
//!
//! Families come from two directories. `families/` is the first set: its held-out half has informed
//! earlier work, so it is now tuning data ([`Group::Tune`], [`Group::Seen`]). `fresh/` holds families
//! written later by authors who never saw the search, all of whose new tickets are held out
//! ([`Group::Heldout`]): the reported figures.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use enhancer_worker::corpus::import::{self, ArticleRow, TicketRow};
use serde::Deserialize;
use sqlx::PgPool;

#[derive(Debug, Deserialize)]
pub struct PastTicket {
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

/// Which half a new ticket belongs to: parameters are chosen on `tune`, figures reported on `heldout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Tune,
    Heldout,
}

#[derive(Debug, Deserialize)]
pub struct NewTicket {
    pub id: String,
    pub subject: String,
    pub description: String,
    pub split: Split,
}

#[derive(Debug, Deserialize)]
pub struct Family {
    pub family: String,
    /// Read from `fresh/`: every new ticket of the family is held out.
    #[serde(skip)]
    pub fresh: bool,
    pub articles: Vec<Article>,
    pub past: Vec<PastTicket>,
    pub new: Vec<NewTicket>,
}

#[derive(Debug, Deserialize)]
struct Distractors {
    past: Vec<PastTicket>,
    articles: Vec<Article>,
}

/// What a query's figures may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The first set's `tune` half: calibration.
    Tune,
    /// The first set's `heldout` half: held out until it informed two rounds of work (2026-12-02/03), so
    /// calibration data now, printed apart for continuity with the earlier figures.
    Seen,
    /// The families of `fresh/`: the reported figures, never looked at query by query.
    Heldout,
}

/// One new ticket and what an agent would want listed for it.
#[derive(Debug)]
pub struct Query<'a> {
    pub ticket: &'a NewTicket,
    pub family: &'a str,
    pub group: Group,
    /// The past tickets of its family.
    pub relevant: Vec<String>,
    /// Its family's articles; empty when the family has none ("no related article" is the right answer).
    pub articles: Vec<String>,
}

#[derive(Debug)]
pub struct Dataset {
    pub families: Vec<Family>,
    pub past: Vec<PastTicket>,
    pub articles: Vec<Article>,
}

fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parse {}", path.display()))
}

/// The `.json` files of `dir` whose name starts with `prefix`, sorted by name.
fn json_files(dir: &Path, prefix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("list {}", dir.display()))? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with(prefix) && name.ends_with(".json") {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

impl Dataset {
    pub fn load(dir: &Path) -> anyhow::Result<Dataset> {
        let mut families: Vec<Family> = Vec::new();
        for path in json_files(&dir.join("families"), "")? {
            families.push(read(&path)?);
        }
        let fresh = dir.join("fresh");
        if fresh.is_dir() {
            for path in json_files(&fresh, "")? {
                families.push(Family { fresh: true, ..read(&path)? });
            }
        }
        let (mut past, mut articles) = (Vec::new(), Vec::new());
        for path in json_files(dir, "distractors-")? {
            let distractors: Distractors = read(&path)?;
            past.extend(distractors.past);
            articles.extend(distractors.articles);
        }
        let dataset = Dataset { families, past, articles };
        dataset.check()?;
        Ok(dataset)
    }

    /// Ids are unique across every file (a duplicate would be silently overwritten by the import and
    /// change what counts as relevant), and every family has past and new tickets.
    fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.families.is_empty(), "no family files");
        let mut seen = HashSet::new();
        let ids = self.families.iter().flat_map(|f| {
            let past = f.past.iter().map(|t| &t.id);
            past.chain(f.new.iter().map(|t| &t.id)).chain(f.articles.iter().map(|a| &a.id))
        });
        for id in ids.chain(self.past.iter().map(|t| &t.id)).chain(self.articles.iter().map(|a| &a.id)) {
            anyhow::ensure!(seen.insert(id.as_str()), "id {id} appears twice");
        }
        for family in &self.families {
            anyhow::ensure!(!family.past.is_empty() && !family.new.is_empty(), "family {} is empty", family.family);
            anyhow::ensure!(
                !family.fresh || family.new.iter().all(|t| t.split == Split::Heldout),
                "family {} is in fresh/ but has new tickets not marked heldout",
                family.family
            );
        }
        Ok(())
    }

    /// Every new ticket, family by family, with its labels.
    pub fn queries(&self) -> Vec<Query<'_>> {
        self.families
            .iter()
            .flat_map(|family| {
                family.new.iter().map(|ticket| Query {
                    ticket,
                    family: &family.family,
                    group: match (family.fresh, ticket.split) {
                        (true, _) => Group::Heldout,
                        (false, Split::Tune) => Group::Tune,
                        (false, Split::Heldout) => Group::Seen,
                    },
                    relevant: family.past.iter().map(|t| t.id.clone()).collect(),
                    articles: family.articles.iter().map(|a| a.id.clone()).collect(),
                })
            })
            .collect()
    }

    /// Every past ticket, the families' and the distractors'.
    pub fn all_past(&self) -> impl Iterator<Item = &PastTicket> {
        self.families.iter().flat_map(|f| &f.past).chain(&self.past)
    }

    /// Every article, the families' and the distractors'.
    pub fn all_articles(&self) -> impl Iterator<Item = &Article> {
        self.families.iter().flat_map(|f| &f.articles).chain(&self.articles)
    }

    /// Inserts a placeholder tenant, then imports the past tickets and the articles.
    pub async fn seed(&self, pool: &PgPool, tenant: &str) -> anyhow::Result<()> {
        enhancer_tests::insert_placeholder_tenant(pool, tenant, "generic").await;
        // Through the import path, as an operator's `import tickets` / `import kb` would load them.
        let tickets: Vec<TicketRow> = self
            .all_past()
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
            .all_articles()
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
