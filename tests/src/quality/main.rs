//! `quality`: measures the context search on the labelled set in `tests/data/quality/` against a plain BM25
//! baseline computed in the same run, and prints a Markdown table (the numbers in `docs/BENCHMARKS.md`).
//!
//! It creates its own database on the local PostgreSQL (`TEST_DATABASE_URL` overrides the server), loads
//! the corpus as one tenant, queries with every labelled ticket (left out of its own results), and drops
//! the database at the end. Exits non-zero when a target is missed.

mod bm25;
mod dataset;
mod metrics;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use enhancer_shared::domain::{Priority, Ticket, TicketId};
use enhancer_tests::TestDb;
use enhancer_worker::corpus::search;

use bm25::Bm25;
use dataset::Dataset;
use metrics::{K, Scores};

const TENANT: &str = "quality";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let verbose = std::env::args().any(|a| a == "--verbose");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/quality");
    let data = Dataset::load(&dir)?;
    let db = TestDb::migrated().await;
    data.seed(&db.pool, TENANT).await?;

    let tickets_bm25 = Bm25::new(data.tickets.iter().map(|t| {
        (t.id.clone(), format!("{} {} {}", t.subject, t.description, t.resolution.as_deref().unwrap_or_default()))
    }));
    let kb_bm25 = Bm25::new(data.articles.iter().map(|a| (a.id.clone(), format!("{} {}", a.title, a.body))));

    let (mut ours, mut baseline) = (Scores::default(), Scores::default());
    let mut elapsed = Duration::ZERO;
    for label in &data.labels {
        let query = data.ticket(&label.query);
        let ticket = Ticket {
            id: TicketId::parse(query.id.clone())?,
            subject: query.subject.clone(),
            description: query.description.clone(),
            status: None,
            priority: Priority::Medium,
            requester: None,
            created_at: None,
            updated_at: None,
            url: None,
            resolution: None,
        };
        let started = Instant::now();
        let similar = search::similar_tickets(&db.pool, TENANT, &ticket, K).await?;
        let articles = search::kb_articles(&db.pool, TENANT, &ticket, K).await?;
        elapsed += started.elapsed();
        if verbose {
            for t in &similar {
                println!("  {} relevant={} score={:.3}", t.ticket_id, label.relevant.contains(&t.ticket_id), t.score);
            }
        }
        let similar: Vec<String> = similar.into_iter().map(|t| t.ticket_id).collect();
        let articles: Vec<String> = articles.into_iter().map(|a| a.article_id).collect();
        ours.add(&label.relevant, &label.kb, &similar, &articles);

        let text = format!("{} {}", query.subject, query.description);
        let bm25_similar = tickets_bm25.search(&text, &query.id, K);
        let bm25_articles = kb_bm25.search(&text, "", K);
        baseline.add(&label.relevant, &label.kb, &bm25_similar, &bm25_articles);

        if verbose {
            println!(
                "{} {:?}: ours {similar:?} {articles:?}, bm25 {bm25_similar:?} {bm25_articles:?}; want {:?} {}",
                query.id, query.subject, label.relevant, label.kb
            );
        }
    }

    println!(
        "{} tickets ({} queries), {} articles; mean search time {:.1} ms per query (tickets + KB)\n",
        data.tickets.len(),
        data.labels.len(),
        data.articles.len(),
        elapsed.as_secs_f64() * 1000.0 / data.labels.len().max(1) as f64
    );
    println!("| search | recall@3 | top-1 | KB hit@3 |\n|---|---|---|---|");
    for (name, scores) in [("PostgreSQL weighted coverage (ours)", ours), ("BM25 baseline", baseline)] {
        println!("| {name} | {:.3} | {:.3} | {:.3} |", scores.recall(), scores.top1(), scores.kb_hit());
    }
    let met = ours.recall() >= 0.9 && ours.recall() >= baseline.recall() && ours.kb_hit() >= 0.9;
    println!("\ntargets (recall@3 >= 0.9 and >= BM25, KB hit@3 >= 0.9): {}", if met { "met" } else { "MISSED" });
    drop(db);
    if !met {
        std::process::exit(1);
    }
    Ok(())
}
