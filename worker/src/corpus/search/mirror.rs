//! A worker's in-memory copy of one tenant's rows of one table, kept in step with it: loaded in full on first
//! use, then brought up to date before a read by reading what was written since (at most every
//! `refresh_every` of its [`Cadence`]), and rebuilt in the background every `rebuild_every`, when a quarter of
//! its slots are dead, or when its count differs from the table's. The word indexes (`super::index`) and the
//! nearest-neighbour indexes of the stored embeddings (`super::semantic`) are both such copies; a [`Table`]
//! says what they read, their [`Contents`] what they keep.
//!
//! Catching up reads by the table's write stamp (`tickets.indexed_at`, `kb_articles.updated_at`,
//! `*_embeddings.embedded_at`, each the writing transaction's `now()`): the ids and stamps written since the
//! previous read less `overlap` (both on the database's clock), then the rows of those not yet held in that
//! version. The overlap is there because a transaction's stamp is its start, not its commit: a row committed
//! after the previous read can carry a stamp older than it. A transaction longer than the overlap (a large
//! import in one transaction) can still be missed by catching up; the count check finds rows missing that
//! way and the rebuild reads them, and it also drops deleted rows, which catching up never sees.
//!
//! The window starts at the previous read, not at the newest stamp seen: after a bulk import (100,000 rows
//! stamped over a few seconds, then nothing) a window anchored on the newest stamp re-read a large share of
//! the import at every catch-up, and searches waited 50 to 100 ms for it (`docs/BENCHMARKS.md`).

use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryAs;
use sqlx::{PgPool, Postgres};
use tokio::sync::Mutex;

/// When a copy catches up, checks its count and rebuilds. [`Cadence::DEFAULT`] in the worker; tests shorten
/// it to see a rebuild happen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cadence {
    /// How stale a copy may be when a search starts: the newest tickets of other workers become findable
    /// within this. Catching up costs an indexed read of the ids and stamps written in the last `overlap`
    /// and this, and one of the rows of those that are new.
    pub refresh_every: Duration,
    /// How far before the previous read catching up reads again (see the module docs).
    pub overlap: Duration,
    /// A full rebuild this often: reclaims dead slots, drops deleted rows, reads rows catching up missed.
    pub rebuild_every: Duration,
    /// Rebuilt early when this share of the slots is dead (documents written again).
    pub dead_share: f64,
    /// How often the table's row count is compared with the copy's (a scan of the tenant's rows).
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

/// What a copy keeps of its rows, each with its id and write stamp.
pub trait Contents: Default + Debug + Send + Sync + 'static {
    /// A row as [`Table::rows`] returns it.
    type Row: for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin + 'static;

    /// Adds `row`, replacing an earlier version of the same document.
    fn insert(&mut self, row: Self::Row);

    /// The write stamp (microseconds) of the version of `id` held, if any.
    fn stamp(&self, id: &str) -> Option<i64>;

    /// Documents held (dead slots not counted).
    fn documents(&self) -> usize;

    /// The share of slots that are dead (documents written again), which a rebuild reclaims.
    fn dead_share(&self) -> f64 {
        0.0
    }

    /// Frees spare capacity, once a full load is in.
    fn shrink(&mut self) {}
}

/// The statements a copy reads its table with, bound to one tenant (and whatever else selects its rows).
pub trait Table: Debug + Send + Sync + 'static {
    type Contents: Contents;

    /// The tenant's rows named in `ids`, or all of them with `None`.
    fn rows<'q>(
        &'q self,
        ids: Option<&'q Vec<String>>,
    ) -> QueryAs<'q, Postgres, <Self::Contents as Contents>::Row, PgArguments>;

    /// One row even when nothing was written (an aggregate without `GROUP BY`): the database's time of the
    /// read, for the next window, and the ids and stamps written at or after `since`. With `count`, also the
    /// number of the tenant's rows in the same snapshot (a scan of them all, hence only every `count_every`):
    /// the copy must hold exactly that many once the window is applied. Counted apart, rows written between
    /// the count and the catch-up made the two differ under a steady flow of writes, and every check rebuilt.
    fn written_since(&self, since: DateTime<Utc>, count: bool) -> QueryAs<'_, Postgres, Written, PgArguments>;

    /// Whether the count check applies: false where the copy may rightly hold fewer documents than the
    /// table has rows.
    fn counted(&self) -> bool {
        true
    }

    /// The tenant, for the logs.
    fn tenant(&self) -> &str;
}

/// What a catch-up read returns: when it read, and the ids and stamps written in its window.
#[derive(sqlx::FromRow)]
pub struct Written {
    read_at: DateTime<Utc>,
    ids: Option<Vec<String>>,
    stamps: Option<Vec<DateTime<Utc>>>,
    rows: Option<i64>,
}

/// What only the task bringing the copy up to date touches.
#[derive(Debug)]
struct Freshness {
    loaded: bool,
    /// The database's time when the previous read (load or catch-up) started.
    read_at: DateTime<Utc>,
    refreshed: Instant,
    rebuilt: Instant,
    counted: Instant,
}

/// One tenant's copy of one table. Searches read it under a shared lock held only while they run (no
/// await); bringing it up to date is serialized by `freshness`, and reads PostgreSQL without holding the lock.
#[derive(Debug)]
pub struct Mirror<T: Table> {
    table: T,
    cadence: Cadence,
    /// Full loads after the first (rebuilds), for the metrics.
    rebuilds: AtomicU64,
    contents: RwLock<T::Contents>,
    /// Set once the first load is in: from then on a search never waits for `freshness`.
    loaded: AtomicBool,
    freshness: Arc<Mutex<Freshness>>,
}

impl<T: Table> Mirror<T> {
    pub fn new(table: T, cadence: Cadence) -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            table,
            cadence,
            rebuilds: AtomicU64::new(0),
            contents: RwLock::default(),
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

    pub fn table(&self) -> &T {
        &self.table
    }

    /// Rebuilds so far (full loads after the first).
    pub fn rebuilds(&self) -> u64 {
        self.rebuilds.load(Ordering::Relaxed)
    }

    /// Documents held now (dead slots not counted).
    pub fn documents(&self) -> usize {
        self.contents.read().unwrap_or_else(PoisonError::into_inner).documents()
    }

    /// Runs `read` on the contents, brought up to date first: loaded in full when this is the first use
    /// (every search of the tenant waits for that load), else caught up when older than `refresh_every` by
    /// whichever search finds it so (the others read it as it is meanwhile).
    pub async fn read<R>(
        self: &Arc<Self>,
        pool: &PgPool,
        read: impl FnOnce(&T::Contents) -> R,
    ) -> Result<R, sqlx::Error> {
        self.bring_up_to_date(pool).await?;
        let contents = self.contents.read().unwrap_or_else(PoisonError::into_inner);
        Ok(read(&contents))
    }

    async fn bring_up_to_date(self: &Arc<Self>, pool: &PgPool) -> Result<(), sqlx::Error> {
        let mut freshness = match self.freshness.clone().try_lock_owned() {
            Ok(freshness) => freshness,
            // Someone else is catching up or rebuilding: read the copy as it is.
            Err(_) if self.loaded.load(Ordering::Acquire) => return Ok(()),
            // Someone else is loading it: wait, there is nothing to read yet.
            Err(_) => self.freshness.clone().lock_owned().await,
        };
        if !freshness.loaded {
            // In a task of its own, holding `freshness`: a search cancelled by its stage's time limit while
            // waiting leaves the load running for the next one, where a load inside the search would start
            // over with every search and never finish on a corpus that takes longer than the limit.
            let mirror = Arc::clone(self);
            let pool = pool.clone();
            let loading = tokio::spawn(async move {
                let (contents, read_at) = load(&pool, &mirror.table).await?;
                *mirror.contents.write().unwrap_or_else(PoisonError::into_inner) = contents;
                let now = Instant::now();
                *freshness = Freshness { loaded: true, read_at, refreshed: now, rebuilt: now, counted: now };
                mirror.loaded.store(true, Ordering::Release);
                Ok(())
            });
            return loading.await.unwrap_or(Err(sqlx::Error::WorkerCrashed));
        }
        let cadence = self.cadence;
        if freshness.refreshed.elapsed() < cadence.refresh_every {
            return Ok(());
        }
        let count = self.table.counted() && freshness.counted.elapsed() >= cadence.count_every;
        let rows = self.catch_up(pool, &mut freshness, count).await?;
        freshness.refreshed = Instant::now();
        let contents = self.contents.read().unwrap_or_else(PoisonError::into_inner);
        let (dead, held) = (contents.dead_share(), contents.documents());
        drop(contents);
        let mut stale = freshness.rebuilt.elapsed() >= cadence.rebuild_every || dead >= cadence.dead_share;
        if let Some(rows) = rows {
            freshness.counted = Instant::now();
            stale |= usize::try_from(rows).ok() != Some(held);
        }
        if stale {
            // In the background, holding `freshness` so nothing catches up meanwhile: a rebuild of a large
            // corpus takes seconds, which no search should wait for.
            let mirror = Arc::clone(self);
            let pool = pool.clone();
            tokio::spawn(async move {
                match load(&pool, &mirror.table).await {
                    Ok((contents, read_at)) => {
                        *mirror.contents.write().unwrap_or_else(PoisonError::into_inner) = contents;
                        mirror.rebuilds.fetch_add(1, Ordering::Relaxed);
                        freshness.read_at = read_at.max(freshness.read_at);
                        freshness.rebuilt = Instant::now();
                        freshness.counted = Instant::now();
                    }
                    // Kept as it is; the next search past `rebuild_every` tries again.
                    Err(err) => {
                        let (tenant, table) = (mirror.table.tenant(), &mirror.table);
                        tracing::warn!(tenant, ?table, error = %err, "search index rebuild failed");
                    }
                }
            });
        }
        Ok(())
    }

    /// Reads what was written since the previous read (less `overlap`) and takes in the new versions; with
    /// `count`, the tenant's row count in the same snapshot.
    async fn catch_up(
        &self,
        pool: &PgPool,
        freshness: &mut Freshness,
        count: bool,
    ) -> Result<Option<i64>, sqlx::Error> {
        let since = freshness.read_at - chrono::Duration::from_std(self.cadence.overlap).unwrap_or_default();
        let read = self.table.written_since(since, count).fetch_one(pool).await?;
        let changed: Vec<String> = {
            let contents = self.contents.read().unwrap_or_else(PoisonError::into_inner);
            read.ids
                .unwrap_or_default()
                .into_iter()
                .zip(read.stamps.unwrap_or_default())
                .filter(|(id, stamp)| contents.stamp(id) != Some(stamp.timestamp_micros()))
                .map(|(id, _)| id)
                .collect()
        };
        // The window moves on only once what it found is in the copy: a catch-up that fails or is cancelled
        // half way (its search's time limit) leaves the next one the same window.
        if !changed.is_empty() {
            let rows = self.table.rows(Some(&changed)).fetch_all(pool).await?;
            let mut contents = self.contents.write().unwrap_or_else(PoisonError::into_inner);
            for row in rows {
                contents.insert(row);
            }
        }
        freshness.read_at = read.read_at;
        Ok(read.rows)
    }
}

/// Every row of the tenant, streamed into new contents, and the database's time just before the read.
async fn load<T: Table>(pool: &PgPool, table: &T) -> Result<(T::Contents, DateTime<Utc>), sqlx::Error> {
    let mut contents = T::Contents::default();
    // Taken before the loading statement's snapshot: a row committed between the two is read by both.
    let read_at: DateTime<Utc> = sqlx::query_scalar("SELECT now()").fetch_one(pool).await?;
    let mut rows = table.rows(None).fetch(pool);
    while let Some(row) = rows.try_next().await? {
        contents.insert(row);
    }
    contents.shrink();
    Ok((contents, read_at))
}
