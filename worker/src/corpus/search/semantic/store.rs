//! The shared store of embeddings (`ticket_embeddings`, `article_embeddings`; the migration
//! `20261203000002_embeddings.sql`): one vector per document, of the model that made it and the version
//! of the document it was made from. Every statement here reads or writes a vector only for the
//! document's current version (`tickets.indexed_at`, `kb_articles.updated_at`), so a document rewritten
//! since it was embedded counts as not embedded.
//!
//! The vector of a document is read by a scalar subquery, one primary-key lookup per document, rather than
//! a join: the join's plan followed the statistics, and with a table just filled by the backfill (29 rows
//! estimated, 100,000 there) PostgreSQL compared every ticket with every stored vector, and the
//! backfill's walk of 100,000 tickets ran for minutes (`worker-bench --embeddings --corpus 100000`).

use chrono::{DateTime, Utc};
use sqlx::{PgExecutor, PgPool};

use super::cache::Source;

/// A document of the tenant: its version, and its stored vector of the model when that is of this version,
/// else the text to embed (as the model reads it: a ticket's subject, description and resolution, an
/// article's title and body).
#[derive(Debug, sqlx::FromRow)]
pub struct Document {
    pub id: String,
    pub stamp: DateTime<Utc>,
    pub vector: Option<Vec<f32>>,
    pub text: Option<String>,
}

/// The named documents (`$3`) of the tenant (`$1`), with the vector of the model (`$2`) where one is
/// stored for the current version and the text where none is. `OFFSET 0` keeps the inner query whole: pulled
/// up, its subquery would run twice per row (for the vector and for the `CASE`).
fn named_sql(source: Source) -> &'static str {
    match source {
        Source::Ticket => {
            "SELECT id, stamp, vector, CASE WHEN vector IS NULL THEN text END AS text FROM ( \
             SELECT t.ticket_id AS id, t.indexed_at AS stamp, concat_ws(E'\\n', t.subject, t.description, t.resolution) AS text, \
             (SELECT e.vector FROM ticket_embeddings e WHERE e.tenant_id = t.tenant_id AND e.ticket_id = t.ticket_id \
              AND e.model = $2 AND e.stamp = t.indexed_at) AS vector \
             FROM tickets t WHERE t.tenant_id = $1 AND t.ticket_id = ANY ($3) OFFSET 0) AS named"
        }
        Source::Article => {
            "SELECT id, stamp, vector, CASE WHEN vector IS NULL THEN text END AS text FROM ( \
             SELECT a.article_id AS id, a.updated_at AS stamp, concat_ws(E'\\n', a.title, a.body) AS text, \
             (SELECT e.vector FROM article_embeddings e WHERE e.tenant_id = a.tenant_id AND e.article_id = a.article_id \
              AND e.model = $2 AND e.stamp = a.updated_at) AS vector \
             FROM kb_articles a WHERE a.tenant_id = $1 AND a.article_id = ANY ($3) OFFSET 0) AS named"
        }
    }
}

/// Up to `$4` documents of the tenant (`$1`) with no vector of the model (`$2`) for their current version,
/// written at or after `$3` and before the position (`$5` stamp, `$6` id) where the previous batch ended,
/// newest first (a new ticket is the likeliest to be asked about), with their texts. Walks the write-stamp
/// index (`tickets_tenant_indexed_idx`) backwards, each batch from where the previous one ended, so a
/// backfill pass reads each row once; the backfill passes the time of its previous complete pass as `$3`,
/// so a worker that is caught up reads only what was written since.
fn pending_sql(source: Source) -> &'static str {
    match source {
        Source::Ticket => {
            "SELECT t.ticket_id AS id, t.indexed_at AS stamp, NULL::real[] AS vector, \
             concat_ws(E'\\n', t.subject, t.description, t.resolution) AS text \
             FROM tickets t \
             WHERE t.tenant_id = $1 AND t.indexed_at >= $3 \
             AND NOT coalesce((SELECT e.model = $2 AND e.stamp = t.indexed_at FROM ticket_embeddings e \
              WHERE e.tenant_id = t.tenant_id AND e.ticket_id = t.ticket_id), false) \
             AND t.indexed_at <= $5 AND (t.indexed_at < $5 OR t.ticket_id < $6) \
             ORDER BY t.indexed_at DESC, t.ticket_id DESC LIMIT $4"
        }
        Source::Article => {
            "SELECT a.article_id AS id, a.updated_at AS stamp, NULL::real[] AS vector, \
             concat_ws(E'\\n', a.title, a.body) AS text \
             FROM kb_articles a \
             WHERE a.tenant_id = $1 AND a.updated_at >= $3 \
             AND NOT coalesce((SELECT e.model = $2 AND e.stamp = a.updated_at FROM article_embeddings e \
              WHERE e.tenant_id = a.tenant_id AND e.article_id = a.article_id), false) \
             AND a.updated_at <= $5 AND (a.updated_at < $5 OR a.article_id < $6) \
             ORDER BY a.updated_at DESC, a.article_id DESC LIMIT $4"
        }
    }
}

/// Stores the vectors (`$5`, flattened, `$6` floats each) of the model (`$2`) for the documents (`$3`) at
/// the versions (`$4`) they were made from, replacing what the documents had; a document since deleted
/// or rewritten is skipped (a vector of a version no longer current would never be read).
fn save_sql(source: Source) -> &'static str {
    match source {
        Source::Ticket => {
            "INSERT INTO ticket_embeddings (tenant_id, ticket_id, model, stamp, vector) \
             SELECT $1, v.id, $2, v.stamp, ($5::real[])[(v.n - 1) * $6 + 1 : v.n * $6] \
             FROM unnest($3::text[], $4::timestamptz[]) WITH ORDINALITY AS v (id, stamp, n) \
             JOIN tickets t ON t.tenant_id = $1 AND t.ticket_id = v.id AND t.indexed_at = v.stamp \
             ON CONFLICT (tenant_id, ticket_id) DO UPDATE SET model = EXCLUDED.model, stamp = EXCLUDED.stamp, \
             vector = EXCLUDED.vector, embedded_at = now()"
        }
        Source::Article => {
            "INSERT INTO article_embeddings (tenant_id, article_id, model, stamp, vector) \
             SELECT $1, v.id, $2, v.stamp, ($5::real[])[(v.n - 1) * $6 + 1 : v.n * $6] \
             FROM unnest($3::text[], $4::timestamptz[]) WITH ORDINALITY AS v (id, stamp, n) \
             JOIN kb_articles a ON a.tenant_id = $1 AND a.article_id = v.id AND a.updated_at = v.stamp \
             ON CONFLICT (tenant_id, article_id) DO UPDATE SET model = EXCLUDED.model, stamp = EXCLUDED.stamp, \
             vector = EXCLUDED.vector, embedded_at = now()"
        }
    }
}

/// The tenant's (`$1`) stored vectors of the model (`$2`) whose dimension is not `$3`. `cardinality` reads
/// each vector's header: a scan of the tenant's vectors, run only when a model changed its dimension.
fn other_dimensions_sql(source: Source) -> &'static str {
    match source {
        Source::Ticket => {
            "DELETE FROM ticket_embeddings WHERE tenant_id = $1 AND model = $2 AND cardinality(vector) <> $3"
        }
        Source::Article => {
            "DELETE FROM article_embeddings WHERE tenant_id = $1 AND model = $2 AND cardinality(vector) <> $3"
        }
    }
}

/// Deletes the tenant's stored vectors of `model` that are not of `dimensions`: another model's, served
/// under the same name, which never compare with the new model's. Their documents count as not embedded
/// again. Returns how many went.
pub async fn drop_other_dimensions(
    pool: &PgPool,
    tenant: &str,
    model: &str,
    dimensions: usize,
) -> Result<u64, sqlx::Error> {
    let dimensions = i32::try_from(dimensions).map_err(|_| sqlx::Error::Protocol("too many dimensions".into()))?;
    let mut gone = 0;
    for source in [Source::Ticket, Source::Article] {
        let done =
            sqlx::query(other_dimensions_sql(source)).bind(tenant).bind(model).bind(dimensions).execute(pool).await?;
        gone += done.rows_affected();
    }
    Ok(gone)
}

/// The tenant's documents named by `ids`, each with its stored vector of `model` or its text.
pub async fn named(
    pool: &PgPool,
    tenant: &str,
    source: Source,
    model: &str,
    ids: &[&str],
) -> Result<Vec<Document>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    sqlx::query_as(named_sql(source)).bind(tenant).bind(model).bind(ids).fetch_all(pool).await
}

/// Past every write stamp (9999-12-31T23:59:59Z, within PostgreSQL's range): a walk from the newest.
const END_OF_TIME: DateTime<Utc> = match DateTime::from_timestamp(253_402_300_799, 0) {
    Some(end) => end,
    None => DateTime::<Utc>::MAX_UTC,
};

/// Where a walk through the documents by write stamp, newest first, has got to: the stamp and id of the
/// last document read.
pub type Position = (DateTime<Utc>, String);

/// Up to `limit` of the tenant's documents written at or after `since` and before `below` (from the newest
/// when `None`) that have no vector of `model` for their current version, newest first, with their texts.
pub async fn pending(
    db: impl PgExecutor<'_>,
    tenant: &str,
    source: Source,
    model: &str,
    since: DateTime<Utc>,
    below: Option<&Position>,
    limit: i64,
) -> Result<Vec<Document>, sqlx::Error> {
    let (stamp, id) = below.map_or((END_OF_TIME, ""), |(stamp, id)| (*stamp, id.as_str()));
    sqlx::query_as(pending_sql(source))
        .bind(tenant)
        .bind(model)
        .bind(since)
        .bind(limit)
        .bind(stamp)
        .bind(id)
        .fetch_all(db)
        .await
}

/// Stores `vectors` (one per document of `made_from`, all of one dimension) as the model's vectors of those
/// versions of the documents. Returns how many were stored.
pub async fn save(
    db: impl PgExecutor<'_>,
    tenant: &str,
    source: Source,
    model: &str,
    made_from: &[(&str, DateTime<Utc>)],
    vectors: &[&[f32]],
) -> Result<u64, sqlx::Error> {
    let Some(dimensions) = vectors.first().map(|v| v.len()) else { return Ok(0) };
    if vectors.len() != made_from.len() || vectors.iter().any(|v| v.len() != dimensions) {
        return Err(sqlx::Error::Protocol("embeddings of different dimensions, or not one per document".into()));
    }
    let ids: Vec<&str> = made_from.iter().map(|(id, _)| *id).collect();
    let stamps: Vec<DateTime<Utc>> = made_from.iter().map(|(_, stamp)| *stamp).collect();
    let flat: Vec<f32> = vectors.concat();
    let dimensions = i32::try_from(dimensions).map_err(|_| sqlx::Error::Protocol("too many dimensions".into()))?;
    let done = sqlx::query(save_sql(source))
        .bind(tenant)
        .bind(model)
        .bind(&ids)
        .bind(&stamps)
        .bind(&flat)
        .bind(dimensions)
        .execute(db)
        .await?;
    Ok(done.rows_affected())
}
