//! One corpus's measurements: each search the gather stage runs, and the whole gather, over the same query
//! tickets, timed one by one (client side, round trips included), and the database backend's CPU over all
//! of them from `/proc/<pid>/stat` (the pool has one connection, so that backend ran only these).

use std::time::Instant;

use anyhow::Context as _;
use enhancer_shared::domain::Ticket;
use enhancer_shared::ip_extract;
use enhancer_shared::tenant::StageToggles;
use enhancer_tests::corpus_gen::Generator;
use enhancer_worker::corpus::search::{self, Searcher};
use enhancer_worker::stages::gather::context_for;
use serde_json::{Value, json};
use sqlx::{PgPool, Row as _};

/// What the gather stage asks for, with the same limits (`stages/gather.rs`).
const TOP_K: usize = 5;
const RELATED_LIMIT: usize = 5;
/// Query tickets run once before measuring: caches and prepared statements.
const WARMUP: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Search {
    Similar,
    /// The database-scored similar-ticket query of before the in-memory index (`baseline.rs`).
    SimilarInDatabase,
    Kb,
    Assets,
    Related,
    Gather,
}

impl Search {
    const ALL: [Search; 6] =
        [Search::Similar, Search::SimilarInDatabase, Search::Kb, Search::Assets, Search::Related, Search::Gather];

    fn name(self) -> &'static str {
        match self {
            Search::Similar => "similar tickets",
            Search::SimilarInDatabase => "similar tickets, database-scored (baseline)",
            Search::Kb => "KB articles",
            Search::Assets => "assets by address",
            Search::Related => "tickets by address",
            Search::Gather => "whole gather",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Row {
    kind: &'static str,
    search: &'static str,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mean_ms: f64,
    db_cpu_ms: f64,
    /// This process's CPU per search: the in-memory scoring and the client side.
    own_cpu_ms: f64,
    /// Mean number of results returned.
    results: f64,
}

/// The first search of a tenant: it loads the tenant's in-memory indexes.
#[derive(Debug, Clone, Copy)]
pub struct IndexLoad {
    pub seconds: f64,
    /// This process's resident memory before and after, in MiB.
    pub rss_before_mib: f64,
    pub rss_after_mib: f64,
}

/// Every search for `queries` ordinary and `queries` mass-incident tickets, after the index load.
pub async fn run(
    pool: &PgPool,
    tenant: &str,
    generator: &Generator,
    queries: usize,
) -> anyhow::Result<(Vec<Row>, IndexLoad)> {
    let backend: i32 = sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(pool).await?;
    // One searcher for every query, as a worker holds it: the first gather loads its indexes.
    let searcher = Searcher::new(pool.clone());
    let rss_before_mib = rss_mib();
    let started = Instant::now();
    context_for(&searcher, tenant, &generator.ordinary_query(queries), StageToggles::default()).await?;
    let load = IndexLoad { seconds: started.elapsed().as_secs_f64(), rss_before_mib, rss_after_mib: rss_mib() };
    let kinds: [(&'static str, Vec<Ticket>); 2] = [
        ("ordinary", (0..queries + WARMUP).map(|i| generator.ordinary_query(i)).collect()),
        ("mass incident", (0..queries + WARMUP).map(|i| generator.mass_query(i)).collect()),
    ];
    for (_, tickets) in &kinds {
        for ticket in &tickets[queries..] {
            for search in Search::ALL {
                one(&searcher, tenant, ticket, search).await?;
            }
        }
    }
    let mut rows = Vec::new();
    for (kind, tickets) in &kinds {
        for search in Search::ALL {
            let mut times = Vec::with_capacity(queries);
            let mut found = 0usize;
            let cpu_before = cpu_ticks(backend);
            let own_before = cpu_ticks(std::process::id().try_into()?);
            for ticket in &tickets[..queries] {
                let started = Instant::now();
                found += one(&searcher, tenant, ticket, search).await?;
                times.push(started.elapsed().as_secs_f64() * 1e3);
            }
            let cpu_ms = cpu_ticks(backend).saturating_sub(cpu_before) as f64 * 10.0;
            let own_ms = cpu_ticks(std::process::id().try_into()?).saturating_sub(own_before) as f64 * 10.0;
            times.sort_by(f64::total_cmp);
            let at = |q: f64| times[((times.len() as f64 * q).ceil() as usize).clamp(1, times.len()) - 1];
            rows.push(Row {
                kind,
                search: search.name(),
                p50_ms: at(0.5),
                p99_ms: at(0.99),
                max_ms: times.last().copied().unwrap_or(0.0),
                mean_ms: times.iter().sum::<f64>() / times.len().max(1) as f64,
                db_cpu_ms: cpu_ms / queries.max(1) as f64,
                own_cpu_ms: own_ms / queries.max(1) as f64,
                results: found as f64 / queries.max(1) as f64,
            });
        }
    }
    Ok((rows, load))
}

/// This process's resident memory (`VmRSS`), in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// Runs one search for `ticket`; the number of results.
async fn one(searcher: &Searcher, tenant: &str, ticket: &Ticket, search: Search) -> anyhow::Result<usize> {
    let pool = searcher.pool();
    let addresses = ip_extract::extract(&format!("{}\n{}", ticket.subject, ticket.description));
    Ok(match search {
        Search::Similar => search::similar_tickets(searcher, tenant, ticket, TOP_K).await?.len(),
        Search::SimilarInDatabase => crate::baseline::similar_tickets(pool, tenant, ticket, TOP_K).await?,
        Search::Kb => search::kb_articles(searcher, tenant, ticket, TOP_K).await?.len(),
        Search::Assets => search::related_assets(pool, tenant, &addresses).await?.len(),
        Search::Related => {
            search::tickets_mentioning(pool, tenant, &addresses, ticket.id.as_str(), RELATED_LIMIT).await?.len()
        }
        Search::Gather => {
            let context = context_for(searcher, tenant, ticket, StageToggles::default()).await?;
            context.similar_tickets.len()
                + context.kb_articles.len()
                + context.assets.len()
                + context.related_tickets.len()
        }
    })
}

/// User plus system CPU ticks (1/100 s) of process `pid` so far (any process: the backend, or this one).
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(close) = stat.rfind(')') else { return 0 };
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    ticks(11) + ticks(12)
}

/// `EXPLAIN (ANALYZE, BUFFERS)` of the related-tickets-by-address query for `ticket`, as the worker runs it:
/// the query of the `tickets_mentioning` function, read from the catalog, on a generic plan as the function
/// sets (an `EXPLAIN` of the query with bound parameters would show a custom plan instead).
pub async fn explain_related(pool: &PgPool, tenant: &str, ticket: &Ticket) -> anyhow::Result<String> {
    let addresses = ip_extract::extract(&format!("{}\n{}", ticket.subject, ticket.description));
    let body: String =
        sqlx::query_scalar("SELECT prosrc FROM pg_proc WHERE proname = 'tickets_mentioning'").fetch_one(pool).await?;
    let query = body
        .split_once("RETURN QUERY")
        .and_then(|(_, rest)| rest.split_once(';'))
        .map(|(query, _)| query)
        .context("tickets_mentioning has no RETURN QUERY")?;
    let query = [("p_tenant", "$1"), ("p_addresses", "$2"), ("p_exclude", "$3"), ("p_limit", "$4")]
        .iter()
        .fold(query.to_owned(), |query, (name, param)| query.replace(name, param));
    let mut tx = pool.begin().await?;
    sqlx::query("SET LOCAL plan_cache_mode = force_generic_plan").execute(&mut *tx).await?;
    // The simple protocol: in an extended-protocol statement the `$n` of the prepared query would be taken
    // for the statement's own parameters.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("PREPARE mentioning (text, text[], text, bigint) AS {query}")))
        .execute(&mut *tx)
        .await?;
    // `EXECUTE`'s arguments take no bound parameters: the server quotes them into the statement.
    let explain: String = sqlx::query_scalar(
        "SELECT format('EXPLAIN (ANALYZE, BUFFERS) EXECUTE mentioning (%L, %L::text[], %L, %s)', $1, $2::text[], $3, $4)",
    )
    .bind(tenant)
    .bind(&addresses)
    .bind(ticket.id.as_str())
    .bind(i64::try_from(RELATED_LIMIT)?)
    .fetch_one(&mut *tx)
    .await?;
    let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(explain)).fetch_all(&mut *tx).await?;
    let lines = rows.iter().map(|row| row.try_get::<String, _>(0)).collect::<Result<Vec<_>, _>>()?;
    sqlx::query("DEALLOCATE mentioning").execute(&mut *tx).await?;
    tx.rollback().await?;
    Ok(lines.join("\n"))
}

pub fn render(rows: &[Row]) -> String {
    let mut out = String::from(
        "| query | search | p50 ms | p99 ms | max ms | mean ms | db cpu ms/search | own cpu ms/search | results |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.1} |\n",
            r.kind, r.search, r.p50_ms, r.p99_ms, r.max_ms, r.mean_ms, r.db_cpu_ms, r.own_cpu_ms, r.results
        ));
    }
    out
}

pub fn to_json(rows: &[Row]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({"query": r.kind, "search": r.search, "p50_ms": r.p50_ms, "p99_ms": r.p99_ms, "max_ms": r.max_ms,
                       "mean_ms": r.mean_ms, "db_cpu_ms": r.db_cpu_ms, "own_cpu_ms": r.own_cpu_ms, "results": r.results})
            })
            .collect(),
    )
}
