//! IPv4 and IPv6 addresses and CIDR networks mentioned in free text: with ports (`10.0.0.5:8080`), in URLs
//! (`https://10.0.0.5/x`, `http://[2001:db8::1]:80/`), in brackets, parentheses or quotes, or followed by
//! punctuation. Version strings (`v1.2.3.4`, `1.2.3.4.5`), out-of-range octets (`300.1.1.1`) and anything
//! `std::net` refuses (leading zeros such as `010.0.0.1`) are left out.
//!
//! Every address is normalized to its `std::net` display form. A network keeps its prefix and loses its host
//! bits (`10.0.0.7/24` becomes `10.0.0.0/24`): what the ticket points at is the network, and that is the
//! form PostgreSQL's containment operators (`<<=`) compare. A host prefix (`/32`, `/128`) is the host itself
//! (`10.0.0.5/32` becomes `10.0.0.5`), as PostgreSQL prints an `inet` host.

mod scan;
#[cfg(test)]
mod tests;

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Every address or CIDR network in `text`, normalized (`10.20.30.40`, `10.0.0.0/24`, `2001:db8::1`),
/// deduplicated, in order of first appearance.
pub fn extract(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    scan::mentions(text)
        .into_iter()
        .map(|mention| mention.normalized())
        .filter(|text| seen.insert(text.clone()))
        .collect()
}

/// One address, optionally with a prefix length, as found in text or given alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpMention {
    pub address: IpAddr,
    /// The prefix length, validated against the family (at most 32 for IPv4, 128 for IPv6).
    pub prefix: Option<u8>,
}

impl IpMention {
    /// `address` or `address/prefix`, the whole of `text` (surrounding whitespace is ignored). The prefix is
    /// plain decimal without leading zeros.
    pub fn parse(text: &str) -> Option<IpMention> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(parse_prefix(prefix)?)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().ok()?;
        IpMention::new(address, prefix)
    }

    /// `None` when the prefix is too long for the family.
    pub fn new(address: IpAddr, prefix: Option<u8>) -> Option<IpMention> {
        let max = max_prefix(address);
        prefix.is_none_or(|len| len <= max).then_some(IpMention { address, prefix })
    }

    /// True when a prefix is given and the address has bits set below it (`10.0.0.7/24`).
    pub fn has_host_bits(&self) -> bool {
        self.prefix.is_some_and(|len| network_address(self.address, len) != self.address)
    }

    /// The normalized text form: the network address with its prefix, or the bare host.
    pub fn normalized(&self) -> String {
        match self.prefix {
            Some(len) if len < max_prefix(self.address) => format!("{}/{len}", network_address(self.address, len)),
            _ => self.address.to_string(),
        }
    }
}

/// A prefix length as written after `/`: one to three digits, no leading zero (except `0` itself).
fn parse_prefix(digits: &str) -> Option<u8> {
    let valid = (1..=3).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if valid { digits.parse().ok() } else { None }
}

fn max_prefix(address: IpAddr) -> u8 {
    match address {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

/// `address` with every bit below the first `len` cleared.
fn network_address(address: IpAddr, len: u8) -> IpAddr {
    match address {
        IpAddr::V4(v4) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(len.min(32))).unwrap_or(0);
            IpAddr::V4(Ipv4Addr::from(u32::from(v4) & mask))
        }
        IpAddr::V6(v6) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(len.min(128))).unwrap_or(0);
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}
