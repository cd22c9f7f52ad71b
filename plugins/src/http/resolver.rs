//! The outbound address policy at connect time: [`PolicyResolver`] applies the address classes
//! (`enhancer_shared::address_class`) to every address a host name resolves to, and [`PolicyResolver::check_url`]
//! to a URL whose host is an IP literal (reqwest connects to literals without asking the resolver). A host
//! name that passed `tenant add` can later be pointed (or rebound) at the metadata service or an internal
//! address, and a tenant stored under another configuration can carry an address this process must not
//! call: this is where both are stopped, with this process's own `outbound.allow_private_networks`.

use std::net::{IpAddr, SocketAddr};

use enhancer_shared::address_class::{AddressClass, classify};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Resolves with the system resolver, then drops forbidden addresses always and private ones unless
/// allowed. A name left with no address fails with [`AddressRefused`], which the client reports as
/// [`crate::ToolError::Refused`].
#[derive(Debug, Clone, Copy)]
pub struct PolicyResolver {
    pub allow_private_networks: bool,
    /// The setting that allows private addresses, named in the refusal (the tool client and the LLM client
    /// have one each).
    pub private_setting: &'static str,
}

/// The tool client's setting: `outbound.allow_private_networks`.
pub const OUTBOUND_PRIVATE_SETTING: &str = "ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS";

/// The policy refused a destination. Travels inside reqwest's error chain from the resolver to the client.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct AddressRefused(pub String);

impl AddressRefused {
    /// The resolver's refusal inside an HTTP client's error chain (the tool client's and the LLM client's):
    /// permanent, unlike the other connect failures it travels with.
    pub fn in_chain<'e>(err: &'e (dyn std::error::Error + 'static)) -> Option<&'e AddressRefused> {
        let mut source = Some(err);
        while let Some(cause) = source {
            if let Some(refused) = cause.downcast_ref::<AddressRefused>() {
                return Some(refused);
            }
            source = cause.source();
        }
        None
    }
}

impl PolicyResolver {
    /// The policy of the tool client (`outbound.allow_private_networks`).
    pub fn outbound(allow_private_networks: bool) -> Self {
        Self { allow_private_networks, private_setting: OUTBOUND_PRIVATE_SETTING }
    }

    pub fn permits(&self, address: &SocketAddr) -> bool {
        self.check(address.ip()).is_ok()
    }

    /// `Ok` when this process may connect to `ip`; otherwise why not, for the error message.
    pub fn check(&self, ip: IpAddr) -> Result<(), AddressRefused> {
        match classify(ip) {
            AddressClass::Public => Ok(()),
            AddressClass::Private if self.allow_private_networks => Ok(()),
            AddressClass::Private => Err(AddressRefused(format!(
                "{ip}: a loopback or private address (set {}=true on this process to allow it)",
                self.private_setting
            ))),
            AddressClass::Forbidden => {
                Err(AddressRefused(format!("{ip}: a metadata, link-local or special-purpose address, never allowed")))
            }
        }
    }

    /// Checks the host of `url` when it is an IP literal. Names are checked by [`Resolve::resolve`].
    pub fn check_url(&self, url: &Url) -> Result<(), AddressRefused> {
        match url.host() {
            Some(Host::Ipv4(ip)) => self.check(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => self.check(IpAddr::V6(ip)),
            Some(Host::Domain(_)) | None => Ok(()),
        }
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = *self;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            // Port 0: reqwest puts in the URL's port.
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let mut refused = None;
            let mut permitted = Vec::with_capacity(resolved.len());
            for address in resolved {
                match policy.check(address.ip()) {
                    Ok(()) => permitted.push(address),
                    Err(why) => refused = refused.or(Some(why)),
                }
            }
            if permitted.is_empty() {
                let why = refused.map_or_else(|| "no address".to_owned(), |why| why.0);
                return Err(AddressRefused(format!("{host} resolves only to refused addresses ({why})")).into());
            }
            let addrs: Addrs = Box::new(permitted.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_permission() {
        let strict = PolicyResolver::outbound(false);
        let on_prem = PolicyResolver::outbound(true);
        let metadata: SocketAddr = "169.254.169.254:80".parse().expect("address");
        let private: SocketAddr = "10.1.2.3:443".parse().expect("address");
        let public: SocketAddr = "93.184.216.34:443".parse().expect("address");
        assert!(!strict.permits(&metadata) && !on_prem.permits(&metadata));
        assert!(!strict.permits(&private) && on_prem.permits(&private));
        assert!(strict.permits(&public));
    }

    #[test]
    fn literal_hosts_are_checked_and_names_left_to_the_resolver() {
        let strict = PolicyResolver::outbound(false);
        let on_prem = PolicyResolver::outbound(true);
        let url = |raw: &str| Url::parse(raw).expect("url");
        assert!(strict.check_url(&url("http://127.0.0.1:8080/api")).is_err());
        assert!(on_prem.check_url(&url("http://127.0.0.1:8080/api")).is_ok());
        assert!(on_prem.check_url(&url("http://[::ffff:169.254.169.254]/")).is_err());
        assert!(on_prem.check_url(&url("http://[64:ff9b::a9fe:a9fe]/")).is_err());
        assert!(strict.check_url(&url("https://93.184.216.34/")).is_ok());
        assert!(strict.check_url(&url("https://localhost/")).is_ok(), "names are the resolver's");
    }

    #[tokio::test]
    async fn localhost_is_refused_without_the_setting() {
        let name: Name = "localhost".parse().expect("name");
        let refused = PolicyResolver::outbound(false).resolve(name).await;
        let err = refused.err().expect("refused");
        assert!(err.downcast_ref::<AddressRefused>().is_some(), "{err}");
        let name: Name = "localhost".parse().expect("name");
        let allowed = PolicyResolver::outbound(true).resolve(name).await;
        assert!(allowed.is_ok_and(|mut addrs| addrs.next().is_some()));
    }
}
