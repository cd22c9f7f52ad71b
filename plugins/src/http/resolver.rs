//! The outbound client's DNS resolver: it applies the URL policy's address classes to every address a
//! tenant's host name resolves to, at connect time. A host name that passed `tenant add` can later be
//! pointed (or rebound) at the metadata service or an internal address; this is where that is stopped.

use std::net::SocketAddr;

use enhancer_shared::url_policy::{AddressClass, classify};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Resolves with the system resolver, then drops forbidden addresses always and private ones unless
/// allowed. A name left with no address fails to resolve, which the client reports as a connect error.
#[derive(Debug, Clone, Copy)]
pub struct PolicyResolver {
    pub allow_private_networks: bool,
}

impl PolicyResolver {
    pub fn permits(&self, address: &SocketAddr) -> bool {
        match classify(address.ip()) {
            AddressClass::Public => true,
            AddressClass::Private => self.allow_private_networks,
            AddressClass::Forbidden => false,
        }
    }
}

impl Resolve for PolicyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = *self;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            // Port 0: reqwest puts in the URL's port.
            let resolved = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let permitted: Vec<SocketAddr> = resolved.filter(|address| policy.permits(address)).collect();
            if permitted.is_empty() {
                return Err(format!("{host} resolves only to addresses the outbound policy refuses").into());
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
        let strict = PolicyResolver { allow_private_networks: false };
        let on_prem = PolicyResolver { allow_private_networks: true };
        let metadata: SocketAddr = "169.254.169.254:80".parse().expect("address");
        let private: SocketAddr = "10.1.2.3:443".parse().expect("address");
        let public: SocketAddr = "93.184.216.34:443".parse().expect("address");
        assert!(!strict.permits(&metadata) && !on_prem.permits(&metadata));
        assert!(!strict.permits(&private) && on_prem.permits(&private));
        assert!(strict.permits(&public));
    }

    #[tokio::test]
    async fn localhost_is_refused_without_the_setting() {
        let name: Name = "localhost".parse().expect("name");
        let refused = PolicyResolver { allow_private_networks: false }.resolve(name).await;
        assert!(refused.is_err());
        let name: Name = "localhost".parse().expect("name");
        let allowed = PolicyResolver { allow_private_networks: true }.resolve(name).await;
        assert!(allowed.is_ok_and(|mut addrs| addrs.next().is_some()));
    }
}
