//! The per-tenant ticket corpus: every processed ticket is upserted so the corpus grows by itself, and a
//! resolution that arrives later fills in the stored row.

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

/// On conflict the ticket's text, status, priority and addresses are replaced (the tool's current view
/// wins), while `resolution`, `url` and `opened_at` are kept when the new value is missing, and `source`
/// keeps where the row first came from (an imported ticket stays `import`). `resolved_at` is set when a
/// resolution first arrives.
pub(crate) const UPSERT: &str = "
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

/// Upserts the ticket with the addresses found in it (hosts or networks, as text; both stored as `inet`).
/// A resolution given later (an updated event) fills in `resolution`; `None` keeps what is stored.
pub async fn index_ticket(
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    addresses: &[String],
    resolution: Option<&str>,
) -> Result<(), sqlx::Error> {
    bind_ticket(sqlx::query(UPSERT), tenant, ticket, addresses, resolution).execute(pool).await?;
    Ok(())
}

/// Binds [`UPSERT`]'s parameters, in order, after any already bound.
pub(crate) fn bind_ticket<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    tenant: &'q str,
    ticket: &'q Ticket,
    addresses: &'q [String],
    resolution: Option<&'q str>,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let resolution = resolution.map(str::trim).filter(|r| !r.is_empty());
    query
        .bind(tenant)
        .bind(ticket.id.as_str())
        .bind(&ticket.subject)
        .bind(&ticket.description)
        .bind(resolution)
        .bind(ticket.status.as_deref())
        .bind(ticket.priority.as_str())
        .bind(addresses)
        .bind(ticket.url.as_deref())
        .bind(ticket.created_at)
}
