//! `--corpus N`: the generated corpus of `enhancer_tests::corpus_gen` loaded into the scenario's database
//! before the worker starts, and the fake tool serving each job's ticket as a new ticket of that corpus (an
//! ordinary one, or one of the mass incident for a `--mass-jobs` share of the jobs), so that context search
//! runs on a large, varied corpus instead of the one ticket text every job has without it.

use std::time::Instant;

use enhancer_tests::corpus_gen::{Generator, Params};
use enhancer_tests::fake_tool::{FakeTool, TicketSpec};
use enhancer_worker::corpus::import;
use sqlx::{Executor as _, PgPool};

use crate::setup::TENANT;

/// Loads `size` tickets, the articles and the assets, then `VACUUM ANALYZE` (what autovacuum would do after
/// such a load), and gives the tool `jobs` tickets (`BENCH-n`, as `preload` names them).
pub async fn load(pool: &PgPool, tool: &FakeTool, size: usize, jobs: usize, mass_jobs: f64) -> anyhow::Result<()> {
    let started = Instant::now();
    let generator = Generator::new(Params::default());
    import::tickets_bulk(pool, TENANT, &generator.tickets(size)).await?;
    import::articles(pool, TENANT, &generator.articles()).await?;
    import::assets(pool, TENANT, &generator.assets()).await?;
    pool.execute("VACUUM ANALYZE").await?;
    // Every `1 / mass_jobs`-th job is a ticket of the mass incident, spread evenly over the run.
    let every = if mass_jobs > 0.0 { (1.0 / mass_jobs).round().max(1.0) as usize } else { usize::MAX };
    for n in 0..jobs {
        let ticket = if n % every == every - 1 { generator.mass_query(n) } else { generator.ordinary_query(n) };
        let spec = TicketSpec {
            subject: ticket.subject,
            description: ticket.description,
            priority: "medium".into(),
            requester: "alice@example.com".into(),
        };
        tool.add_ticket(&format!("BENCH-{n}"), spec);
    }
    println!(
        "corpus: {size} generated tickets (seed {}), {} jobs' tickets ({:.0} % mass incident), loaded in {:.1}s",
        generator.params().seed,
        jobs,
        if every == usize::MAX { 0.0 } else { 100.0 / every as f64 },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
