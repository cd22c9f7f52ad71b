//! Imported assets: a host or a network each, upserted by `(tenant_id, asset_id)`; the id defaults to the
//! normalized address.

use enhancer_shared::ip_extract::IpMention;
use sqlx::PgPool;

use super::fields::Fields;

pub const FIELDS: &[&str] = &["asset_id", "address", "hostname", "owner", "location", "criticality", "description"];
pub const REQUIRED: &[&str] = &["address"];

const CRITICALITIES: &[&str] = &["critical", "high", "medium", "low"];

#[derive(Debug)]
pub struct AssetRow {
    pub asset_id: String,
    address: String,
    hostname: Option<String>,
    owner: Option<String>,
    location: Option<String>,
    criticality: Option<&'static str>,
    description: Option<String>,
}

pub fn validate(fields: &Fields) -> Result<AssetRow, String> {
    fields.check_known(FIELDS)?;
    let raw = fields.required("address")?;
    let Some(mention) = IpMention::parse(raw) else {
        return Err(format!("address must be an IPv4 or IPv6 address or CIDR network, not {raw:?}"));
    };
    // `10.0.0.7/24` could mean the host or its network; make the operator say which.
    if mention.has_host_bits() {
        return Err(format!(
            "address {raw} has host bits set: write {} for the host or {} for the network",
            mention.address,
            mention.normalized()
        ));
    }
    let address = mention.normalized();
    Ok(AssetRow {
        asset_id: if fields.text("asset_id").is_some() { fields.id("asset_id")? } else { address.clone() },
        address,
        hostname: fields.owned("hostname"),
        owner: fields.owned("owner"),
        location: fields.owned("location"),
        criticality: fields.one_of("criticality", CRITICALITIES)?,
        description: fields.owned("description"),
    })
}

/// True when the asset is new.
pub async fn upsert(pool: &PgPool, tenant: &str, row: &AssetRow) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO assets (tenant_id, asset_id, address, hostname, owner, location, criticality, description, \
                             updated_at) \
         VALUES ($1, $2, $3::inet, $4, $5, $6, $7, $8, now()) \
         ON CONFLICT (tenant_id, asset_id) DO UPDATE SET \
             address = EXCLUDED.address, hostname = EXCLUDED.hostname, owner = EXCLUDED.owner, \
             location = EXCLUDED.location, criticality = EXCLUDED.criticality, \
             description = EXCLUDED.description, updated_at = now() \
         RETURNING (xmax = 0)",
    )
    .bind(tenant)
    .bind(&row.asset_id)
    .bind(&row.address)
    .bind(&row.hostname)
    .bind(&row.owner)
    .bind(&row.location)
    .bind(row.criticality)
    .bind(&row.description)
    .fetch_one(pool)
    .await
}
