//! What a tenant's word index reads of its table ([`super::super::mirror`] keeps it in step): the
//! `search` vectors of its past tickets or of its knowledge base, with their write stamps.

use chrono::{DateTime, Utc};
use sqlx::Postgres;
use sqlx::postgres::PgArguments;
use sqlx::query::QueryAs;

use super::postings::{Document, Postings};
use crate::corpus::search::mirror::{Contents, Mirror, Table, Written};

/// A tenant's word index of one kind.
pub type LiveIndex = Mirror<WordTable>;

/// Which table an index mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Tickets,
    Articles,
}

/// One tenant's table of one kind.
#[derive(Debug)]
pub struct WordTable {
    pub kind: Kind,
    pub tenant: String,
}

/// A row as the loading statements return it.
#[derive(sqlx::FromRow)]
pub struct Row {
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
    /// knowledge base has hundreds of rows), with the count of the tenant's rows when `count`
    /// ([`Table::written_since`]).
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

impl Table for WordTable {
    type Contents = Postings;

    fn rows<'q>(&'q self, ids: Option<&'q Vec<String>>) -> QueryAs<'q, Postgres, Row, PgArguments> {
        sqlx::query_as(self.kind.rows_sql()).bind(&self.tenant).bind(ids)
    }

    fn written_since(&self, since: DateTime<Utc>, count: bool) -> QueryAs<'_, Postgres, Written, PgArguments> {
        sqlx::query_as(self.kind.written_since_sql(count)).bind(&self.tenant).bind(since)
    }

    fn tenant(&self) -> &str {
        &self.tenant
    }
}

impl Contents for Postings {
    type Row = Row;

    fn insert(&mut self, row: Row) {
        Postings::insert(
            self,
            Document {
                id: row.id,
                stamp: row.stamp.timestamp_micros(),
                resolved: row.resolved,
                lexemes: super::tsvector::lexemes(&row.search),
            },
        );
    }

    fn stamp(&self, id: &str) -> Option<i64> {
        Postings::stamp(self, id)
    }

    fn documents(&self) -> usize {
        Postings::documents(self)
    }

    fn dead_share(&self) -> f64 {
        Postings::dead_share(self)
    }

    fn shrink(&mut self) {
        Postings::shrink(self);
    }
}
