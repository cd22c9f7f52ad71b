//! IPv4 and IPv6 addresses and networks mentioned in free text (in progress).

/// Every address or CIDR network in `text`, normalized (`10.20.30.40`, `10.0.0.0/24`, `2001:db8::1`),
/// deduplicated, in order of first appearance.
pub fn extract(text: &str) -> Vec<String> {
    let _ = text;
    Vec::new()
}
