//! The import API: already-parsed rows into a tenant's corpus, knowledge base or inventory, one upsert
//! statement per row (written whole or not at all; importing the same rows again updates them), or, for
//! tickets, one per batch ([`tickets_bulk`]). Used by
//! `enhancer-worker import` (after it read and validated a file) and by the demo's seed. The conflict rules
//! are in `tickets.rs`, `articles.rs` and `assets.rs` of this module.

use sqlx::PgPool;

pub use super::Written;
pub use super::articles::ArticleRow;
pub use super::assets::{AssetRow, Criticality};
pub use super::tickets::TicketRow;
use super::{articles, assets, tickets};

/// How many rows an import added and how many it updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Imported {
    pub new: usize,
    pub updated: usize,
}

impl Imported {
    fn count(&mut self, written: Written) {
        match written {
            Written::New => self.new += 1,
            Written::Updated => self.updated += 1,
        }
    }
}

/// One past ticket; the addresses in its subject and description are stored with it.
pub async fn ticket(pool: &PgPool, tenant: &str, row: &TicketRow) -> Result<Written, sqlx::Error> {
    tickets::import(pool, tenant, row).await
}

/// One knowledge-base article.
pub async fn article(pool: &PgPool, tenant: &str, row: &ArticleRow) -> Result<Written, sqlx::Error> {
    articles::import(pool, tenant, row).await
}

/// One asset.
pub async fn asset(pool: &PgPool, tenant: &str, row: &AssetRow) -> Result<Written, sqlx::Error> {
    assets::import(pool, tenant, row).await
}

/// Every ticket in order; stops at the first error (the rows before it stay written).
pub async fn tickets(pool: &PgPool, tenant: &str, rows: &[TicketRow]) -> Result<Imported, sqlx::Error> {
    let mut imported = Imported::default();
    for row in rows {
        imported.count(ticket(pool, tenant, row).await?);
    }
    Ok(imported)
}

/// How many tickets [`tickets_bulk`] writes per statement: large enough that a round trip per batch costs
/// little, small enough that one statement's arrays stay a few megabytes.
const BULK_BATCH: usize = 1_000;

/// Every ticket, [`BULK_BATCH`] rows per statement (each batch written whole or not at all), for loading a
/// large corpus fast; the same conflict rule as [`ticket`]. A ticket id may appear only once per batch.
/// Stops at the first failing batch (the batches before it stay written).
pub async fn tickets_bulk(pool: &PgPool, tenant: &str, rows: &[TicketRow]) -> Result<Imported, sqlx::Error> {
    let mut imported = Imported::default();
    for batch in rows.chunks(BULK_BATCH) {
        for written in tickets::import_many(pool, tenant, batch).await? {
            imported.count(written);
        }
    }
    Ok(imported)
}

/// Every article in order; stops at the first error (the rows before it stay written).
pub async fn articles(pool: &PgPool, tenant: &str, rows: &[ArticleRow]) -> Result<Imported, sqlx::Error> {
    let mut imported = Imported::default();
    for row in rows {
        imported.count(article(pool, tenant, row).await?);
    }
    Ok(imported)
}

/// Every asset in order; stops at the first error (the rows before it stay written).
pub async fn assets(pool: &PgPool, tenant: &str, rows: &[AssetRow]) -> Result<Imported, sqlx::Error> {
    let mut imported = Imported::default();
    for row in rows {
        imported.count(asset(pool, tenant, row).await?);
    }
    Ok(imported)
}
