//! The backfill: every worker with `[embeddings]` embeds, in the background, each past ticket and article
//! that has no vector of the configured model for its current version, and stores it
//! ([`super::store`]), where the nearest-neighbour indexes ([`super::nearest`]) find it. A new
//! installation, an import of 100,000 tickets or a change of model is embedded this way, newest first,
//! [`BATCH`] documents per request; from then on the tickets written since.
//!
//! Workers share the work through a transaction-scoped advisory lock per tenant and kind, held from the
//! read of a batch to the write of its vectors: a worker that finds it taken moves on, so a batch is
//! embedded once however many workers run. The transaction stays open for the embedding request (at most
//! [`BATCH_TIMEOUT`]), which holds one of the worker's database connections that long.
//!
//! A batch takes one of the embedding requests slots the notes use ([`super::MAX_REQUESTS_IN_FLIGHT`]), so
//! a backfill never holds more than one. A failure (the server down, a malformed answer) waits
//! [`AFTER_FAILURE`] and tries the same documents again; notes are ranked by words meanwhile, as they are
//! for documents not embedded yet. A batch that timed out or was refused is halved for the rest of the walk
//! (down to one document, which is then skipped until the next full walk): a CPU-bound server can take
//! longer than [`BATCH_TIMEOUT`] for 64 long texts (llama.cpp serving nomic-embed-text-v1.5 on two busy
//! cores took 87 s), a batch that always timed out would never be stored, and one text a server refuses
//! would hold up every document after it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use tokio::sync::watch;

use super::cache::Source;
use super::store::{self, Position};
use super::{EmbeddingError, Semantic, SemanticError};
use crate::writer::llm::redact;

/// Documents per embedding request: one request of 64 texts of up to 2,000 characters each is well within
/// what OpenAI's endpoint and TEI take at once (2,048 inputs; TEI's default `max-client-batch-size` is 32
/// per forward pass, which it splits to itself).
pub const BATCH: i64 = 64;

/// How long a batch's request may take. Nothing waits for it but the backfill, where a note's request is
/// bounded by `embeddings.timeout_secs` (5 s by default): 64 texts take a CPU-bound server several times
/// one text's time, and a batch that always timed out would never be stored.
pub const BATCH_TIMEOUT: Duration = Duration::from_secs(60);

/// The wait when nothing was pending.
const IDLE: Duration = Duration::from_secs(5);

/// The wait after a failure.
pub const AFTER_FAILURE: Duration = Duration::from_secs(30);

/// How often a worker walks every document again rather than those written since its previous walk: finds
/// what a transaction longer than the cadence's overlap wrote, and the vectors of another model.
const FULL_WALK_EVERY: Duration = Duration::from_secs(600);

/// What one batch did.
#[derive(Debug, PartialEq)]
pub enum Filled {
    /// The walk is complete: every document written since it started had a vector, or has one now.
    Done,
    /// This many were embedded and stored, and there may be more.
    More(usize),
    /// Another worker holds this tenant and kind.
    Busy,
}

/// A walk through one tenant's documents of one kind, newest first.
#[derive(Debug, Default, Clone)]
pub struct Walk {
    /// Documents written before this were embedded by a previous complete walk.
    since: Option<DateTime<Utc>>,
    /// The database's time when this walk started, which the next one starts from once this one is done.
    started: Option<DateTime<Utc>>,
    /// Where this walk has got to.
    below: Option<Position>,
    /// Documents per request when less than [`BATCH`]: halved after each timeout or refusal, for the rest of
    /// the walk.
    batch: Option<i64>,
}

impl Walk {
    /// Documents per request now.
    pub fn batch(&self) -> i64 {
        self.batch.unwrap_or(BATCH)
    }
}

/// Backfills until `shutdown` flips to true.
pub async fn run(semantic: Semantic, pool: PgPool, mut shutdown: watch::Receiver<bool>) {
    let mut walks: HashMap<(String, Source), Walk> = HashMap::new();
    let mut walked = Instant::now();
    // Each full walk starts by asking which model answers behind the name (`probe.rs`).
    let mut probed = false;
    loop {
        if walked.elapsed() >= FULL_WALK_EVERY {
            walks.clear();
            walked = Instant::now();
            probed = false;
        }
        let pause = match probe_then_round(&semantic, &pool, &mut walks, &mut probed).await {
            Ok(true) => Duration::ZERO,
            Ok(false) => IDLE,
            Err(err) => {
                semantic.outcomes.backfill_failed();
                tracing::warn!(error = %err, "embedding backfill failed; notes are ranked by words meanwhile");
                AFTER_FAILURE
            }
        };
        tokio::select! {
            _ = shutdown.wait_for(|stop| *stop) => return,
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// The probe first when this walk has not made it ([`super::probe::check`]; it runs before a full walk's
/// first round, so a change's deleted vectors are walked from the start), then [`round`].
async fn probe_then_round(
    semantic: &Semantic,
    pool: &PgPool,
    walks: &mut HashMap<(String, Source), Walk>,
    probed: &mut bool,
) -> Result<bool, SemanticError> {
    if !*probed {
        super::probe::check(semantic, pool).await?;
        *probed = true;
    }
    round(semantic, pool, walks).await
}

/// One batch of each tenant and kind with documents pending; true when some may have more.
async fn round(
    semantic: &Semantic,
    pool: &PgPool,
    walks: &mut HashMap<(String, Source), Walk>,
) -> Result<bool, SemanticError> {
    let tenants: Vec<String> =
        sqlx::query_scalar("SELECT tenant_id FROM tenant_configs ORDER BY tenant_id").fetch_all(pool).await?;
    let mut more = false;
    for tenant in tenants {
        for source in [Source::Ticket, Source::Article] {
            let walk = walks.entry((tenant.clone(), source)).or_default();
            more |= matches!(fill(semantic, pool, &tenant, source, walk).await?, Filled::More(_));
        }
    }
    Ok(more)
}

/// Embeds and stores the next batch of the walk's pending documents. Public for the quality binary and the
/// benchmarks, which backfill a corpus before they measure.
pub async fn fill(
    semantic: &Semantic,
    pool: &PgPool,
    tenant: &str,
    source: Source,
    walk: &mut Walk,
) -> Result<Filled, SemanticError> {
    let mut tx = pool.begin().await?;
    let lock = format!("ticket-enhancer:embeddings:{tenant}:{}", source as u8);
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(&lock)
        .fetch_one(&mut *tx)
        .await?;
    if !locked {
        return Ok(Filled::Busy);
    }
    // The transaction's start: what is written after it is read by the next walk.
    let now: DateTime<Utc> = sqlx::query_scalar("SELECT now()").fetch_one(&mut *tx).await?;
    let started = *walk.started.get_or_insert(now);
    let since = walk.since.unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let model = semantic.embedder.model();
    let batch = walk.batch();
    let pending = store::pending(&mut *tx, tenant, source, model, since, walk.below.as_ref(), batch).await?;
    let Some(last) = pending.last() else {
        tx.commit().await?;
        // A transaction that started before this walk and commits after it is read again by the next
        // (the overlap), as the word indexes catch up.
        walk.since = Some(started - chrono::Duration::from_std(semantic.cadence().overlap).unwrap_or_default());
        walk.started = None;
        walk.below = None;
        return Ok(Filled::Done);
    };
    let next = (last.stamp, last.id.clone());
    // As for a note: e-mail addresses and phone numbers never leave.
    let texts: Vec<String> = pending.iter().map(|d| redact(d.text.as_deref().unwrap_or_default()).0).collect();
    let vectors = {
        let Ok(_slot) = semantic.slots.acquire().await else {
            return Err(EmbeddingError::TimedOut(Duration::ZERO).into());
        };
        let limit = semantic.batch_timeout.max(semantic.embedder.timeout());
        let embedded = tokio::time::timeout(limit, semantic.embedder.embed_within(&texts, limit))
            .await
            .unwrap_or(Err(EmbeddingError::TimedOut(limit)));
        match embedded {
            Ok(vectors) => vectors,
            // The server unreachable: the same documents once it is back.
            Err(err @ EmbeddingError::Http(_)) => return Err(err.into()),
            // Too slow for this many, or refusing one of them: fewer next time, the same documents first.
            Err(err) if batch > 1 => {
                let batch = batch / 2;
                walk.batch = Some(batch);
                tracing::warn!(tenant, kind = ?source, batch, error = %err, "embedding backfill batch halved");
                return Err(err.into());
            }
            // One document it cannot embed (too long for its context, say): skipped until the next full walk,
            // so it does not hold up every document after it.
            Err(err) => {
                tracing::warn!(
                    tenant, kind = ?source, document = %next.1, error = %err,
                    "embedding backfill skipped a document until the next full walk"
                );
                walk.below = Some(next);
                return Err(err.into());
            }
        }
    };
    walk.below = Some(next);
    let made_from: Vec<(&str, DateTime<Utc>)> = pending.iter().map(|d| (d.id.as_str(), d.stamp)).collect();
    let vectors: Vec<&[f32]> = vectors.iter().map(Vec::as_slice).collect();
    let stored = store::save(&mut *tx, tenant, source, model, &made_from, &vectors).await?;
    tx.commit().await?;
    semantic.outcomes.backfilled(stored);
    Ok(Filled::More(pending.len()))
}

/// Backfills the tenant until every document has its vector (the quality binary, the benchmarks and
/// tests); returns how many were embedded. A batch that timed out or was refused is halved and tried again;
/// any other failure, or a failure of a single document, ends it.
pub async fn complete(semantic: &Semantic, pool: &PgPool, tenant: &str) -> Result<usize, SemanticError> {
    let mut embedded = 0;
    for source in [Source::Ticket, Source::Article] {
        let mut walk = Walk::default();
        loop {
            let batch = walk.batch();
            match fill(semantic, pool, tenant, source, &mut walk).await {
                Ok(Filled::More(n)) => embedded += n,
                Ok(Filled::Done) => break,
                Ok(Filled::Busy) => tokio::time::sleep(Duration::from_millis(50)).await,
                Err(SemanticError::Embedding(_)) if walk.batch() < batch => {}
                Err(err) => return Err(err),
            }
        }
    }
    Ok(embedded)
}
