//! IP cross-reference: the tenant's assets whose address or network contains an address from the ticket
//! (or lies inside a network the ticket names), and other tickets that mention the same addresses.
//!
//! Both are SQL functions (`migrations/20261203000001_note_context_lookups.sql`) that run on generic plans:
//! sent as they are, PostgreSQL planned the queries again at every call, which cost about as much as running
//! them. Runtime-checked queries (covered by `tests/it/assets.rs`). Addresses travel as `text[]` and are
//! cast to `inet` in SQL; anything that is not an address or network is dropped first, so a stray string can
//! never fail the whole query.

use enhancer_shared::ip_extract::IpMention;
use sqlx::PgPool;

use crate::context::{RelatedAsset, RelatedTicket};

/// How many assets one ticket can bring in: a ticket naming `10.0.0.0/8` must not list the whole inventory.
const MAX_ASSETS: i64 = 25;

/// Assets whose address or network contains any of `addresses` (text form, as extracted), and, for a
/// network in `addresses`, the assets inside it. Each asset appears once, with the first address (in the
/// ticket's order) that matched; for each address the most specific asset comes first.
pub async fn related_assets(
    pool: &PgPool,
    tenant: &str,
    addresses: &[String],
) -> Result<Vec<RelatedAsset>, sqlx::Error> {
    let addresses = valid(addresses);
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<AssetMatch> = sqlx::query_as(
        "SELECT matched, address, hostname, owner, location, criticality FROM related_assets($1, $2, $3)",
    )
    .bind(tenant)
    .bind(&addresses)
    .bind(MAX_ASSETS)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| RelatedAsset {
            matched: row.matched,
            address: row.address,
            hostname: row.hostname,
            owner: row.owner,
            location: row.location,
            criticality: row.criticality,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct AssetMatch {
    matched: String,
    address: String,
    hostname: Option<String>,
    owner: Option<String>,
    location: Option<String>,
    criticality: Option<String>,
}

/// Other tickets that mention any of `addresses` (the same address or network, exactly as normalized),
/// `exclude` (the ticket itself) left out, most recently indexed first.
pub async fn tickets_mentioning(
    pool: &PgPool,
    tenant: &str,
    addresses: &[String],
    exclude: &str,
    limit: usize,
) -> Result<Vec<RelatedTicket>, sqlx::Error> {
    let addresses = valid(addresses);
    if addresses.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let rows: Vec<(String, String, Option<String>, String)> =
        sqlx::query_as("SELECT ticket_id, subject, status, address FROM tickets_mentioning($1, $2, $3, $4)")
            .bind(tenant)
            .bind(&addresses)
            .bind(exclude)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(ticket_id, subject, status, address)| RelatedTicket { ticket_id, subject, status, address })
        .collect())
}

/// The addresses in normalized form, invalid ones dropped.
fn valid(addresses: &[String]) -> Vec<String> {
    addresses.iter().filter_map(|a| IpMention::parse(a)).map(|m| m.normalized()).collect()
}
