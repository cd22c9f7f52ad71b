//! `search-bench`: the gather stage's searches on a generated corpus (`enhancer_tests::corpus_gen`) of
//! growing size, each size in a fresh database: latency percentiles of each search and of the whole gather,
//! and the database CPU each costs, for ordinary tickets and for tickets of the mass incident.
//! docs/BENCHMARKS.md has the results and how to read them.

mod baseline;
mod measure;

use std::time::Instant;

use clap::Parser;
use enhancer_tests::corpus_gen::{Generator, Params};
use enhancer_worker::corpus::import;
use serde_json::{Value, json};
use sqlx::Executor as _;
use sqlx::postgres::PgPoolOptions;

/// The tenant the corpus is loaded for.
const TENANT: &str = "bench";

#[derive(Debug, Parser)]
#[command(name = "search-bench", about = "Context search latency and database CPU on a generated corpus")]
struct Cli {
    /// Corpus sizes (tickets), each in a fresh database.
    #[arg(long, value_delimiter = ',', default_value = "10000,30000,100000")]
    sizes: Vec<usize>,
    /// Query tickets per kind (ordinary, mass incident) and search.
    #[arg(long, default_value_t = 200)]
    queries: usize,
    #[arg(long, default_value_t = Params::default().seed)]
    seed: u64,
    /// The share of the corpus that came after the mass incident (0: the incident is still going on).
    #[arg(long, default_value_t = Params::default().mass_tail)]
    mass_tail: f64,
    /// Print `EXPLAIN (ANALYZE, BUFFERS)` of the related-tickets-by-address query for one query of each kind.
    #[arg(long)]
    explain: bool,
    /// Keep each database (its name is printed) instead of dropping it.
    #[arg(long)]
    keep: bool,
    /// Also write the results as JSON to this file.
    #[arg(long)]
    json_out: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let params = Params { seed: cli.seed, mass_tail: cli.mass_tail, ..Params::default() };
    let generator = Generator::new(params);
    println!("generator: {params:?}");
    let mut results = Vec::new();
    for &size in &cli.sizes {
        results.push(one_size(&cli, &generator, size).await?);
    }
    if let Some(path) = &cli.json_out {
        std::fs::write(path, serde_json::to_vec_pretty(&Value::Array(results))?)?;
    }
    Ok(())
}

async fn one_size(cli: &Cli, generator: &Generator, size: usize) -> anyhow::Result<Value> {
    let db = enhancer_tests::TestDb::migrated().await;
    if cli.keep {
        println!("database {} (kept)", db.name);
    }
    enhancer_tests::insert_placeholder_tenant(&db.pool, TENANT, "generic").await;
    let started = Instant::now();
    let tickets = generator.tickets(size);
    let generated = started.elapsed().as_secs_f64();
    import::tickets_bulk(&db.pool, TENANT, &tickets).await?;
    import::articles(&db.pool, TENANT, &generator.articles()).await?;
    import::assets(&db.pool, TENANT, &generator.assets()).await?;
    let loaded = started.elapsed().as_secs_f64();
    // What autovacuum would do after such a load: the GIN pending lists flushed, statistics for the planner.
    db.pool.execute("VACUUM ANALYZE").await?;
    let vacuumed = started.elapsed().as_secs_f64();
    println!(
        "\n## {size} tickets: generated in {generated:.1}s, loaded in {:.1}s, VACUUM ANALYZE {:.1}s",
        loaded - generated,
        vacuumed - loaded
    );
    // One connection, so its backend's CPU is the searches' and nothing else's.
    let pool = PgPoolOptions::new().max_connections(1).connect(&db.url).await?;
    let (table, load) = measure::run(&pool, TENANT, generator, cli.queries).await?;
    println!(
        "in-memory indexes loaded by the first search in {:.2}s; this process's resident memory {:.1} -> {:.1} MiB\n",
        load.seconds, load.rss_before_mib, load.rss_after_mib
    );
    println!("{}", measure::render(&table));
    if cli.explain {
        for (kind, query) in [("ordinary", generator.ordinary_query(0)), ("mass incident", generator.mass_query(0))] {
            println!("\nEXPLAIN (ANALYZE, BUFFERS) related tickets by address, {kind} query:");
            println!("{}", measure::explain_related(&pool, TENANT, &query).await?);
        }
    }
    pool.close().await;
    if cli.keep {
        std::mem::forget(db);
    }
    Ok(json!({"tickets": size, "load_seconds": loaded - generated, "index_load_seconds": load.seconds,
               "rss_before_mib": load.rss_before_mib, "rss_after_mib": load.rss_after_mib,
               "rows": measure::to_json(&table)}))
}
