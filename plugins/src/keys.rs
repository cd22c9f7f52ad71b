//! [`VerifyKeys`]: what a plugin's `verify` checks a webhook against, borrowed from the tenant's secrets
//! (the one [`TenantSecrets`] type, owned by the caller's tenant cache) and settings. Nothing is copied:
//! building the keys for a webhook costs a few pointer reads, and no secret is cloned per request.

use std::fmt;

use enhancer_shared::tenant::{TenantSecrets, TenantSettings};
use secrecy::{ExposeSecret, SecretString};

/// An Atlassian Connect installation: the `clientKey` is the JWT `iss`, the `sharedSecret` the HS256 key.
#[derive(Clone, Copy)]
pub struct ConnectKeys<'a> {
    pub client_key: &'a str,
    pub shared_secret: &'a str,
}

impl fmt::Debug for ConnectKeys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectKeys")
            .field("client_key", &self.client_key)
            .field("shared_secret", &"[REDACTED]")
            .finish()
    }
}

/// Everything `verify` may check a webhook against, for one tenant.
#[derive(Debug, Clone, Copy, Default)]
pub struct VerifyKeys<'a> {
    pub webhook_secret: Option<&'a SecretString>,
    /// Header carrying the shared secret (tools without native signing). `None`: the plugin's default.
    pub secret_header: Option<&'a str>,
    /// Header carrying a hex HMAC-SHA256 of the raw body, for tenants whose tool script computes one.
    pub hmac_header: Option<&'a str>,
    /// Present when the tenant's credentials hold `client_key` and `shared_secret` (Jira Connect).
    pub connect: Option<ConnectKeys<'a>>,
}

impl<'a> VerifyKeys<'a> {
    /// The keys of a tenant: its secrets and what its settings name.
    pub fn new(secrets: &'a TenantSecrets, settings: &'a TenantSettings) -> Self {
        let credentials = secrets.credentials();
        let connect = match (credentials.get("client_key"), credentials.get("shared_secret")) {
            (Some(client_key), Some(shared_secret)) => Some(ConnectKeys { client_key, shared_secret }),
            _ => None,
        };
        Self {
            webhook_secret: Some(secrets.webhook_secret()).filter(|secret| !secret.expose_secret().is_empty()),
            secret_header: non_blank(settings.secret_header.as_deref()),
            hmac_header: non_blank(settings.hmac_header.as_deref()),
            connect,
        }
    }

    /// Keys holding only a webhook secret (tests and simple callers).
    pub fn with_secret(secret: &'a SecretString) -> Self {
        Self { webhook_secret: Some(secret), ..Self::default() }
    }
}

fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_secrets_and_settings() {
        let secrets = TenantSecrets::parse(
            br#"{"webhook_secret": "s", "credentials": {"client_key": "ck", "shared_secret": "ss", "email": "e", "api_token": "t"}}"#,
        )
        .expect("valid");
        let settings = TenantSettings { secret_header: Some(" X-Token ".into()), ..TenantSettings::default() };
        let keys = VerifyKeys::new(&secrets, &settings);
        assert_eq!(keys.secret_header, Some("X-Token"));
        assert_eq!(keys.connect.map(|c| c.client_key), Some("ck"));
        assert!(keys.hmac_header.is_none());
        assert_eq!(keys.webhook_secret.map(ExposeSecret::expose_secret), Some("s"));
        let debug = format!("{keys:?}");
        assert!(!debug.contains("ss\"") && !debug.contains("\"s\""), "{debug}");
    }
}
