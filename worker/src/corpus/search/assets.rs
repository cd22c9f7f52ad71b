//! IP cross-reference: the tenant's assets whose address or network contains an address from the ticket
//! (or lies inside a network the ticket names), and other tickets that mention the same addresses.
//!
//! Runtime-checked queries (covered by `tests/it/assets.rs`). Addresses travel as `text[]` and are cast to
//! `inet` in SQL; anything that is not an address or network is dropped first, so a stray string can never
//! fail the whole query.

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
    // `abbrev` prints a host without `/32`, as the rest of the system writes it.
    let rows: Vec<AssetMatch> = sqlx::query_as(
        "SELECT matched, address, hostname, owner, location, criticality FROM ( \
             SELECT DISTINCT ON (a.asset_id) m.raw AS matched, abbrev(a.address) AS address, a.hostname, \
                    a.owner, a.location, a.criticality, m.ord, masklen(a.address) AS len \
             FROM unnest($2::text[]) WITH ORDINALITY AS m(raw, ord) \
             JOIN assets a ON a.tenant_id = $1 \
                 AND (m.raw::inet <<= a.address OR a.address <<= m.raw::inet) \
             ORDER BY a.asset_id, m.ord \
         ) found \
         ORDER BY ord, len DESC, address, hostname \
         LIMIT $3",
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

/// The query of [`tickets_mentioning`]: `$1` tenant, `$2` addresses (`text[]`, valid ones), `$3` the ticket
/// left out, `$4` the limit. Public so that `search-bench` can `EXPLAIN` it as it runs.
pub const TICKETS_MENTIONING: &str = "
SELECT t.ticket_id, t.subject, t.status,
       (SELECT m.raw FROM unnest($2::text[]) WITH ORDINALITY AS m(raw, ord)
        WHERE m.raw::inet = ANY (t.ip_addresses) ORDER BY m.ord LIMIT 1) AS address
FROM tickets t
-- `&&` over `inet[]` is what the GIN index on `tickets.ip_addresses` serves.
WHERE t.tenant_id = $1 AND t.ticket_id <> $3 AND t.ip_addresses && $2::text[]::inet[]
ORDER BY t.indexed_at DESC, t.ticket_id
LIMIT $4";

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
    let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(TICKETS_MENTIONING)
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
