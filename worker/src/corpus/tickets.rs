//! Writes to `tickets`, the per-tenant corpus of past tickets. Two writers share the key
//! `(tenant_id, ticket_id)`, each with one conflict rule, column by column:
//!
//! | column                                       | webhook ([`index_ticket`])          | import ([`import`])      |
//! |----------------------------------------------|-------------------------------------|--------------------------|
//! | subject, description, priority, ip_addresses | replaced                            | replaced                 |
//! | status, url, resolution                      | replaced; a missing one keeps it    | replaced; missing clears |
//! | resolved_at                                  | set when a resolution first arrives | the file's value         |
//! | opened_at                                    | the first value seen is kept        | the file's value         |
//! | source (`webhook` or `import` on insert)     | kept: where the row first came from | kept                     |
//! | indexed_at                                   | now                                 | now                      |
//!
//! Why they differ: an event carries a partial, current view (an "updated" event may lack the resolution the
//! corpus already has), so the webhook path never erases; an import is the operator stating what the row is,
//! so the file wins, blanks included. In both, `ip_addresses` are the addresses found in subject and
//! description (the whole text), and subject, description and resolution are stored clipped to the limits
//! of `limits.rs` (the generated `search` column must stay under PostgreSQL's tsvector cap).

use chrono::{DateTime, Utc};
use enhancer_shared::domain::{Priority, Ticket};
use enhancer_shared::ip_extract;
use sqlx::PgPool;

use super::{Written, limits};

/// The webhook upsert (see the module's table). Its parameters are `$1..=$10`, bound by [`bind_ticket`].
const WEBHOOK_UPSERT: &str = "
INSERT INTO tickets (tenant_id, ticket_id, subject, description, resolution, status, priority, ip_addresses,
                     url, source, opened_at, resolved_at, indexed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[]::inet[], $9, 'webhook', $10,
        CASE WHEN $5::text IS NULL THEN NULL ELSE now() END, now())
ON CONFLICT (tenant_id, ticket_id) DO UPDATE SET
    subject      = EXCLUDED.subject,
    description  = EXCLUDED.description,
    resolution   = COALESCE(EXCLUDED.resolution, tickets.resolution),
    resolved_at  = CASE WHEN EXCLUDED.resolution IS NOT NULL AND tickets.resolution IS NULL THEN now()
                        ELSE tickets.resolved_at END,
    status       = COALESCE(EXCLUDED.status, tickets.status),
    priority     = EXCLUDED.priority,
    ip_addresses = EXCLUDED.ip_addresses,
    url          = COALESCE(EXCLUDED.url, tickets.url),
    opened_at    = COALESCE(tickets.opened_at, EXCLUDED.opened_at),
    indexed_at   = now()";

/// The import's conflict rule (the module's table: the file wins, blanks included), shared by the one-row
/// and the many-row upserts; `indexed_at` is the one difference. True in the result when the row is new.
macro_rules! import_conflict_rule {
    ($indexed_at:literal) => {
        concat!(
            "
ON CONFLICT (tenant_id, ticket_id) DO UPDATE SET
    subject      = EXCLUDED.subject,
    description  = EXCLUDED.description,
    resolution   = EXCLUDED.resolution,
    status       = EXCLUDED.status,
    priority     = EXCLUDED.priority,
    ip_addresses = EXCLUDED.ip_addresses,
    url          = EXCLUDED.url,
    opened_at    = EXCLUDED.opened_at,
    resolved_at  = EXCLUDED.resolved_at,
    indexed_at   = ",
            $indexed_at,
            "
RETURNING (xmax = 0)"
        )
    };
}

/// The import upsert (see the module's table). True in the result when the row is new.
const IMPORT_UPSERT: &str = concat!(
    "
INSERT INTO tickets (tenant_id, ticket_id, subject, description, resolution, status, priority, ip_addresses,
                     url, source, opened_at, resolved_at, indexed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[]::inet[], $9, 'import', $10, $11, now())
",
    import_conflict_rule!("now()")
);

/// Upserts a processed ticket with the addresses found in it (hosts or networks, as text; both stored as
/// `inet`). A resolution given later (an updated event) fills in `resolution`; `None` keeps what is stored.
pub async fn index_ticket(
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    addresses: &[String],
    resolution: Option<&str>,
) -> Result<(), sqlx::Error> {
    bind_ticket(sqlx::query(WEBHOOK_UPSERT), tenant, ticket, addresses, resolution).execute(pool).await?;
    Ok(())
}

/// `WITH earlier AS (<before>) <webhook upsert>`: another write and the upsert as one statement, so both
/// commit or fail together in one round trip (a data-modifying CTE runs whether or not the outer statement
/// reads it). `before` takes `$1..=$before_params`; the upsert's placeholders are shifted past them, so bind
/// `before`'s parameters first, then [`bind_ticket`].
pub(crate) fn webhook_upsert_after(before: &str, before_params: usize) -> String {
    format!("WITH earlier AS ({before}) {}", shift_placeholders(WEBHOOK_UPSERT, before_params))
}

/// Binds the webhook upsert's parameters, in order, after any already bound.
pub(crate) fn bind_ticket<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    tenant: &'q str,
    ticket: &'q Ticket,
    addresses: &'q [String],
    resolution: Option<&'q str>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let resolution = resolution.map(str::trim).filter(|r| !r.is_empty()).map(limits::body);
    query
        .bind(tenant)
        .bind(ticket.id.as_str())
        .bind(limits::title(&ticket.subject))
        .bind(limits::body(&ticket.description))
        .bind(resolution)
        .bind(ticket.status.as_deref())
        .bind(ticket.priority.as_str())
        .bind(addresses)
        .bind(ticket.url.as_deref())
        .bind(ticket.created_at)
}

/// A past ticket as an import gives it, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TicketRow {
    pub ticket_id: String,
    pub subject: String,
    pub description: String,
    pub resolution: Option<String>,
    pub status: Option<String>,
    pub priority: Option<Priority>,
    pub opened_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub url: Option<String>,
}

/// Upserts an imported ticket, the addresses in its subject and description found here: one statement, so
/// the row is written whole or not at all.
pub(super) async fn import(pool: &PgPool, tenant: &str, row: &TicketRow) -> Result<Written, sqlx::Error> {
    let addresses = ip_extract::extract(&format!("{}\n{}", row.subject, row.description));
    let new: bool = sqlx::query_scalar(IMPORT_UPSERT)
        .bind(tenant)
        .bind(&row.ticket_id)
        .bind(limits::title(&row.subject))
        .bind(limits::body(&row.description))
        .bind(row.resolution.as_deref().map(limits::body))
        .bind(&row.status)
        .bind(row.priority.map(Priority::as_str))
        .bind(&addresses)
        .bind(&row.url)
        .bind(row.opened_at)
        .bind(row.resolved_at)
        .fetch_one(pool)
        .await?;
    Ok(Written::from_new(new))
}

/// The import upsert for many rows at once: the same conflict rule as [`IMPORT_UPSERT`], the rows passed as
/// one array per column and unnested. `indexed_at` is `clock_timestamp()`, not `now()`: rows written by one
/// statement keep the order they were given in, which is what "the most recent tickets" reads.
const IMPORT_UPSERT_MANY: &str = concat!(
    "
INSERT INTO tickets (tenant_id, ticket_id, subject, description, resolution, status, priority, ip_addresses,
                     url, source, opened_at, resolved_at, indexed_at)
SELECT $1, r.ticket_id, r.subject, r.description, r.resolution, r.status, r.priority,
       r.addresses::text[]::inet[], r.url, 'import', r.opened_at, r.resolved_at, clock_timestamp()
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
            $10::timestamptz[], $11::timestamptz[])
     WITH ORDINALITY AS r(ticket_id, subject, description, resolution, status, priority, addresses, url,
                          opened_at, resolved_at, ord)
ORDER BY r.ord
",
    import_conflict_rule!("clock_timestamp()")
);

/// Upserts `rows` with one statement: all are written or none. A ticket id may appear only once in `rows`
/// (PostgreSQL refuses to update one row twice in a statement). Addresses travel as one `{a,b}` array
/// literal per row, as PostgreSQL has no array of arrays of varying length.
pub(super) async fn import_many(pool: &PgPool, tenant: &str, rows: &[TicketRow]) -> Result<Vec<Written>, sqlx::Error> {
    let mut columns = ManyColumns::default();
    for row in rows {
        let addresses = ip_extract::extract(&format!("{}\n{}", row.subject, row.description));
        columns.ticket_id.push(row.ticket_id.as_str());
        columns.subject.push(limits::title(&row.subject));
        columns.description.push(limits::body(&row.description));
        columns.resolution.push(row.resolution.as_deref().map(limits::body));
        columns.status.push(row.status.as_deref());
        columns.priority.push(row.priority.map(Priority::as_str));
        // Extracted addresses are digits, dots, colons and a slash: nothing to quote in an array literal.
        columns.addresses.push(format!("{{{}}}", addresses.join(",")));
        columns.url.push(row.url.as_deref());
        columns.opened_at.push(row.opened_at);
        columns.resolved_at.push(row.resolved_at);
    }
    let new: Vec<bool> = sqlx::query_scalar(IMPORT_UPSERT_MANY)
        .bind(tenant)
        .bind(&columns.ticket_id)
        .bind(&columns.subject)
        .bind(&columns.description)
        .bind(&columns.resolution)
        .bind(&columns.status)
        .bind(&columns.priority)
        .bind(&columns.addresses)
        .bind(&columns.url)
        .bind(&columns.opened_at)
        .bind(&columns.resolved_at)
        .fetch_all(pool)
        .await?;
    Ok(new.into_iter().map(Written::from_new).collect())
}

#[derive(Default)]
struct ManyColumns<'a> {
    ticket_id: Vec<&'a str>,
    subject: Vec<&'a str>,
    description: Vec<&'a str>,
    resolution: Vec<Option<&'a str>>,
    status: Vec<Option<&'a str>>,
    priority: Vec<Option<&'static str>>,
    addresses: Vec<String>,
    url: Vec<Option<&'a str>>,
    opened_at: Vec<Option<DateTime<Utc>>>,
    resolved_at: Vec<Option<DateTime<Utc>>>,
}

/// `$1` becomes `$(1 + by)`, and so on for every placeholder; the statements involved hold no `$` inside
/// string literals.
fn shift_placeholders(sql: &str, by: usize) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut chars = sql.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c != '$' {
            continue;
        }
        let mut digits = String::new();
        while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
            digits.push(d);
            chars.next();
        }
        if let Ok(n) = digits.parse::<usize>() {
            out.push_str(&(n + by).to_string());
        } else {
            out.push_str(&digits);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_shifted_and_casts_kept() {
        assert_eq!(shift_placeholders("VALUES ($1, $10::text[], $2)", 8), "VALUES ($9, $18::text[], $10)");
        assert_eq!(shift_placeholders("no params", 8), "no params");
    }

    #[test]
    fn the_combined_statement_numbers_every_parameter_once() {
        let before = "UPDATE t SET a = $2, b = $3 WHERE id = $1";
        let sql = webhook_upsert_after(before, 3);
        for n in 1..=3 + 10 {
            assert!(sql.contains(&format!("${n}")), "${n} missing from {sql}");
        }
        assert!(!sql.contains("$14"));
    }
}
