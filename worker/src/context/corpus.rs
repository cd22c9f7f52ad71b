//! The per-tenant ticket corpus: every processed ticket is upserted so the corpus grows by itself
//! (in progress).

use enhancer_shared::domain::Ticket;
use sqlx::PgPool;

/// Upserts the ticket with the addresses found in it. A resolution given later (an updated event) fills
/// in `resolution`; `None` keeps what is stored.
pub async fn index_ticket(
    pool: &PgPool,
    tenant: &str,
    ticket: &Ticket,
    addresses: &[String],
    resolution: Option<&str>,
) -> Result<(), sqlx::Error> {
    let _ = (pool, tenant, ticket, addresses, resolution);
    Ok(())
}
