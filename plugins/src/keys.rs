//! Verification material and API credentials, built from a tenant's decrypted secrets document
//! `{"webhook_secret": "...", "credentials": {...}}` and its settings. Every secret sits in a `secrecy`
//! type: `Debug` prints `[REDACTED]`, and reading one needs an explicit `expose_secret()`.

use std::collections::BTreeMap;
use std::fmt;

use enhancer_shared::tenant::TenantSettings;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::error::SecretsError;

/// The plugins' view of a tenant's decrypted secrets. Build it with `From<&enhancer_shared::tenant::TenantSecrets>`
/// (what the tenant store decrypts) or parse the raw document with [`TenantSecrets::from_json`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSecrets {
    /// Shared secret for webhook verification (HMAC key, header token or `whsec_...`). Optional only for
    /// tenants that verify with something else (a Jira Connect app signs with its `shared_secret`).
    #[serde(default)]
    pub webhook_secret: Option<SecretString>,
    #[serde(default)]
    pub credentials: Credentials,
}

impl TenantSecrets {
    /// Parses the decrypted JSON document. The error never quotes a value.
    pub fn from_json(bytes: &[u8]) -> Result<Self, SecretsError> {
        serde_json::from_slice(bytes).map_err(|err| SecretsError::Invalid(redacted_serde_error(&err)))
    }

    pub fn from_value(value: serde_json::Value) -> Result<Self, SecretsError> {
        serde_json::from_value(value).map_err(|err| SecretsError::Invalid(redacted_serde_error(&err)))
    }
}

/// serde messages can quote the offending value ("invalid type: integer `5`"); keep only where it happened.
fn redacted_serde_error(err: &serde_json::Error) -> String {
    match err.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            format!("not JSON (line {}, column {})", err.line(), err.column())
        }
        _ => format!("unexpected shape (line {}, column {}); credentials must be strings", err.line(), err.column()),
    }
}

/// The tool's credential keys (`authtoken`, `email` + `api_token`, `callback_token`, ...), each value secret.
/// Keys are not secret and appear in `Debug`; values never do.
#[derive(Default, Clone, Deserialize)]
#[serde(transparent)]
pub struct Credentials(BTreeMap<String, SecretString>);

impl Credentials {
    /// A credential by key; `None` when absent or blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|value| value.expose_secret()).filter(|value| !value.trim().is_empty())
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Builds credentials from pairs (tests, CLI wiring).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Self(pairs.into_iter().map(|(k, v)| (k.into(), SecretString::from(v.into()))).collect())
    }
}

impl From<&enhancer_shared::tenant::Credentials> for Credentials {
    /// From shared's decrypted credentials (string values only; the tool validation already refused others).
    fn from(shared: &enhancer_shared::tenant::Credentials) -> Self {
        Self::from_pairs(shared.keys().filter_map(|key| shared.get(key).map(|value| (key, value))))
    }
}

impl From<&enhancer_shared::tenant::TenantSecrets> for TenantSecrets {
    /// From the secrets shared's tenant store decrypted, so callers need no glue.
    fn from(shared: &enhancer_shared::tenant::TenantSecrets) -> Self {
        Self {
            webhook_secret: Some(shared.webhook_secret.clone()),
            credentials: Credentials::from(shared.credentials.expose_secret()),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.keys().map(|key| (key, "[REDACTED]"))).finish()
    }
}

/// An Atlassian Connect installation: the `clientKey` is the JWT `iss`, the `sharedSecret` the HS256 key.
#[derive(Debug, Clone)]
pub struct ConnectKeys {
    pub client_key: String,
    pub shared_secret: SecretString,
}

/// Everything `verify` may check a webhook against, for one tenant.
#[derive(Debug, Clone, Default)]
pub struct VerifyKeys {
    pub webhook_secret: Option<SecretString>,
    /// Header carrying the shared secret (tools without native signing). `None`: the plugin's default.
    pub secret_header: Option<String>,
    /// Header carrying a hex HMAC-SHA256 of the raw body, for tenants whose tool script computes one.
    pub hmac_header: Option<String>,
    /// Present when the tenant's credentials hold `client_key` and `shared_secret` (Jira Connect).
    pub connect: Option<ConnectKeys>,
}

impl VerifyKeys {
    /// Builds the keys from the decrypted secrets and the tenant's settings.
    pub fn new(secrets: &TenantSecrets, settings: &TenantSettings) -> Self {
        let connect = match (secrets.credentials.get("client_key"), secrets.credentials.get("shared_secret")) {
            (Some(client_key), Some(shared_secret)) => Some(ConnectKeys {
                client_key: client_key.to_owned(),
                shared_secret: SecretString::from(shared_secret.to_owned()),
            }),
            _ => None,
        };
        Self {
            webhook_secret: secrets
                .webhook_secret
                .as_ref()
                .filter(|secret| !secret.expose_secret().is_empty())
                .cloned(),
            secret_header: non_blank(settings.secret_header.as_deref()),
            hmac_header: non_blank(settings.hmac_header.as_deref()),
            connect,
        }
    }

    /// Keys holding only a webhook secret (tests and simple callers).
    pub fn with_secret(secret: impl Into<String>) -> Self {
        Self { webhook_secret: Some(SecretString::from(secret.into())), ..Self::default() }
    }
}

fn non_blank(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|value| !value.is_empty()).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_document_and_redacts() {
        let secrets = TenantSecrets::from_json(
            br#"{"webhook_secret": "hunter2", "credentials": {"email": "a@b.c", "api_token": "tok"}}"#,
        )
        .expect("valid");
        assert_eq!(secrets.credentials.get("api_token"), Some("tok"));
        let debug = format!("{secrets:?}");
        assert!(!debug.contains("hunter2") && !debug.contains("tok\""), "{debug}");
        assert!(debug.contains("api_token"), "{debug}");
    }

    #[test]
    fn errors_never_quote_values() {
        let err = TenantSecrets::from_json(br#"{"credentials": {"api_token": 12345}}"#).expect_err("number");
        assert!(!err.to_string().contains("12345"), "{err}");
        assert!(TenantSecrets::from_json(b"{").is_err());
    }

    #[test]
    fn converts_from_shared_secrets() {
        let raw = br#"{"webhook_secret": "w", "credentials": {"email": "a@b.c", "api_token": "t"}}"#;
        let shared = enhancer_shared::tenant::TenantSecrets::parse(enhancer_shared::ToolKind::Jira, raw).expect("ok");
        let secrets = TenantSecrets::from(&shared);
        assert_eq!(secrets.credentials.get("api_token"), Some("t"));
        assert_eq!(secrets.webhook_secret.as_ref().map(ExposeSecret::expose_secret), Some("w"));
    }

    #[test]
    fn keys_come_from_secrets_and_settings() {
        let secrets = TenantSecrets::from_value(serde_json::json!({
            "webhook_secret": "s",
            "credentials": {"client_key": "ck", "shared_secret": "ss", "email": "e", "api_token": "t"}
        }))
        .expect("valid");
        let settings = TenantSettings { secret_header: Some(" X-Token ".into()), ..TenantSettings::default() };
        let keys = VerifyKeys::new(&secrets, &settings);
        assert_eq!(keys.secret_header.as_deref(), Some("X-Token"));
        assert_eq!(keys.connect.as_ref().map(|c| c.client_key.as_str()), Some("ck"));
        assert!(keys.hmac_header.is_none());
        assert_eq!(keys.webhook_secret.as_ref().map(ExposeSecret::expose_secret), Some("s"));
    }
}
