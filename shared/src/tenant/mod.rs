//! Tenants: their settings, their encrypted secrets and their rows in `tenant_configs`.

pub mod cache;
mod credentials;
pub mod secrets;
mod settings;
pub mod store;

pub use cache::{CacheLimits, TenantCache};
pub use credentials::Credentials;
pub use secrets::{SecretsError, TenantSecrets};
pub use settings::{
    JiraSettings, LlmOverride, RateLimit, ServiceNowNoteFormat, ServiceNowSettings, SettingsError, StageToggles,
    TenantSettings, ZendeskSettings,
};
pub use store::{NewTenant, RotationReport, TenantRecord, TenantStoreError, TenantUpdate};
