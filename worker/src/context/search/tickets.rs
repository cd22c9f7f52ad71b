//! Similar tickets from the tenant's `tickets` corpus, the ticket itself excluded.

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::{CANDIDATES, MIN_SCORE, RESOLVED_BOOST, limit, terms};
use crate::context::SimilarTicket;

/// Operands are cast (`::tsquery`), not passed through `to_tsquery`: they are lexemes `to_tsvector` already
/// normalized, and stemming them a second time could change them.
const SIMILAR_TICKETS: &str = "
WITH terms AS (
    SELECT operand::tsquery AS query, weight FROM unnest($3::text[], $4::float8[]) AS t(operand, weight)
),
corpus AS (SELECT count(*)::float8 AS n FROM tickets WHERE tenant_id = $1),
weighted AS (
    SELECT terms.query, terms.weight * ln(1 + (corpus.n - df.n + 0.5) / (df.n + 0.5)) AS weight
    FROM terms CROSS JOIN corpus
    CROSS JOIN LATERAL (
        SELECT count(*)::float8 AS n FROM tickets d WHERE d.tenant_id = $1 AND d.search @@ terms.query
    ) AS df
    WHERE df.n > 0
),
mass AS (SELECT sum(weight) AS total FROM weighted),
any_term AS (SELECT string_agg(operand, ' | ')::tsquery AS query FROM unnest($3::text[]) AS operand),
candidates AS (
    SELECT d.ticket_id, d.subject, d.resolution, d.status, d.url, d.search,
           ts_filter(d.search, '{a}') AS subject_terms, ts_filter(d.search, '{b}') AS description_terms
    FROM tickets d CROSS JOIN any_term
    WHERE d.tenant_id = $1 AND d.ticket_id <> $2 AND d.search @@ any_term.query
    ORDER BY ts_rank(d.search, any_term.query) DESC
    LIMIT $8
),
scored AS (
    SELECT c.ticket_id, c.subject, c.resolution, c.status, c.url,
           (SELECT sum(w.weight * CASE WHEN c.subject_terms @@ w.query THEN 1.0
                                       WHEN c.description_terms @@ w.query THEN 0.6
                                       WHEN c.search @@ w.query THEN 0.3
                                       ELSE 0 END)
            FROM weighted w) / nullif((SELECT total FROM mass), 0) AS coverage
    FROM candidates c
)
SELECT ticket_id, subject, resolution, status, url,
       (coverage * CASE WHEN nullif(btrim(resolution), '') IS NOT NULL THEN $5 ELSE 1.0 END)::float4 AS score
FROM scored
WHERE coverage >= $6
ORDER BY score DESC, ticket_id
LIMIT $7";

#[derive(sqlx::FromRow)]
struct SimilarRow {
    ticket_id: String,
    subject: String,
    resolution: Option<String>,
    status: Option<String>,
    url: Option<String>,
    score: f32,
}

/// The `k` most similar tickets of the tenant's corpus, best first, the ticket itself excluded and matches
/// below [`MIN_SCORE`] left out.
pub async fn similar_tickets(
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    k: usize,
) -> Result<Vec<SimilarTicket>, sqlx::Error> {
    let terms = terms::query_terms(pool, ticket).await?;
    if terms.is_empty() || k == 0 {
        return Ok(Vec::new());
    }
    let rows: Vec<SimilarRow> = sqlx::query_as(SIMILAR_TICKETS)
        .bind(tenant)
        .bind(ticket.id.as_str())
        .bind(&terms.operands)
        .bind(&terms.weights)
        .bind(RESOLVED_BOOST)
        .bind(MIN_SCORE)
        .bind(limit(k))
        .bind(CANDIDATES)
        .fetch_all(pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| SimilarTicket {
            ticket_id: row.ticket_id,
            subject: row.subject,
            resolution: row.resolution.filter(|r| !r.trim().is_empty()),
            status: row.status,
            url: row.url,
            score: row.score,
        })
        .collect())
}
