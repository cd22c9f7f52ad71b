//! [`classify`]: which IP addresses outbound calls may reach, from the IANA special-purpose address
//! registries for IPv4 and IPv6 (RFC 6890 and its updates). The tenant URL policy and the outbound HTTP
//! client (for every literal and every resolved address, at connect time) both ask this one function.
//!
//! Three classes:
//! - **Forbidden**: never a ticketing tool's address, whatever the configuration: cloud metadata services,
//!   "this network", link-local, multicast, broadcast, reserved and documentation space, anycast service
//!   addresses, Teredo and ORCHID identifiers, the discard prefix, unassigned IPv6 space.
//! - **Private**: addresses an on-prem tool may legitimately have, allowed only with
//!   `outbound.allow_private_networks`: loopback, RFC 1918, carrier-grade NAT, unique-local and the
//!   deprecated site-local IPv6 ranges, the benchmarking ranges, local-use NAT64.
//! - **Public**: everything else (global unicast).
//!
//! Addresses that carry an IPv4 address inside (IPv4-mapped, IPv4-compatible, IPv4-translated, NAT64,
//! 6to4) are classified by the IPv4 address they lead to: `::ffff:169.254.169.254` is the metadata service.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The class of an address, as far as outbound calls are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AddressClass {
    Public,
    /// Loopback, RFC 1918, carrier-grade NAT, IPv6 unique-local and site-local, benchmarking.
    Private,
    /// Metadata endpoints, link-local, unspecified, multicast, broadcast, reserved, documentation, ...
    Forbidden,
}

use AddressClass::{Forbidden, Private, Public};

/// Cloud metadata services outside link-local space: Alibaba Cloud's metadata service (in CGNAT space) and
/// Azure's WireServer (a public address). AWS's IMDS at 169.254.169.254 is link-local and refused anyway.
const METADATA_V4: [Ipv4Addr; 2] = [Ipv4Addr::new(100, 100, 100, 200), Ipv4Addr::new(168, 63, 129, 16)];

/// AWS's IPv6 metadata endpoint (IMDS) and DNS resolver, in unique-local space: refused like their IPv4
/// twins even where private networks are allowed.
const METADATA_V6: [Ipv6Addr; 2] =
    [Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254), Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x253)];

/// The IPv4 special-purpose registry, most specific entries first (the first match wins).
const V4_TABLE: &[(Ipv4Addr, u8, AddressClass)] = &[
    // 192.0.0.0/24 IETF protocol assignments (PCP and TURN anycast, NAT64 discovery, DS-Lite): not hosts.
    (Ipv4Addr::new(192, 0, 0, 0), 24, Forbidden),
    (Ipv4Addr::new(0, 0, 0, 0), 8, Forbidden), // "this network", 0.0.0.0 included
    (Ipv4Addr::new(10, 0, 0, 0), 8, Private),
    (Ipv4Addr::new(100, 64, 0, 0), 10, Private), // carrier-grade NAT (shared address space)
    (Ipv4Addr::new(127, 0, 0, 0), 8, Private),   // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16, Forbidden), // link-local, home of 169.254.169.254
    (Ipv4Addr::new(172, 16, 0, 0), 12, Private),
    (Ipv4Addr::new(192, 0, 2, 0), 24, Forbidden), // TEST-NET-1 (documentation)
    (Ipv4Addr::new(192, 88, 99, 0), 24, Forbidden), // deprecated 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16, Private),
    (Ipv4Addr::new(198, 18, 0, 0), 15, Private), // benchmarking; some labs number internal networks from it
    (Ipv4Addr::new(198, 51, 100, 0), 24, Forbidden), // TEST-NET-2
    (Ipv4Addr::new(203, 0, 113, 0), 24, Forbidden), // TEST-NET-3
    (Ipv4Addr::new(224, 0, 0, 0), 4, Forbidden), // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4, Forbidden), // reserved, 255.255.255.255 (broadcast) included
];

/// The IPv6 special-purpose registry, most specific entries first. Addresses with an embedded IPv4
/// address are handled before this table (see [`embedded_v4`]).
const V6_TABLE: &[(Ipv6Addr, u8, AddressClass)] = &[
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 1), 128, Private), // loopback
    (Ipv6Addr::new(0, 0, 0, 0, 0, 0, 0, 0), 8, Forbidden), // unspecified and the rest of reserved ::/8
    (Ipv6Addr::new(0x100, 0, 0, 0, 0, 0, 0, 0), 8, Forbidden), // discard-only 100::/64, dummy 100:0:0:1::/64
    (Ipv6Addr::new(0x2001, 0x2, 0, 0, 0, 0, 0, 0), 48, Private), // benchmarking
    (Ipv6Addr::new(0x2001, 0x1, 0, 0, 0, 0, 0, 0), 48, Forbidden), // PCP, TURN and DNS-SD anycast
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, Forbidden), // Teredo: the real peer is obfuscated inside
    (Ipv6Addr::new(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28, Forbidden), // ORCHID (deprecated)
    (Ipv6Addr::new(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28, Forbidden), // ORCHIDv2: identifiers, not locators
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, Forbidden), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, Forbidden), // documentation (RFC 9637)
    (Ipv6Addr::new(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16, Forbidden), // SRv6 segment identifiers
    (Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3, Public), // global unicast
    (Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, Private), // unique-local
    (Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, Forbidden), // link-local
    (Ipv6Addr::new(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, Private), // site-local (deprecated, still private)
    (Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, Forbidden), // multicast
];

/// The class of `ip`. Anything not in a registry entry: IPv4 is public; IPv6 outside 2000::/3 is
/// unassigned and forbidden.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    if METADATA_V4.contains(&ip) {
        return Forbidden;
    }
    let bits = u32::from(ip);
    V4_TABLE
        .iter()
        .find(|(net, len, _)| prefix_matches_v4(bits, u32::from(*net), *len))
        .map_or(Public, |(_, _, class)| *class)
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if METADATA_V6.contains(&ip) {
        return Forbidden;
    }
    if let Some((v4, floor)) = embedded_v4(ip) {
        // The translated destination decides; a local-use translator is at least private.
        return classify_v4(v4).max(floor);
    }
    let bits = u128::from(ip);
    V6_TABLE
        .iter()
        .find(|(net, len, _)| prefix_matches_v6(bits, u128::from(*net), *len))
        .map_or(Forbidden, |(_, _, class)| *class)
}

/// The IPv4 address an IPv6 address leads to, with the least class the wrapper itself implies:
/// IPv4-mapped `::ffff:0:0/96`, IPv4-translated `::ffff:0:0:0/96`, IPv4-compatible `::/96` (deprecated;
/// `::` and `::1` excepted), NAT64 `64:ff9b::/96` and the local-use `64:ff9b:1::/48` (read at the /96
/// position, the common deployment), and 6to4 `2002::/16` (the IPv4 address in bits 16..48).
fn embedded_v4(ip: Ipv6Addr) -> Option<(Ipv4Addr, AddressClass)> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from(bits as u32);
    let s = ip.segments();
    let mapped = prefix_matches_v6(bits, 0xffff_0000_0000, 96);
    let translated = prefix_matches_v6(bits, 0xffff_0000_0000_0000, 96);
    let compatible = prefix_matches_v6(bits, 0, 96) && bits > 1;
    if mapped || translated || compatible || prefix_matches_v6(bits, u128::from(NAT64), 96) {
        Some((low, Public))
    } else if prefix_matches_v6(bits, u128::from(NAT64_LOCAL), 48) {
        Some((low, Private))
    } else if s[0] == 0x2002 {
        Some((Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])), Public))
    } else {
        None
    }
}

const NAT64: Ipv6Addr = Ipv6Addr::new(0x64, 0xff9b, 0, 0, 0, 0, 0, 0);
const NAT64_LOCAL: Ipv6Addr = Ipv6Addr::new(0x64, 0xff9b, 1, 0, 0, 0, 0, 0);

fn prefix_matches_v4(bits: u32, net: u32, len: u8) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - u32::from(len)) };
    bits & mask == net & mask
}

fn prefix_matches_v6(bits: u128, net: u128, len: u8) -> bool {
    let mask = if len == 0 { 0 } else { u128::MAX << (128 - u32::from(len)) };
    bits & mask == net & mask
}

#[cfg(test)]
mod tests;
