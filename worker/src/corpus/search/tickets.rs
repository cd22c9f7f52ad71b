//! Similar tickets from the tenant's `tickets` corpus, the ticket itself excluded.

use std::sync::LazyLock;

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

use super::{CANDIDATES, COMMON_IN_RECENT, CORPUS_CAP, DF_CAP, MIN_SCORE, RECENT_SAMPLE, RESOLVED_BOOST, limit, terms};
use crate::context::SimilarTicket;

/// Operands are cast (`::tsquery`), not passed through `to_tsquery`: they are lexemes `to_tsvector` already
/// normalized, and stemming them a second time could change them.
///
/// Every step reads a bounded number of rows and index entries, however many tickets match (see the module
/// docs of [`super`]): `corpus` counts at most [`CORPUS_CAP`] rows; `recent` holds the [`RECENT_SAMPLE`]
/// most recently indexed tickets, and `in_recent` which of them match which term (each pair tested once, for
/// the shares and for the hits below); a term found in at least [`COMMON_IN_RECENT`] of them (when the corpus is
/// larger than the sample) is common, takes its hits from `recent` only and its frequency from its share
/// there, and is never looked up in the GIN index (whose bitmap scan collects every match before a `LIMIT`
/// applies); any other term reads at most [`DF_CAP`] hits from the index;
/// `preselected` keeps [`CANDIDATES`] tickets, and only those are scored on their full `search` vector. The
/// CTEs read more than once are materialized so each runs once; `preselected` and `candidates` are
/// materialized so the scoring runs on the candidates only: inlined, the planner (with a growing, not yet
/// analyzed corpus) joined them by scanning every ticket of the tenant and scored each one; `scored` is
/// materialized because inlined, each kept candidate's coverage was computed twice, for the `WHERE` and for
/// the score (docs/BENCHMARKS.md).
fn similar_tickets_sql() -> String {
    format!(
        "
WITH terms AS (
    SELECT ord, operand::tsquery AS query, weight
    FROM unnest($3::text[], $4::float8[]) WITH ORDINALITY AS t(operand, weight, ord)
),
corpus AS (
    SELECT count(*)::float8 AS n FROM (SELECT 1 FROM tickets WHERE tenant_id = $1 LIMIT {CORPUS_CAP}) AS capped
),
recent AS MATERIALIZED (
    SELECT ticket_id, search FROM tickets WHERE tenant_id = $1 ORDER BY indexed_at DESC LIMIT {RECENT_SAMPLE}
),
in_recent AS MATERIALIZED (
    SELECT terms.ord, r.ticket_id FROM terms JOIN recent r ON r.search @@ terms.query
),
shares AS MATERIALIZED (
    SELECT terms.ord, terms.query, terms.weight, corpus.n AS corpus_n,
           coalesce(matched.n, 0)::float8 AS in_recent, (SELECT count(*) FROM recent)::float8 AS recent_n
    FROM terms CROSS JOIN corpus
    LEFT JOIN (SELECT ord, count(*) AS n FROM in_recent GROUP BY ord) AS matched ON matched.ord = terms.ord
),
classed AS (
    SELECT *, (in_recent >= {COMMON_IN_RECENT} AND corpus_n > recent_n) AS common FROM shares
),
hits AS MATERIALIZED (
    SELECT c.ord, i.ticket_id FROM classed c JOIN in_recent i ON i.ord = c.ord WHERE c.common
    UNION ALL
    SELECT c.ord, hit.ticket_id
    FROM classed c CROSS JOIN LATERAL (
        SELECT d.ticket_id FROM tickets d WHERE d.tenant_id = $1 AND d.search @@ c.query LIMIT {DF_CAP}
    ) AS hit
    WHERE NOT c.common
),
sampled AS (
    SELECT c.ord, c.query, c.weight, c.corpus_n,
           CASE WHEN NOT c.common AND df.n < {DF_CAP} THEN df.n
                ELSE greatest(df.n, c.corpus_n * c.in_recent / nullif(c.recent_n, 0))
           END AS df_n
    FROM classed c JOIN (SELECT ord, count(*)::float8 AS n FROM hits GROUP BY ord) AS df ON df.ord = c.ord
),
weighted AS (
    SELECT ord, query, weight * ln(1 + (greatest(corpus_n - df_n, 0) + 0.5) / (df_n + 0.5)) AS weight
    FROM sampled
),
mass AS (SELECT sum(weight) AS total FROM weighted),
preselected AS MATERIALIZED (
    SELECT hits.ticket_id
    FROM hits JOIN weighted ON weighted.ord = hits.ord
    WHERE hits.ticket_id <> $2
    GROUP BY hits.ticket_id
    ORDER BY sum(weighted.weight) DESC, hits.ticket_id
    LIMIT {CANDIDATES}
),
candidates AS MATERIALIZED (
    SELECT d.ticket_id, d.subject, d.resolution, d.status, d.url, d.search,
           ts_filter(d.search, '{{a}}') AS subject_terms, ts_filter(d.search, '{{b}}') AS description_terms
    FROM preselected p JOIN tickets d ON d.tenant_id = $1 AND d.ticket_id = p.ticket_id
),
scored AS MATERIALIZED (
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
LIMIT $7"
    )
}

/// Built once; the caps are literals in the text so the planner sees them even in a generic plan (a
/// prepared statement's `LIMIT $n` is planned blind, which on a small, unanalyzed corpus chose per-term
/// sequential scans and took ten times as long).
static SIMILAR_TICKETS: LazyLock<String> = LazyLock::new(similar_tickets_sql);

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
    let rows: Vec<SimilarRow> = sqlx::query_as(SIMILAR_TICKETS.as_str())
        .bind(tenant)
        .bind(ticket.id.as_str())
        .bind(&terms.operands)
        .bind(&terms.weights)
        .bind(RESOLVED_BOOST)
        .bind(MIN_SCORE)
        .bind(limit(k))
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
