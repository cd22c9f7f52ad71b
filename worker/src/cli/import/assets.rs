//! Imported assets: a file's fields validated into an [`AssetRow`], a host or a network each; the id
//! defaults to the normalized address. The write is [`corpus::import::asset`](crate::corpus::import::asset).

use enhancer_shared::ip_extract::IpMention;

use crate::corpus::import::AssetRow;

use super::fields::Fields;

pub const FIELDS: &[&str] = &["asset_id", "address", "hostname", "owner", "location", "criticality", "description"];
pub const REQUIRED: &[&str] = &["address"];

const CRITICALITIES: &[&str] = &["critical", "high", "medium", "low"];

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
        criticality: fields.one_of("criticality", CRITICALITIES)?.map(str::parse).transpose()?,
        description: fields.owned("description"),
    })
}
