//! Which tenant base URLs we are willing to call (docs/DESIGN.md section 9). A tenant's base URL decides where the
//! worker sends credentials and where it fetches data from, so a careless or hostile value must not point
//! it at the cloud metadata service or at services inside our own network.
//!
//! This check runs on the URL as written (`tenant add`/`update`), with the CLI's settings: an early, friendly
//! refusal, not the enforcement. Names are not resolved here: the worker's outbound HTTP client repeats the
//! address check ([`classify`]) on every connection with the worker's own settings, for IP literals and for
//! every resolved address, which also covers DNS rebinding (docs/SECURITY.md, "Outbound calls").

use std::net::IpAddr;

use url::{Host, Url};

pub use crate::address_class::{AddressClass, classify};

/// What the operator allowed for this URL.
#[derive(Debug, Clone, Copy, Default)]
pub struct UrlPolicy {
    /// `--allow-insecure-url`: plain http for this tenant (e.g. an on-prem tool without TLS).
    pub allow_insecure: bool,
    /// `ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS`: loopback and private ranges (on-prem tools).
    pub allow_private_networks: bool,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UrlPolicyError {
    #[error("base URL is not a valid absolute URL: {0}")]
    Unparsable(String),
    #[error("base URL must use https (use --allow-insecure-url to permit http for this tenant)")]
    InsecureScheme,
    #[error("base URL scheme {0:?} is not supported; use https")]
    UnsupportedScheme(String),
    #[error("base URL must not contain a user name or password; put credentials in the secrets file")]
    EmbeddedCredentials,
    #[error("base URL must not contain a query or fragment")]
    QueryOrFragment,
    #[error("base URL points at a link-local or cloud metadata address ({0}); this is never allowed")]
    Forbidden(String),
    #[error(
        "base URL points at a loopback or private address ({0}); set ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS=true for on-prem tools"
    )]
    Private(String),
}

/// Host names that resolve to metadata services on the big clouds.
const METADATA_NAMES: [&str; 4] = ["metadata.google.internal", "metadata", "instance-data", "metadata.azure.internal"];

impl UrlPolicy {
    /// Parses and checks a tenant base URL. The returned URL is normalized (a trailing `/` is removed so
    /// that plugins can append paths).
    pub fn check(&self, raw: &str) -> Result<Url, UrlPolicyError> {
        let url = Url::parse(raw.trim()).map_err(|e| UrlPolicyError::Unparsable(e.to_string()))?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_insecure => {}
            "http" => return Err(UrlPolicyError::InsecureScheme),
            other => return Err(UrlPolicyError::UnsupportedScheme(other.to_owned())),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(UrlPolicyError::EmbeddedCredentials);
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(UrlPolicyError::QueryOrFragment);
        }
        let class = match url.host() {
            None => return Err(UrlPolicyError::Unparsable("no host".into())),
            Some(Host::Ipv4(ip)) => classify(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => classify(IpAddr::V6(ip)),
            Some(Host::Domain(name)) => classify_name(name),
        };
        let host = url.host_str().unwrap_or_default().to_owned();
        match class {
            AddressClass::Forbidden => Err(UrlPolicyError::Forbidden(host)),
            AddressClass::Private if !self.allow_private_networks => Err(UrlPolicyError::Private(host)),
            _ => {
                let mut url = url;
                let trimmed = url.path().trim_end_matches('/').to_owned();
                url.set_path(&trimmed);
                Ok(url)
            }
        }
    }
}

fn classify_name(name: &str) -> AddressClass {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if METADATA_NAMES.contains(&name.as_str()) {
        AddressClass::Forbidden
    } else if name == "localhost" || name.ends_with(".localhost") {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: UrlPolicy = UrlPolicy { allow_insecure: false, allow_private_networks: false };
    const ON_PREM: UrlPolicy = UrlPolicy { allow_insecure: true, allow_private_networks: true };

    #[test]
    fn public_https_is_accepted_and_normalized() {
        let url = STRICT.check("https://acme.atlassian.net/").expect("ok");
        assert_eq!(url.as_str(), "https://acme.atlassian.net/");
        let url = STRICT.check("https://sdp.example.com/prefix/").expect("ok");
        assert_eq!(url.as_str(), "https://sdp.example.com/prefix");
    }

    #[test]
    fn http_needs_the_flag() {
        assert_eq!(STRICT.check("http://tickets.example.com"), Err(UrlPolicyError::InsecureScheme));
        assert!(UrlPolicy { allow_insecure: true, ..STRICT }.check("http://tickets.example.com").is_ok());
        assert!(matches!(STRICT.check("ftp://x.example.com"), Err(UrlPolicyError::UnsupportedScheme(_))));
        assert!(matches!(STRICT.check("not a url"), Err(UrlPolicyError::Unparsable(_))));
    }

    #[test]
    fn metadata_and_link_local_are_always_refused() {
        for raw in [
            "https://169.254.169.254/latest/meta-data",
            "http://169.254.169.254",
            "https://[fe80::1]",
            "https://metadata.google.internal",
            "https://100.100.100.200",
            "https://[fd00:ec2::254]",
            "https://[::ffff:169.254.169.254]",
            "https://0.0.0.0",
            // WHATWG parsing turns decimal and hex hosts into the dotted address they mean.
            "https://2852039166",
            "https://0xa9.0xfe.0xa9.0xfe",
            // Special-purpose space: reserved, documentation, translators leading to the metadata service.
            "https://240.0.0.1",
            "https://192.0.0.8",
            "https://192.0.2.1",
            "https://[64:ff9b::a9fe:a9fe]",
            "https://[2002:a9fe:a9fe::1]",
            "https://[::169.254.169.254]",
            "https://[2001::1]",
            "https://[100::1]",
        ] {
            assert!(matches!(ON_PREM.check(raw), Err(UrlPolicyError::Forbidden(_))), "{raw} must be refused");
        }
    }

    #[test]
    fn private_ranges_need_the_setting() {
        for raw in [
            "https://127.0.0.1:8443",
            "https://localhost",
            "https://10.1.2.3",
            "https://172.16.0.9",
            "https://192.168.1.10",
            "https://100.64.0.1",
            "https://[::1]",
            "https://[fd12::1]",
            "https://2130706433",
            "https://198.18.0.1",
            "https://[fec0::1]",
            "https://[64:ff9b::7f00:1]",
            "https://[2002:7f00:1::1]",
            "https://[::127.0.0.1]",
        ] {
            assert!(matches!(STRICT.check(raw), Err(UrlPolicyError::Private(_))), "{raw} must need the setting");
            assert!(ON_PREM.check(raw).is_ok(), "{raw} must pass with the setting");
        }
    }

    #[test]
    fn credentials_and_queries_in_the_url_are_refused() {
        assert_eq!(STRICT.check("https://user:pw@x.example.com"), Err(UrlPolicyError::EmbeddedCredentials));
        assert_eq!(STRICT.check("https://x.example.com/?a=1"), Err(UrlPolicyError::QueryOrFragment));
    }
}
