//! The one check a new tenant passes before it is written, whichever command brings it: `tenant add` and
//! `tenant import-legacy` both call [`validate_new_tenant`], so a rule added here applies to both; the
//! secret-strength rule is also what `tenant update --secrets-file` checks.

use enhancer_plugins::generic;
use enhancer_plugins::{CredentialsError, Plugins};
use enhancer_shared::config::Config;
use enhancer_shared::domain::{IdError, TenantId, ToolKind, UnknownToolKind};
use enhancer_shared::tenant::{NewTenant, SecretsError, SettingsError, TenantSecrets, TenantSettings};
use enhancer_shared::url_policy::{UrlPolicy, UrlPolicyError};
use secrecy::{ExposeSecret, SecretBox};

/// A tenant as an operator or an export describes it, nothing checked yet.
pub struct TenantInput<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub tool: &'a str,
    pub base_url: &'a str,
    /// Plain http permitted for this tenant's base URL.
    pub allow_insecure_url: bool,
    /// The settings document; `None` means the defaults.
    pub settings: Option<serde_json::Value>,
    /// The secrets document `{"webhook_secret": "...", "credentials": {...}}`.
    pub secrets: &'a SecretBox<Vec<u8>>,
}

/// Why a tenant was refused. Every message names the field at fault and never a secret value.
#[derive(Debug, thiserror::Error)]
pub enum InvalidTenant {
    #[error(transparent)]
    Id(#[from] IdError),
    #[error(transparent)]
    Tool(#[from] UnknownToolKind),
    #[error("name must be 1 to 200 characters")]
    Name,
    #[error(transparent)]
    BaseUrl(#[from] UrlPolicyError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    #[error("secrets.credentials: {0}")]
    Credentials(#[from] CredentialsError),
    #[error("secrets.webhook_secret is too weak: {0}; the value is not shown")]
    WeakSecret(&'static str),
}

/// The least key material a webhook secret must carry: 16 bytes (128 bits), the floor below which an
/// HMAC key or shared secret can be guessed offline from one captured signed request.
pub const MIN_SECRET_BYTES: usize = 16;

/// Checks every field of a new tenant: id, tool, name, base URL under the outbound policy (https only
/// unless allowed for this tenant, private networks only if configured), settings, and the secrets
/// against what the tool needs. Touches neither the database nor the master key.
///
/// Every rule for a new tenant belongs here (a tool without a plugin, say), not in a caller: that is what
/// keeps `tenant add` and `tenant import-legacy` from drifting apart.
pub fn validate_new_tenant(input: TenantInput<'_>, config: &Config) -> Result<NewTenant, InvalidTenant> {
    let id = TenantId::parse(input.id)?;
    let tool: ToolKind = input.tool.parse()?;
    let name = check_name(input.name)?;
    let base_url = url_policy(config, input.allow_insecure_url).check(input.base_url)?;
    let settings = match input.settings {
        Some(value) => TenantSettings::from_json(value)?,
        None => TenantSettings::default(),
    };
    let secrets = TenantSecrets::parse(input.secrets.expose_secret())?;
    check_secret_strength(tool, &secrets)?;
    // The tool's own plugin says which credentials it needs; a tool without a plugin never got this far
    // (`ToolKind` names only tools with one).
    Plugins.get(tool).validate_credentials(secrets.credentials())?;
    Ok(NewTenant { id, name, tool, base_url, allow_insecure_url: input.allow_insecure_url, settings, secrets })
}

/// Where a tenant's base URL may point; also what `tenant update --base-url` checks against.
pub fn url_policy(config: &Config, allow_insecure: bool) -> UrlPolicy {
    UrlPolicy { allow_insecure, allow_private_networks: config.outbound.allow_private_networks }
}

/// A tenant's display name, trimmed; also what `tenant update --name` accepts.
pub fn check_name(name: &str) -> Result<String, InvalidTenant> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(InvalidTenant::Name);
    }
    Ok(name.to_owned())
}

/// Refuses a webhook secret with less than [`MIN_SECRET_BYTES`] of key material. The generic tool's
/// `whsec_<base64>` secrets count their decoded key (`whsec_` plus a few base64 characters is a short key
/// however long the string looks); every other tool's secret, and a generic secret not in that form (as
/// legacy exports carry), counts its UTF-8 bytes. The message names the rule, never the value.
pub fn check_secret_strength(tool: ToolKind, secrets: &TenantSecrets) -> Result<(), InvalidTenant> {
    let secret = secrets.webhook_secret().expose_secret();
    match tool {
        ToolKind::Generic => match generic::key_material_len(secret) {
            Some(len) if len < MIN_SECRET_BYTES => Err(InvalidTenant::WeakSecret(
                "the generic tool's whsec_<base64> key must decode to at least 16 bytes (e.g. `echo \"whsec_$(head -c 32 /dev/urandom | base64)\"`)",
            )),
            Some(_) => Ok(()),
            None => check_secret_len(secret),
        },
        _ => check_secret_len(secret),
    }
}

fn check_secret_len(secret: &str) -> Result<(), InvalidTenant> {
    if secret.trim().len() < MIN_SECRET_BYTES {
        return Err(InvalidTenant::WeakSecret(
            "it must be at least 16 bytes long (e.g. `head -c 32 /dev/urandom | base64`)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secrets(webhook_secret: &str) -> TenantSecrets {
        TenantSecrets::parse(serde_json::json!({"webhook_secret": webhook_secret}).to_string().as_bytes())
            .expect("secrets")
    }

    #[test]
    fn short_secrets_are_refused_without_showing_them() {
        for (tool, weak) in [
            (ToolKind::Jira, "Q"),
            (ToolKind::Jira, "fifteen-bytes!!"),
            (ToolKind::ServiceNow, "  padded-short  "),
            // One byte of key behind a long-looking prefix.
            (ToolKind::Generic, "whsec_eA=="),
            // Fifteen bytes of key.
            (ToolKind::Generic, "whsec_MDEyMzQ1Njc4OWFiY2Rl"),
            (ToolKind::Generic, "short"),
        ] {
            let err = check_secret_strength(tool, &secrets(weak)).expect_err(weak);
            let message = err.to_string();
            assert!(message.contains("at least 16 bytes") && !message.contains(weak), "{message}");
        }
    }

    #[test]
    fn secrets_of_sixteen_bytes_pass() {
        for (tool, strong) in [
            (ToolKind::Jira, "sixteen-bytes-ok"),
            (ToolKind::Zendesk, "ü-umlaut-counts-2"),
            // Sixteen bytes of key.
            (ToolKind::Generic, "whsec_MDEyMzQ1Njc4OWFiY2RlZg=="),
            (ToolKind::Generic, "whsec-legacy-initech-89ab"),
        ] {
            check_secret_strength(tool, &secrets(strong)).expect(strong);
        }
    }
}
