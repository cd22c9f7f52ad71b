//! The baseline of the similar-ticket search: the database-scored query the worker ran before its
//! in-memory index (`git show adf5670:worker/src/corpus/search/tickets.rs`), kept here, verbatim, only so
//! that `search-bench` measures both in the same run on the same corpus. Not used by the worker.

use enhancer_shared::domain::Ticket;
use enhancer_worker::corpus::search;
use sqlx::PgPool;

/// The query as it was, its caps written in (CANDIDATES 200, DF_CAP 200, CORPUS_CAP 5,000, RECENT_SAMPLE
/// 200, COMMON_IN_RECENT 20): common terms sampled from the recent tickets, capped document frequencies,
/// 200 candidates scored on their `search` vectors.
const SIMILAR_TICKETS: &str = "
WITH terms AS (
    SELECT ord, operand::tsquery AS query, weight
    FROM unnest($3::text[], $4::float8[]) WITH ORDINALITY AS t(operand, weight, ord)
),
corpus AS (
    SELECT count(*)::float8 AS n FROM (SELECT 1 FROM tickets WHERE tenant_id = $1 LIMIT 5000) AS capped
),
recent AS MATERIALIZED (
    SELECT ticket_id, search FROM tickets WHERE tenant_id = $1 ORDER BY indexed_at DESC LIMIT 200
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
    SELECT *, (in_recent >= 20 AND corpus_n > recent_n) AS common FROM shares
),
hits AS MATERIALIZED (
    SELECT c.ord, i.ticket_id FROM classed c JOIN in_recent i ON i.ord = c.ord WHERE c.common
    UNION ALL
    SELECT c.ord, hit.ticket_id
    FROM classed c CROSS JOIN LATERAL (
        SELECT d.ticket_id FROM tickets d WHERE d.tenant_id = $1 AND d.search @@ c.query LIMIT 200
    ) AS hit
    WHERE NOT c.common
),
sampled AS (
    SELECT c.ord, c.query, c.weight, c.corpus_n,
           CASE WHEN NOT c.common AND df.n < 200 THEN df.n
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
    LIMIT 200
),
candidates AS MATERIALIZED (
    SELECT d.ticket_id, d.subject, d.resolution, d.status, d.url, d.search,
           ts_filter(d.search, '{a}') AS subject_terms, ts_filter(d.search, '{b}') AS description_terms
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
LIMIT $7";

/// The number of similar tickets the database-scored query returns for `ticket` (at most `k`).
pub async fn similar_tickets(pool: &PgPool, tenant: &str, ticket: &Ticket, k: usize) -> anyhow::Result<usize> {
    let (operands, weights) = search::flat_query_terms(pool, ticket).await?;
    if operands.is_empty() {
        return Ok(0);
    }
    let rows = sqlx::query(SIMILAR_TICKETS)
        .bind(tenant)
        .bind(ticket.id.as_str())
        .bind(&operands)
        .bind(&weights)
        .bind(search::RESOLVED_BOOST)
        .bind(search::MIN_SCORE)
        .bind(i64::try_from(k)?)
        .fetch_all(pool)
        .await?;
    Ok(rows.len())
}
