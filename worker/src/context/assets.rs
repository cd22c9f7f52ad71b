//! IP cross-reference: assets containing the ticket's addresses, and other tickets mentioning them
//! (in progress).

use sqlx::PgPool;

use super::{RelatedAsset, RelatedTicket};

/// Assets whose address or network contains any of `addresses` (text form, as extracted).
pub async fn related_assets(
    pool: &PgPool,
    tenant: &str,
    addresses: &[String],
) -> Result<Vec<RelatedAsset>, sqlx::Error> {
    let _ = (pool, tenant, addresses);
    Ok(Vec::new())
}

/// Other recent tickets that mention any of `addresses`, `exclude` (the ticket itself) left out.
pub async fn tickets_mentioning(
    pool: &PgPool,
    tenant: &str,
    addresses: &[String],
    exclude: &str,
    limit: usize,
) -> Result<Vec<RelatedTicket>, sqlx::Error> {
    let _ = (pool, tenant, addresses, exclude, limit);
    Ok(Vec::new())
}
