//! The generated inventory: one /16 holding /24 networks and hosts (nested, as a real site's is), and the
//! pool of addresses tickets mention, some of them inventoried hosts, some only inside a known network,
//! some nowhere.

use enhancer_worker::corpus::import::{AssetRow, Criticality};
use rand::Rng;
use rand::rngs::StdRng;

use super::words::Zipf;

/// The site's network; every generated address is inside it.
pub const SITE: &str = "10.40.0.0/16";
/// The mail server the mass incident is about: an inventoried host.
pub const MAIL_SERVER: &str = "10.40.1.10";
/// /24 networks with an asset row of their own (`10.40.0.0/24` .. `10.40.63.0/24`); addresses up to
/// `10.40.79.x` are mentioned too, inside the /16 only.
const SUBNETS: u8 = 64;
const MENTIONED_SUBNETS: u8 = 80;
/// Inventoried hosts per /24 (`.10` upwards).
const HOSTS_PER_SUBNET: u8 = 16;
/// Distinct addresses tickets mention; a Zipf law over them makes a few addresses (busy servers) recur.
const MENTIONED: usize = 3_000;

/// The /16, its /24s and their hosts.
pub fn assets() -> Vec<AssetRow> {
    let mut rows = vec![AssetRow {
        asset_id: "net-site".into(),
        address: SITE.into(),
        hostname: None,
        owner: Some("network team".into()),
        location: Some("Main campus".into()),
        criticality: Some(Criticality::High),
        description: Some("Campus network".into()),
    }];
    for subnet in 0..SUBNETS {
        rows.push(AssetRow {
            asset_id: format!("net-{subnet}"),
            address: format!("10.40.{subnet}.0/24"),
            hostname: None,
            owner: Some("network team".into()),
            location: Some(format!("Building {}, floor {}", subnet / 8 + 1, subnet % 8)),
            criticality: Some(Criticality::Medium),
            description: Some(format!("VLAN {}", 100 + u32::from(subnet))),
        });
        for host in 0..HOSTS_PER_SUBNET {
            let address = format!("10.40.{subnet}.{}", 10 + host);
            let mail = address == MAIL_SERVER;
            rows.push(AssetRow {
                asset_id: format!("host-{subnet}-{host}"),
                hostname: Some(if mail { "EXCH01".into() } else { format!("srv-{subnet:02}-{host:02}") }),
                address,
                owner: Some(if mail { "messaging team".into() } else { format!("team {}", host % 7) }),
                location: Some(format!("Rack {subnet}")),
                criticality: Some(if mail { Criticality::Critical } else { Criticality::ALL[usize::from(host % 4)] }),
                description: None,
            });
        }
    }
    rows
}

/// The addresses tickets mention, most mentioned first.
#[derive(Debug, Clone)]
pub struct Mentions {
    addresses: Vec<String>,
    zipf: Zipf,
}

impl Mentions {
    pub fn new(rng: &mut StdRng) -> Mentions {
        let mut addresses = Vec::with_capacity(MENTIONED);
        while addresses.len() < MENTIONED {
            let subnet = rng.random_range(0..MENTIONED_SUBNETS);
            // Half of the mentions are of inventoried hosts (.10 to .25), half of other hosts.
            let host = if rng.random_bool(0.5) {
                rng.random_range(10..10 + HOSTS_PER_SUBNET)
            } else {
                rng.random_range(30..=254)
            };
            let address = format!("10.40.{subnet}.{host}");
            if address != MAIL_SERVER && !addresses.contains(&address) {
                addresses.push(address);
            }
        }
        Mentions { addresses, zipf: Zipf::new(MENTIONED, 0.9) }
    }

    pub fn draw(&self, rng: &mut StdRng) -> &str {
        &self.addresses[self.zipf.sample(rng)]
    }
}
