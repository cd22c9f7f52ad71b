//! Table tests of what is and is not an address, and property tests: the scanner never panics, and every
//! address formatted into surrounding text is found in its normalized form.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;

use super::{IpMention, extract};

#[test]
fn finds_addresses_in_the_places_tickets_put_them() {
    let cases: &[(&str, &[&str])] = &[
        ("server 10.0.0.5 is down", &["10.0.0.5"]),
        ("cannot reach 10.0.0.5:8080 since noon", &["10.0.0.5"]),
        ("see https://10.0.0.5/x and http://192.168.1.1:8080/admin", &["10.0.0.5", "192.168.1.1"]),
        ("open http://[2001:db8::1]:80/ please", &["2001:db8::1"]),
        (
            "hosts (10.1.1.1), [10.1.1.2], \"10.1.1.3\", '10.1.1.4' and <10.1.1.5>",
            &["10.1.1.1", "10.1.1.2", "10.1.1.3", "10.1.1.4", "10.1.1.5"],
        ),
        (
            "The gateway is 10.0.0.1. The DNS is 10.0.0.2, then 10.0.0.3; 10.0.0.4!",
            &["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"],
        ),
        ("ip:10.9.9.9 ip=10.8.8.8 user@10.7.7.7", &["10.9.9.9", "10.8.8.8", "10.7.7.7"]),
        ("range 10.0.0.1-10.0.0.9", &["10.0.0.1", "10.0.0.9"]),
        ("IPv6 2001:DB8:0:0:0:0:0:1 and fe80::1%eth0, loopback ::1.", &["2001:db8::1", "fe80::1", "::1"]),
        ("mapped ::ffff:10.0.0.5 here", &["::ffff:10.0.0.5"]),
        ("v6 2001:db8::: is odd", &["2001:db8::"]),
        ("the subnet 10.0.0.0/24 and 10.0.0.7/24.", &["10.0.0.0/24"]),
        ("host route 10.0.0.5/32, default 0.0.0.0/0", &["10.0.0.5", "0.0.0.0/0"]),
        ("prefix 2001:db8:abcd:12::/64 and 2001:db8::1/128", &["2001:db8:abcd:12::/64", "2001:db8::1"]),
        ("path https://10.0.0.5/24 is a path, 10.0.0.6/24/x too", &["10.0.0.5", "10.0.0.6"]),
        ("10.0.0.5 again 10.0.0.5 and 10.0.0.5:22", &["10.0.0.5"]),
        ("unicode ✓10.0.0.5✓ and «10.0.0.6»", &["10.0.0.5", "10.0.0.6"]),
    ];
    for (text, expected) in cases {
        assert_eq!(extract(text), *expected, "in {text:?}");
    }
}

#[test]
fn leaves_out_what_only_looks_like_an_address() {
    let cases = [
        "upgraded to v1.2.3.4 yesterday",
        "version 1.2.3.4.5 of the agent",
        "OID 1.3.6.1.4.1.311",
        "bad octet 300.1.1.1 and 1.2.3.256",
        "leading zeros 010.0.0.1",
        "too short 10.0.1 and 10.0",
        "glued 10.0.0.5abc and abc10.0.0.6",
        "prefix out of range 10.0.0.0/33 and 2001:db8::/129",
        "times 12:30:45 and 09:15, MAC 00:1a:2b:3c:4d:5e",
        "code std::vec::Vec and a lone :: here",
        "nine groups 1:2:3:4:5:6:7:8:9",
        "words cafe dead beef added",
        "",
    ];
    for text in cases {
        assert_eq!(extract(text), Vec::<String>::new(), "in {text:?}");
    }
}

#[test]
fn mentions_parse_alone_and_report_host_bits() {
    let host = IpMention::parse("10.0.0.5").expect("host");
    assert_eq!((host.prefix, host.has_host_bits(), host.normalized()), (None, false, "10.0.0.5".into()));
    let net = IpMention::parse(" 10.0.0.7/24 ").expect("network");
    assert!(net.has_host_bits());
    assert_eq!(net.normalized(), "10.0.0.0/24");
    assert!(!IpMention::parse("10.0.0.0/24").expect("network").has_host_bits());
    assert_eq!(IpMention::parse("2001:db8::/32").expect("v6").normalized(), "2001:db8::/32");
    for bad in ["10.0.0.0/33", "10.0.0.0/024", "10.0.0.0/", "host", "10.0.0.5 x", "::1/129"] {
        assert_eq!(IpMention::parse(bad), None, "{bad}");
    }
}

fn any_ipv6() -> impl Strategy<Value = Ipv6Addr> {
    // `::` alone is deliberately not reported (see `ipv6_at`).
    any::<u128>().prop_filter("not the unspecified address", |n| *n != 0).prop_map(Ipv6Addr::from)
}

fn address() -> impl Strategy<Value = (IpAddr, Option<u8>)> {
    prop_oneof![
        (any::<u32>(), proptest::option::of(0u8..=32)).prop_map(|(n, len)| (IpAddr::V4(Ipv4Addr::from(n)), len)),
        (any_ipv6(), proptest::option::of(0u8..=128)).prop_map(|(a, len)| (IpAddr::V6(a), len)),
        // IPv4-mapped addresses print in dotted form, the hardest case for the scanner.
        any::<u32>().prop_map(|n| (IpAddr::V6(Ipv4Addr::from(n).to_ipv6_mapped()), None)),
    ]
}

/// How an address appears in a ticket; `{}` is the address (with its prefix, where the template allows one).
const BARE_TEMPLATES: &[&str] = &["{}", "({})", "\"{}\"", "'{}'", "<{}>", "{}.", "{},", "{};", "ip={}", "{}: refused"];
const HOST_TEMPLATES: &[&str] = &["https://{}/x", "user@{}"];

fn in_text((address, prefix): (IpAddr, Option<u8>), template: usize, before: &str, after: &str) -> (String, String) {
    let written = match prefix {
        Some(len) => format!("{address}/{len}"),
        None => address.to_string(),
    };
    let hosts = HOST_TEMPLATES.len() + 2;
    let placed = match (address, prefix, template % (BARE_TEMPLATES.len() + hosts)) {
        (IpAddr::V4(_), None, n) if n == BARE_TEMPLATES.len() => format!("{address}:8080"),
        (IpAddr::V6(_), None, n) if n == BARE_TEMPLATES.len() => format!("http://[{address}]:80/"),
        (_, None, n) if n == BARE_TEMPLATES.len() + 1 => format!("[{address}]"),
        (_, None, n) if n > BARE_TEMPLATES.len() + 1 => {
            HOST_TEMPLATES[n - BARE_TEMPLATES.len() - 2].replace("{}", &address.to_string())
        }
        (_, _, n) => BARE_TEMPLATES[n % BARE_TEMPLATES.len()].replace("{}", &written),
    };
    let expected = IpMention::new(address, prefix).expect("valid prefix").normalized();
    (format!("{before}{placed}{after}"), expected)
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        let _ = extract(&text);
    }

    #[test]
    fn never_panics_on_address_like_text(text in "[0-9a-fA-F:./\\[\\]% v-]{0,80}") {
        for found in extract(&text) {
            prop_assert!(IpMention::parse(&found).is_some(), "{found} from {text:?} does not parse");
        }
    }

    #[test]
    fn every_address_in_text_is_found_and_round_trips(
        address in address(),
        template in 0usize..64,
        before in "([A-Za-z,!?]{0,12} ){0,3}",
        after in "( [A-Za-z,.!?]{0,12}){0,3}",
    ) {
        let (text, expected) = in_text(address, template, &before, &after);
        let found = extract(&text);
        prop_assert!(found.contains(&expected), "{expected} not found in {text:?}: {found:?}");
        let again = IpMention::parse(&expected).expect("normalized form parses");
        prop_assert_eq!(again.normalized(), expected);
    }
}
