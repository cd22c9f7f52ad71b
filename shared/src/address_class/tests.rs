//! Table-driven tests over the IANA special-purpose registries: one row (or more) per registry entry.

use super::*;

fn check(table: &[(&str, AddressClass)]) {
    for (raw, expected) in table {
        let ip: IpAddr = raw.parse().unwrap_or_else(|_| panic!("{raw} is an address"));
        assert_eq!(classify(ip), *expected, "{raw}");
    }
}

#[test]
fn ipv4_special_purpose_registry() {
    check(&[
        ("0.0.0.0", Forbidden),
        ("0.1.2.3", Forbidden),
        ("10.0.0.1", Private),
        ("10.255.255.255", Private),
        ("100.63.255.255", Public),
        ("100.64.0.1", Private),
        ("100.127.255.254", Private),
        ("100.128.0.0", Public),
        ("127.0.0.1", Private),
        ("127.255.255.254", Private),
        ("169.254.0.1", Forbidden),
        ("169.254.169.254", Forbidden),
        ("169.254.170.2", Forbidden),
        ("172.15.255.255", Public),
        ("172.16.0.1", Private),
        ("172.31.255.255", Private),
        ("172.32.0.0", Public),
        ("192.0.0.0", Forbidden),
        ("192.0.0.8", Forbidden),
        ("192.0.0.9", Forbidden),
        ("192.0.0.170", Forbidden),
        ("192.0.2.1", Forbidden),
        ("192.88.99.1", Forbidden),
        ("192.168.0.1", Private),
        ("198.17.255.255", Public),
        ("198.18.0.1", Private),
        ("198.19.255.255", Private),
        ("198.20.0.0", Public),
        ("198.51.100.7", Forbidden),
        ("203.0.113.9", Forbidden),
        ("224.0.0.1", Forbidden),
        ("239.255.255.250", Forbidden),
        ("240.0.0.1", Forbidden),
        ("255.255.255.254", Forbidden),
        ("255.255.255.255", Forbidden),
        // Metadata services outside link-local space.
        ("100.100.100.200", Forbidden),
        ("168.63.129.16", Forbidden),
        // Globally reachable entries of the registry, and ordinary addresses.
        ("192.31.196.1", Public),
        ("192.52.193.1", Public),
        ("192.175.48.1", Public),
        ("8.8.8.8", Public),
        ("93.184.216.34", Public),
        ("223.255.255.255", Public),
    ]);
}

#[test]
fn ipv6_special_purpose_registry() {
    check(&[
        ("::", Forbidden),
        ("::1", Private),
        ("::2:0:0:0:1", Forbidden), // reserved ::/8
        ("100::", Forbidden),       // discard-only
        ("100::1:2:3:4", Forbidden),
        ("100:0:0:1::1", Forbidden), // dummy prefix
        ("2001::1", Forbidden),      // Teredo
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Forbidden),
        ("2001:1::1", Forbidden),  // PCP anycast
        ("2001:1::2", Forbidden),  // TURN anycast
        ("2001:2::1", Private),    // benchmarking
        ("2001:3::1", Public),     // AMT
        ("2001:4:112::1", Public), // AS112
        ("2001:10::1", Forbidden), // ORCHID
        ("2001:20::1", Forbidden), // ORCHIDv2
        ("2001:2f::1", Forbidden),
        ("2001:30::1", Public), // drone remote ID
        ("2001:db8::1", Forbidden),
        ("3fff::1", Forbidden),
        ("3fff:fff::1", Forbidden),
        ("3fff:1000::1", Public),
        ("5f00::1", Forbidden),
        ("fc00::1", Private),
        ("fd12:3456::1", Private),
        ("fd00:ec2::254", Forbidden),
        ("fd00:ec2::253", Forbidden),
        ("fe80::1", Forbidden),
        ("febf::1", Forbidden),
        ("fec0::1", Private),
        ("feff::1", Private),
        ("ff02::1", Forbidden),
        ("ff0e::1", Forbidden),
        // Unassigned space outside 2000::/3.
        ("4000::1", Forbidden),
        ("e000::1", Forbidden),
        // Global unicast.
        ("2606:4700:4700::1111", Public),
        ("2a00:1450:4001::1", Public),
        ("2001:4860:4860::8888", Public),
    ]);
}

#[test]
fn embedded_ipv4_addresses_are_classified_by_where_they_lead() {
    check(&[
        // IPv4-mapped
        ("::ffff:169.254.169.254", Forbidden),
        ("::ffff:127.0.0.1", Private),
        ("::ffff:10.0.0.1", Private),
        ("::ffff:8.8.8.8", Public),
        // IPv4-translated (SIIT)
        ("::ffff:0:127.0.0.1", Private),
        ("::ffff:0:8.8.8.8", Public),
        // IPv4-compatible (deprecated)
        ("::127.0.0.1", Private),
        ("::169.254.169.254", Forbidden),
        ("::8.8.8.8", Public),
        // NAT64, well-known prefix
        ("64:ff9b::127.0.0.1", Private),
        ("64:ff9b::169.254.169.254", Forbidden),
        ("64:ff9b::10.0.0.1", Private),
        ("64:ff9b::8.8.8.8", Public),
        // NAT64, local-use prefix: at least private
        ("64:ff9b:1::8.8.8.8", Private),
        ("64:ff9b:1::169.254.169.254", Forbidden),
        // 6to4: the IPv4 address in bits 16..48
        ("2002:7f00:1::", Private),
        ("2002:a9fe:a9fe::1", Forbidden),
        ("2002:c0a8:101::1", Private),
        ("2002:808:808::1", Public),
    ]);
}

#[test]
fn the_classes_order_from_public_to_forbidden() {
    assert!(Public < Private && Private < Forbidden);
}
