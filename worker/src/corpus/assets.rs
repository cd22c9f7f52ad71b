//! Writes to `assets`, the tenant's inventory of hosts and networks. Only the import writes it. Conflict rule
//! on `(tenant_id, asset_id)`: the file wins, every column replaced (a missing value clears it),
//! `updated_at` now.

use std::fmt;
use std::str::FromStr;

use sqlx::PgPool;

use super::Written;

const IMPORT_UPSERT: &str = "
INSERT INTO assets (tenant_id, asset_id, address, hostname, owner, location, criticality, description, updated_at)
VALUES ($1, $2, $3::inet, $4, $5, $6, $7, $8, now())
ON CONFLICT (tenant_id, asset_id) DO UPDATE SET
    address     = EXCLUDED.address,
    hostname    = EXCLUDED.hostname,
    owner       = EXCLUDED.owner,
    location    = EXCLUDED.location,
    criticality = EXCLUDED.criticality,
    description = EXCLUDED.description,
    updated_at  = now()
RETURNING (xmax = 0)";

/// An asset as an import gives it, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AssetRow {
    pub asset_id: String,
    /// A host (`10.0.0.5`) or a network (`10.0.0.0/24`), as PostgreSQL's `inet` reads it.
    pub address: String,
    pub hostname: Option<String>,
    pub owner: Option<String>,
    pub location: Option<String>,
    pub criticality: Option<Criticality>,
    pub description: Option<String>,
}

/// How much an outage of the asset matters; the four values the table accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criticality {
    Critical,
    High,
    Medium,
    Low,
}

impl Criticality {
    pub const ALL: [Criticality; 4] = [Criticality::Critical, Criticality::High, Criticality::Medium, Criticality::Low];

    pub fn as_str(self) -> &'static str {
        match self {
            Criticality::Critical => "critical",
            Criticality::High => "high",
            Criticality::Medium => "medium",
            Criticality::Low => "low",
        }
    }
}

impl fmt::Display for Criticality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Criticality {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Criticality::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown criticality {s:?}; expected critical, high, medium or low"))
    }
}

pub(super) async fn import(pool: &PgPool, tenant: &str, row: &AssetRow) -> Result<Written, sqlx::Error> {
    let new: bool = sqlx::query_scalar(IMPORT_UPSERT)
        .bind(tenant)
        .bind(&row.asset_id)
        .bind(&row.address)
        .bind(&row.hostname)
        .bind(&row.owner)
        .bind(&row.location)
        .bind(row.criticality.map(Criticality::as_str))
        .bind(&row.description)
        .fetch_one(pool)
        .await?;
    Ok(Written::from_new(new))
}
