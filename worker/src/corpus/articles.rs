//! Writes to `kb_articles`, the tenant's knowledge base. Only the import writes it. Conflict rule on
//! `(tenant_id, article_id)`: the file wins, title, body and url replaced (a missing url clears it),
//! `updated_at` now. Title and body are stored clipped to the limits of `limits.rs`.

use sqlx::PgPool;

use super::{Written, limits};

const IMPORT_UPSERT: &str = "
INSERT INTO kb_articles (tenant_id, article_id, title, body, url, updated_at)
VALUES ($1, $2, $3, $4, $5, now())
ON CONFLICT (tenant_id, article_id) DO UPDATE SET
    title      = EXCLUDED.title,
    body       = EXCLUDED.body,
    url        = EXCLUDED.url,
    updated_at = now()
RETURNING (xmax = 0)";

/// A knowledge-base article as an import gives it, already validated (the title is not empty).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleRow {
    pub article_id: String,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
}

pub(super) async fn import(pool: &PgPool, tenant: &str, row: &ArticleRow) -> Result<Written, sqlx::Error> {
    let new: bool = sqlx::query_scalar(IMPORT_UPSERT)
        .bind(tenant)
        .bind(&row.article_id)
        .bind(limits::title(&row.title))
        .bind(limits::body(&row.body))
        .bind(&row.url)
        .fetch_one(pool)
        .await?;
    Ok(Written::from_new(new))
}
