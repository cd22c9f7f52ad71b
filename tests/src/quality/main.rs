//! `quality`: measures the context search and the relevance cut-offs on the labelled set in
//! `tests/data/relevance/` against a plain BM25 baseline computed in the same run, and prints Markdown
//! tables (the numbers in `docs/BENCHMARKS.md`, "Context search quality").
//!
//! It creates its own database on the local PostgreSQL (`TEST_DATABASE_URL` overrides the server), imports
//! every past ticket and article as one tenant, queries with every new ticket, and drops the database at the
//! end. The targets apply to the HELD-OUT families only (`fresh/`, see [`dataset::Group`]), and the exit
//! status is non-zero when one is missed; the first set's two halves are printed first, labelled, for
//! calibration.
//!
//! Options: `--calibrate` adds the cut-off sweep on the first set; `--verbose` prints every calibration
//! query's ranking and what its note shows (held-out queries are never printed one by one: looking at their
//! failures is how a held-out set stops being one); `--tune-only` stops before the held-out figures (for
//! tuning sessions); `--data DIR` reads another set in the same format; `--embeddings BASE_URL`
//! (`--embeddings-model NAME`, default `all-MiniLM-L6-v2`) re-ranks by meaning with that OpenAI-compatible
//! embedding server, as a worker configured with `[embeddings]` does (`tests/semantic/`), cut at
//! `--ticket-floor F` and `--article-floor F` (default: as a worker, the floors measured for the model, or
//! all-MiniLM-L6-v2's for a model never measured).

mod bm25;
mod calibrate;
mod dataset;
mod evaluate;
mod metrics;
mod report;

use std::path::PathBuf;

use enhancer_shared::config::EmbeddingsConfig;
use enhancer_tests::TestDb;
use enhancer_worker::corpus::search::semantic::Embedder;

use dataset::{Dataset, Group};
use evaluate::Outcome;

const TENANT: &str = "quality";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let dir = match args.iter().position(|a| a == "--data") {
        Some(at) => PathBuf::from(args.get(at + 1).ok_or_else(|| anyhow::anyhow!("--data needs a directory"))?),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/relevance"),
    };
    let data = Dataset::load(&dir)?;
    let embedder = match args.iter().position(|a| a == "--embeddings") {
        Some(at) => {
            let base_url = args.get(at + 1).ok_or_else(|| anyhow::anyhow!("--embeddings needs a base URL"))?;
            let model = args.iter().position(|a| a == "--embeddings-model").and_then(|at| args.get(at + 1));
            // Unset: the model's measured floors, as a worker's (`EmbeddingsConfig::floors`).
            let floor = |flag: &str| -> anyhow::Result<Option<f32>> {
                match args.iter().position(|a| a == flag) {
                    Some(at) => {
                        Ok(Some(args.get(at + 1).ok_or_else(|| anyhow::anyhow!("{flag} needs a number"))?.parse()?))
                    }
                    None => Ok(None),
                }
            };
            let config = EmbeddingsConfig {
                base_url: Some(base_url.clone()),
                model: Some(model.cloned().unwrap_or_else(|| "all-MiniLM-L6-v2".to_owned())),
                // A model on this machine, and a larger batch than a note's on the first queries.
                allow_private_base_url: true,
                timeout_secs: 120,
                ticket_floor: floor("--ticket-floor")?,
                article_floor: floor("--article-floor")?,
                ..EmbeddingsConfig::default()
            };
            Embedder::from_config(&config)?
        }
        None => None,
    };
    let db = TestDb::migrated().await;
    data.seed(&db.pool, TENANT).await?;
    let (outcomes, per_query) = evaluate::run(&db.pool, TENANT, &data, embedder).await?;
    drop(db);
    let semantic = outcomes.iter().filter(|o| o.semantic).count();
    anyhow::ensure!(
        semantic == 0 || semantic == outcomes.len(),
        "{} of {} queries were ranked by meaning: the embedding server failed for the others",
        semantic,
        outcomes.len()
    );
    anyhow::ensure!(
        outcomes.iter().all(calibrate::consistent),
        "the note context differs from the ranking cut with the worker's cut-offs: the figures would not be the \
         worker's"
    );

    println!(
        "{} past tickets, {} articles, {} families; {} new tickets as queries; ranking read {} deep{}; the note \
         context took {:.1} ms per query (similar tickets and articles, debug build)\n",
        data.all_past().count(),
        data.all_articles().count(),
        data.families.len(),
        outcomes.len(),
        enhancer_worker::corpus::search::ranking::POOL,
        if semantic > 0 { ", re-ranked by meaning (--embeddings)" } else { "" },
        per_query.as_secs_f64() * 1000.0
    );
    if flag("--verbose") {
        outcomes.iter().filter(|o| o.group != Group::Heldout).for_each(print_outcome);
    }
    if flag("--calibrate") {
        calibrate::print(&outcomes);
    }
    let group = |group: Group| report::figures(outcomes.iter().filter(move |o| o.group == group));
    report::print("TUNING half of the first set (calibration only; not the reported figures)", &group(Group::Tune));
    report::print(
        "SEEN half of the first set (held out until 2026-12-03, calibration since; not the reported figures)",
        &group(Group::Seen),
    );
    if flag("--tune-only") {
        return Ok(());
    }
    let heldout = group(Group::Heldout);
    anyhow::ensure!(heldout.queries > 0, "no held-out families (tests/data/relevance/fresh/)");
    report::print("HELD-OUT families of fresh/ (the reported figures)", &heldout);
    let missed = report::missed(&heldout);
    if missed.is_empty() {
        println!("held-out targets: met");
        Ok(())
    } else {
        println!("held-out targets MISSED: {}", missed.join("; "));
        std::process::exit(1);
    }
}

fn print_outcome(o: &Outcome) {
    let mark = |id: &String, relevant: &[String]| if relevant.contains(id) { "+" } else { "-" };
    let ranked = |list: &[(String, f32)], relevant: &[String]| {
        list.iter().map(|(id, s)| format!("{}{id} {s:.2}", mark(id, relevant))).collect::<Vec<_>>().join(", ")
    };
    println!("{} ({}) {:?}", o.id, o.family, o.subject);
    println!("  tickets: {}", ranked(&o.tickets, &o.relevant));
    println!("  articles (want {:?}): {}", o.kb, ranked(&o.articles, &o.kb));
    println!("  shown: {:?} {:?}; bm25: {:?} {:?}", o.shown_tickets, o.shown_articles, o.bm25_tickets, o.bm25_articles);
}
