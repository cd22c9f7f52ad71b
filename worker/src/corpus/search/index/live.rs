//! One tenant's index of one kind, kept in step with its table: loaded in full on first use, then brought
//! up to date before a search by reading what was written since (at most every [`REFRESH_EVERY`]), and
//! rebuilt in the background every [`REBUILD_EVERY`] or when a quarter of its slots are dead.
//!
//! Catching up reads by the table's write stamp (`tickets.indexed_at`, `kb_articles.updated_at`, both the
//! writing transaction's `now()`): the ids and stamps written since the newest stamp seen less
//! [`OVERLAP`], then the lexemes of those not yet indexed in that version. The overlap is there because a
//! transaction's stamp is its start, not its commit: a row committed late carries a stamp older than rows
//! already read. A transaction longer than the overlap (a large import in one transaction) can still be
//! missed by catching up; the count check finds rows missing that way and the rebuild reads them, and it
//! also drops deleted rows, which catching up never sees.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use sqlx::PgPool;
use tokio::sync::Mutex;

use super::postings::{Document, Postings};

/// How stale an index may be when a search starts: the newest tickets of other workers become findable
/// within this. Catching up costs two indexed reads of the rows written in the last [`OVERLAP`].
pub const REFRESH_EVERY: Duration = Duration::from_millis(500);
/// How far before the newest stamp seen catching up reads again (see the module docs).
const OVERLAP: Duration = Duration::from_secs(5);
/// A full rebuild this often: reclaims dead slots, drops deleted rows, reads rows catching up missed.
const REBUILD_EVERY: Duration = Duration::from_secs(600);
/// Rebuilt early when this share of the slots is dead (documents written again).
const DEAD_SHARE: f64 = 0.25;
/// How often the table's row count is compared with the index's (one index-only count).
const COUNT_EVERY: Duration = Duration::from_secs(30);

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
    fn written_since_sql(self) -> &'static str {
        match self {
            Kind::Tickets => "SELECT ticket_id, indexed_at FROM tickets WHERE tenant_id = $1 AND indexed_at >= $2",
            Kind::Articles => {
                "SELECT article_id, updated_at FROM kb_articles WHERE tenant_id = $1 AND updated_at >= $2"
            }
        }
    }

    fn count_sql(self) -> &'static str {
        match self {
            Kind::Tickets => "SELECT count(*) FROM tickets WHERE tenant_id = $1",
            Kind::Articles => "SELECT count(*) FROM kb_articles WHERE tenant_id = $1",
        }
    }
}

/// What only the task bringing the index up to date touches.
#[derive(Debug)]
struct Freshness {
    loaded: bool,
    /// The newest stamp read.
    newest: Option<DateTime<Utc>>,
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
    postings: RwLock<Postings>,
    /// Set once the first load is in: from then on a search never waits for `freshness`.
    loaded: AtomicBool,
    freshness: Arc<Mutex<Freshness>>,
}

impl LiveIndex {
    pub fn new(kind: Kind, tenant: &str) -> Arc<Self> {
        let now = Instant::now();
        Arc::new(Self {
            kind,
            tenant: tenant.to_owned(),
            postings: RwLock::new(Postings::default()),
            loaded: AtomicBool::new(false),
            freshness: Arc::new(Mutex::new(Freshness {
                loaded: false,
                newest: None,
                refreshed: now,
                rebuilt: now,
                counted: now,
            })),
        })
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Documents indexed now (dead slots not counted).
    pub fn documents(&self) -> usize {
        self.postings.read().unwrap_or_else(std::sync::PoisonError::into_inner).documents()
    }

    /// Runs `read` on the index, brought up to date first: loaded in full when this is its first use (every
    /// search of the tenant waits for that load), else caught up when older than [`REFRESH_EVERY`] by
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
            let (postings, newest) = load(pool, self.kind, &self.tenant).await?;
            *self.postings.write().unwrap_or_else(std::sync::PoisonError::into_inner) = postings;
            let now = Instant::now();
            *freshness = Freshness { loaded: true, newest, refreshed: now, rebuilt: now, counted: now };
            self.loaded.store(true, Ordering::Release);
            return Ok(());
        }
        if freshness.refreshed.elapsed() < REFRESH_EVERY {
            return Ok(());
        }
        self.catch_up(pool, &mut freshness).await?;
        freshness.refreshed = Instant::now();
        let dead = self.postings.read().unwrap_or_else(std::sync::PoisonError::into_inner).dead_share();
        let mut stale = freshness.rebuilt.elapsed() >= REBUILD_EVERY || dead >= DEAD_SHARE;
        if !stale && freshness.counted.elapsed() >= COUNT_EVERY {
            freshness.counted = Instant::now();
            let rows: i64 = sqlx::query_scalar(self.kind.count_sql()).bind(&self.tenant).fetch_one(pool).await?;
            let indexed = self.postings.read().unwrap_or_else(std::sync::PoisonError::into_inner).documents();
            stale = usize::try_from(rows).ok() != Some(indexed);
        }
        if stale {
            // In the background, holding `freshness` so nothing catches up meanwhile: a rebuild of a large
            // corpus takes seconds, which no search should wait for.
            let index = Arc::clone(self);
            let pool = pool.clone();
            tokio::spawn(async move {
                match load(&pool, index.kind, &index.tenant).await {
                    Ok((postings, newest)) => {
                        *index.postings.write().unwrap_or_else(std::sync::PoisonError::into_inner) = postings;
                        freshness.newest = newest.max(freshness.newest);
                        freshness.rebuilt = Instant::now();
                        freshness.counted = Instant::now();
                    }
                    // Kept as it is; the next search past REFRESH_EVERY tries again.
                    Err(err) => tracing::warn!(tenant = %index.tenant, error = %err, "search index rebuild failed"),
                }
            });
        }
        Ok(())
    }

    /// Reads what was written since the newest stamp seen (less [`OVERLAP`]) and indexes the new versions.
    async fn catch_up(&self, pool: &PgPool, freshness: &mut Freshness) -> Result<(), sqlx::Error> {
        // Nothing read yet (an empty table): everything. The epoch, not chrono's minimum, which is outside
        // PostgreSQL's timestamp range and was refused.
        let since = freshness.newest.map_or(DateTime::<Utc>::UNIX_EPOCH, |newest| {
            newest - chrono::Duration::from_std(OVERLAP).unwrap_or_default()
        });
        let written: Vec<(String, DateTime<Utc>)> =
            sqlx::query_as(self.kind.written_since_sql()).bind(&self.tenant).bind(since).fetch_all(pool).await?;
        let changed: Vec<String> = {
            let postings = self.postings.read().unwrap_or_else(std::sync::PoisonError::into_inner);
            written
                .iter()
                .filter(|(id, stamp)| postings.stamp(id) != Some(stamp.timestamp_micros()))
                .map(|(id, _)| id.clone())
                .collect()
        };
        freshness.newest = written.iter().map(|(_, stamp)| *stamp).max().max(freshness.newest);
        if changed.is_empty() {
            return Ok(());
        }
        let rows: Vec<Row> =
            sqlx::query_as(self.kind.rows_sql()).bind(&self.tenant).bind(Some(&changed)).fetch_all(pool).await?;
        let mut postings = self.postings.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        for row in rows {
            postings.insert(document(row));
        }
        Ok(())
    }
}

/// Every row of the tenant, streamed into a new index, and the newest stamp read.
async fn load(pool: &PgPool, kind: Kind, tenant: &str) -> Result<(Postings, Option<DateTime<Utc>>), sqlx::Error> {
    let mut postings = Postings::default();
    let mut newest = None;
    let mut rows = sqlx::query_as::<_, Row>(kind.rows_sql()).bind(tenant).bind(None::<Vec<String>>).fetch(pool);
    while let Some(row) = rows.try_next().await? {
        newest = newest.max(Some(row.stamp));
        postings.insert(document(row));
    }
    postings.shrink();
    Ok((postings, newest))
}

fn document(row: Row) -> Document {
    Document {
        id: row.id,
        stamp: row.stamp.timestamp_micros(),
        resolved: row.resolved,
        lexemes: super::tsvector::lexemes(&row.search),
    }
}
