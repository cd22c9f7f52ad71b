//! One tenant's index of one kind, kept in step with its table: loaded in full on first use, then brought
//! up to date before a search by reading what was written since (at most every `refresh_every` of its
//! [`Cadence`]), and rebuilt in the background every `rebuild_every` or when a quarter of its slots are dead.
//!
//! Catching up reads by the table's write stamp (`tickets.indexed_at`, `kb_articles.updated_at`, both the
//! writing transaction's `now()`): the ids and stamps written since the previous read less `overlap`
//! (both on the database's clock), then the lexemes of those not yet indexed in that version. The overlap
//! is there because a transaction's stamp is its start, not its commit: a row committed after the previous
//! read can carry a stamp older than it. A transaction longer than the overlap (a large import in one
//! transaction) can still be missed by catching up; the count check finds rows missing that way and the
//! rebuild reads them, and it also drops deleted rows, which catching up never sees.
//!
//! The window starts at the previous read, not at the newest stamp seen: after a bulk import (100,000 rows
//! stamped over a few seconds, then nothing) a window anchored on the newest stamp re-read a large share of
//! the import at every catch-up, and searches waited 50 to 100 ms for it (`docs/BENCHMARKS.md`).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::PgPool;
use tokio::sync::Mutex;

use super::postings::{Document, Postings};

/// When an index catches up, checks its count and rebuilds. [`Cadence::DEFAULT`] in the worker; tests shorten
/// it to see a rebuild happen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cadence {
    /// How stale an index may be when a search starts: the newest tickets of other workers become findable
    /// within this. Catching up costs an indexed read of the ids and stamps written in the last `overlap`
    /// and this, and one of the lexemes of those that are new.
    pub refresh_every: Duration,
    /// How far before the previous read catching up reads again (see the module docs).
    pub overlap: Duration,
    /// A full rebuild this often: reclaims dead slots, drops deleted rows, reads rows catching up missed.
    pub rebuild_every: Duration,
    /// Rebuilt early when this share of the slots is dead (documents written again).
    pub dead_share: f64,
    /// How often the table's row count is compared with the index's (a scan of the tenant's rows).
    pub count_every: Duration,
}

impl Cadence {
    pub const DEFAULT: Cadence = Cadence {
        refresh_every: Duration::from_millis(500),
        overlap: Duration::from_secs(5),
        rebuild_every: Duration::from_secs(600),
        dead_share: 0.25,
        count_every: Duration::from_secs(30),
    };
}

/// Which table an index mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Tickets,
    Articles,
}

/// A row as the loading queries return it.
#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    stamp: DateTime<Utc>,
    resolved: bool,
    /// The `search` vector as text, parsed by [`super::tsvector`].
    search: String,
}

impl Kind {
    /// Every row of the tenant (`$1`), or those named (`$2`, when not null).
    fn rows_sql(self) -> &'static str {
        match self {
            Kind::Tickets => {
                "SELECT ticket_id AS id, indexed_at AS stamp, coalesce(btrim(resolution), '') <> '' AS resolved, \
                 search::text AS search FROM tickets WHERE tenant_id = $1 AND ($2::text[] IS NULL OR ticket_id = ANY($2))"
            }
            Kind::Articles => {
                "SELECT article_id AS id, updated_at AS stamp, false AS resolved, search::text AS search \
                 FROM kb_articles WHERE tenant_id = $1 AND ($2::text[] IS NULL OR article_id = ANY($2))"
            }
        }
    }

    /// Ids and stamps written at or after `$2` (served by `tickets_tenant_indexed_idx` for tickets; a
    /// knowledge base has hundreds of rows).
    /// One row even when nothing was written (an aggregate without `GROUP BY`): the database's time of the
    /// read, for the next window, and the ids and stamps written in the window. With `count`, also the
    /// number of the tenant's rows in the same snapshot (a scan of them all, hence only every
    /// `count_every`): the index must hold exactly that many once the window is applied. Counted apart,
    /// rows written between the count and the catch-up made the two differ under a steady flow of writes,
    /// and every check rebuilt the index.
    fn written_since_sql(self, count: bool) -> &'static str {
        match (self, count) {
            (Kind::Tickets, false) => {
                "SELECT now() AS read_at, array_agg(ticket_id) AS ids, array_agg(indexed_at) AS stamps, \
                 NULL::int8 AS rows FROM tickets WHERE tenant_id = $1 AND indexed_at >= $2"
            }
            (Kind::Tickets, true) => {
                "SELECT now() AS read_at, array_agg(ticket_id) FILTER (WHERE indexed_at >= $2) AS ids, \
                 array_agg(indexed_at) FILTER (WHERE indexed_at >= $2) AS stamps, count(*) AS rows \
                 FROM tickets WHERE tenant_id = $1"
            }
            (Kind::Articles, false) => {
                "SELECT now() AS read_at, array_agg(article_id) AS ids, array_agg(updated_at) AS stamps, \
                 NULL::int8 AS rows FROM kb_articles WHERE tenant_id = $1 AND updated_at >= $2"
            }
            (Kind::Articles, true) => {
                "SELECT now() AS read_at, array_agg(article_id) FILTER (WHERE updated_at >= $2) AS ids, \
                 array_agg(updated_at) FILTER (WHERE updated_at >= $2) AS stamps, count(*) AS rows \
                 FROM kb_articles WHERE tenant_id = $1"
            }
        }
    }
}

/// What a catch-up read returns: when it read, and the ids and stamps written in its window.
#[derive(sqlx::FromRow)]
struct Written {
    read_at: DateTime<Utc>,
    ids: Option<Vec<String>>,
    stamps: Option<Vec<DateTime<Utc>>>,
    rows: Option<i64>,
}

/// What only the task bringing the index up to date touches.
#[derive(Debug)]
struct Freshness {
    loaded: bool,
    /// The database's time when the previous read (load or catch-up) started.
    read_at: DateTime<Utc>,
    refreshed: Instant,
    rebuilt: Instant,
    counted: Instant,
}

/// A tenant's index of one kind. Searches read it under a shared lock held only while scoring (no await);
/// bringing it up to date is serialized by `freshness`, and reads PostgreSQL without holding the lock.
#[derive(Debug)]
pub struct LiveIndex {
    kind: Kind,
    tenant: String,
    cadence: Cadence,
    /// Full loads after the first (rebuilds), for the metrics.
    rebuilds: AtomicU64,
    postings: RwLock<Postings>,
    /// Set once the first load is in: from then on a search never waits for `freshness`.
    loaded: AtomicBool,
    freshness: Arc<Mutex<Freshness>>,
}

impl LiveIndex {
    pub fn new(kind: Kind, tenant: &str, cadence: Cadence) -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            kind,
            tenant: tenant.to_owned(),
            cadence,
            rebuilds: AtomicU64::new(0),
            postings: RwLock::new(Postings::default()),
            loaded: AtomicBool::new(false),
            freshness: Arc::new(Mutex::new(Freshness {
                loaded: false,
                read_at: DateTime::<Utc>::UNIX_EPOCH,
                refreshed: now,
                rebuilt: now,
                counted: now,
            })),
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Rebuilds so far (full loads after the first).
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    /// Documents indexed now (dead slots not counted).
    pub fn documents(&self) -> usize {
        self.postings.read().unwrap_or_else(std::sync::PoisonError::into_inner).documents()
    }

    /// Runs `read` on the index, brought up to date first: loaded in full when this is its first use (every
    /// search of the tenant waits for that load), else caught up when older than `refresh_every` by
    /// whichever search finds it so (the others read it as it is meanwhile).
    pub async fn read<T>(self: &Arc<Self>, pool: &PgPool, read: impl FnOnce(&Postings) -> T) -> Result<T, sqlx::Error> {
        self.bring_up_to_date(pool).await?;
        let postings = self.postings.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(read(&postings))
    }

    async fn bring_up_to_date(self: &Arc<Self>, pool: &PgPool) -> Result<(), sqlx::Error> {
        let mut freshness = match self.freshness.clone().try_lock_owned() {
            Ok(freshness) => freshness,
            // Someone else is catching up or rebuilding: read the index as it is.
            Err(_) if self.loaded.load(Ordering::Acquire) => return Ok(()),
            // Someone else is loading it: wait, there is nothing to read yet.
            Err(_) => self.freshness.clone().lock_owned().await,
        };
        if !freshness.loaded {
            // In a task of its own, holding `freshness`: a search cancelled by its stage's time limit while
            // waiting leaves the load running for the next one, where a load inside the search would start
            // over with every search and never finish on a corpus that takes longer than the limit.
            let index = Arc::clone(self);
            let pool = pool.clone();
            let loading = tokio::spawn(async move {
                let (postings, read_at) = load(&pool, index.kind, &index.tenant).await?;
                *index.postings.write().unwrap_or_else(std::sync::PoisonError::into_inner) = postings;
                let now = Instant::now();
                *freshness = Freshness { loaded: true, read_at, refreshed: now, rebuilt: now, counted: now };
                index.loaded.store(true, Ordering::Release);
                Ok(())
            });
            return loading.await.unwrap_or(Err(sqlx::Error::WorkerCrashed));
        }
        let cadence = self.cadence;
        if freshness.refreshed.elapsed() < cadence.refresh_every {
            return Ok(());
        }
        let count = freshness.counted.elapsed() >= cadence.count_every;
        let rows = self.catch_up(pool, &mut freshness, count).await?;
        freshness.refreshed = Instant::now();
        let postings = self.postings.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (dead, indexed) = (postings.dead_share(), postings.documents());
        drop(postings);
        let mut stale = freshness.rebuilt.elapsed() >= cadence.rebuild_every || dead >= cadence.dead_share;
        if let Some(rows) = rows {
            freshness.counted = Instant::now();
            stale |= usize::try_from(rows).ok() != Some(indexed);
        }
        if stale {
            // In the background, holding `freshness` so nothing catches up meanwhile: a rebuild of a large
            // corpus takes seconds, which no search should wait for.
            let index = Arc::clone(self);
            let pool = pool.clone();
            tokio::spawn(async move {
                match load(&pool, index.kind, &index.tenant).await {
                    Ok((postings, read_at)) => {
                        *index.postings.write().unwrap_or_else(std::sync::PoisonError::into_inner) = postings;
                        index.rebuilds.fetch_add(1, Ordering::Relaxed);
                        freshness.read_at = read_at.max(freshness.read_at);
                        freshness.rebuilt = Instant::now();
                        freshness.counted = Instant::now();
                    }
                    // Kept as it is; the next search past `refresh_every` tries again.
                    Err(err) => tracing::warn!(tenant = %index.tenant, error = %err, "search index rebuild failed"),
                }
            });
        }
        Ok(())
    }

    /// Reads what was written since the previous read (less `overlap`) and indexes the new versions; with
    /// `count`, the tenant's row count in the same snapshot.
    async fn catch_up(
        &self,
        pool: &PgPool,
        freshness: &mut Freshness,
        count: bool,
    ) -> Result<Option<i64>, sqlx::Error> {
        let since = freshness.read_at - chrono::Duration::from_std(self.cadence.overlap).unwrap_or_default();
        let read: Written =
            sqlx::query_as(self.kind.written_since_sql(count)).bind(&self.tenant).bind(since).fetch_one(pool).await?;
        let written: Vec<(String, DateTime<Utc>)> =
            read.ids.unwrap_or_default().into_iter().zip(read.stamps.unwrap_or_default()).collect();
        let changed: Vec<String> = {
            let postings = self.postings.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            written
                .iter()
                .filter(|(id, stamp)| postings.stamp(id) != Some(stamp.timestamp_micros()))
                .map(|(id, _)| id.clone())
                .collect()
        };
        // The window moves on only once what it found is in the index: a catch-up that fails or is cancelled
        // half way (its search's time limit) leaves the next one the same window.
        if changed.is_empty() {
            freshness.read_at = read.read_at;
            return Ok(read.rows);
        }
        let rows: Vec<Row> =
            sqlx::query_as(self.kind.rows_sql()).bind(&self.tenant).bind(Some(&changed)).fetch_all(pool).await?;
        let mut postings = self.postings.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        for row in rows {
            postings.insert(document(row));
        }
        freshness.read_at = read.read_at;
        Ok(read.rows)
    }
}

/// Every row of the tenant, streamed into a new index, and the database's time just before the read.
async fn load(pool: &PgPool, kind: Kind, tenant: &str) -> Result<(Postings, DateTime<Utc>), sqlx::Error> {
    let mut postings = Postings::default();
    // Taken before the loading statement's snapshot: a row committed between the two is read by both.
    let read_at: DateTime<Utc> = sqlx::query_scalar("SELECT now()").fetch_one(pool).await?;
    let mut rows = sqlx::query_as::<_, Row>(kind.rows_sql()).bind(tenant).bind(None::<Vec<String>>).fetch(pool);
    while let Some(row) = rows.try_next().await? {
        postings.insert(document(row));
    }
    postings.shrink();
    Ok((postings, read_at))
}

fn document(row: Row) -> Document {
    Document {
        id: row.id,
        stamp: row.stamp.timestamp_micros(),
        resolved: row.resolved,
        lexemes: super::tsvector::lexemes(&row.search),
    }
}
