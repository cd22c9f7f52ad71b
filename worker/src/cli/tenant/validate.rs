//! The one check a new tenant passes before it is written, whichever command brings it: `tenant add` and
//! `tenant import-legacy` both call [`validate_new_tenant`], so a rule added here applies to both.

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
}

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
