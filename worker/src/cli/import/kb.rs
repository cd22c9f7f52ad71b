//! Imported knowledge-base articles, upserted by `(tenant_id, article_id)`.

use sqlx::PgPool;

use super::fields::Fields;

pub const FIELDS: &[&str] = &["article_id", "title", "body", "url"];
pub const REQUIRED: &[&str] = &["article_id", "title"];

#[derive(Debug)]
pub struct ArticleRow {
    pub article_id: String,
    title: String,
    body: String,
    url: Option<String>,
}

pub fn validate(fields: &Fields) -> Result<ArticleRow, String> {
    fields.check_known(FIELDS)?;
    Ok(ArticleRow {
        article_id: fields.id("article_id")?,
        title: fields.required("title")?.to_owned(),
        body: fields.owned("body").unwrap_or_default(),
        url: fields.url("url")?,
    })
}

/// True when the article is new.
pub async fn upsert(pool: &PgPool, tenant: &str, row: &ArticleRow) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO kb_articles (tenant_id, article_id, title, body, url, updated_at) \
         VALUES ($1, $2, $3, $4, $5, now()) \
         ON CONFLICT (tenant_id, article_id) DO UPDATE SET \
             title = EXCLUDED.title, body = EXCLUDED.body, url = EXCLUDED.url, updated_at = now() \
         RETURNING (xmax = 0)",
    )
    .bind(tenant)
    .bind(&row.article_id)
    .bind(&row.title)
    .bind(&row.body)
    .bind(&row.url)
    .fetch_one(pool)
    .await
}
