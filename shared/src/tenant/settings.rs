//! Per-tenant settings (the `settings` JSONB column): which events to enhance, loop prevention, priority
//! mapping, verification header names, rate limit, stage toggles and prompt/LLM overrides.
//!
//! Unknown keys are refused so that a typo in `--settings-file` is an error, not a silently ignored setting.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::{EventKind, Priority};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TenantSettings {
    /// Event kinds that are enhanced; everything else is answered `200 ignored`.
    pub enhance_events: Vec<EventKind>,
    /// The tool account our integration posts notes as. Events it authored are ignored (loop prevention).
    pub integration_account_id: Option<String>,
    /// The tool's priority names (matched case-insensitively) mapped onto ours, over the built-in table.
    pub priority_map: BTreeMap<String, Priority>,
    /// For tools without native signing: the header that carries the shared secret.
    /// Each plugin documents its default (e.g. `X-Enhancer-Secret`).
    pub secret_header: Option<String>,
    /// For tools whose script computes one: the header carrying a hex HMAC-SHA256 of the raw body.
    pub hmac_header: Option<String>,
    pub rate_limit: RateLimit,
    pub stages: StageToggles,
    /// Replaces the built-in prompt template for this tenant.
    pub prompt_override: Option<String>,
    pub llm: LlmOverride,
    /// Replace e-mail addresses and phone numbers before ticket text is sent to an LLM.
    pub redact_pii: bool,
    /// Zendesk tenants only: knobs of the Zendesk plugin. Absent means the defaults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zendesk: Option<ZendeskSettings>,
    /// Jira tenants only: an optional freshness window on the signed body's `timestamp`. Absent: none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jira: Option<JiraSettings>,
    /// ServiceNow tenants: the table and the work-note format (absent: `incident`, plain text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub servicenow: Option<ServiceNowSettings>,
}

impl Default for TenantSettings {
    fn default() -> Self {
        Self {
            enhance_events: vec![EventKind::Created],
            integration_account_id: None,
            priority_map: BTreeMap::new(),
            secret_header: None,
            hmac_header: None,
            rate_limit: RateLimit::default(),
            stages: StageToggles::default(),
            prompt_override: None,
            llm: LlmOverride::default(),
            redact_pii: false,
            zendesk: None,
            jira: None,
            servicenow: None,
        }
    }
}

/// `"zendesk": {...}`: per-tenant knobs of the Zendesk plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ZendeskSettings {
    /// How far `X-Zendesk-Webhook-Signature-Timestamp` may be from our clock, either way, in seconds.
    /// Zendesk documents no window; 300 bounds the replay of a captured request while tolerating clock skew
    /// and Zendesk's own retries. 1 to 3600: zero would refuse every webhook, and more than an hour is no
    /// replay protection left.
    #[serde(deserialize_with = "ZendeskSettings::tolerance")]
    pub timestamp_tolerance_secs: u32,
}

impl Default for ZendeskSettings {
    fn default() -> Self {
        Self { timestamp_tolerance_secs: 300 }
    }
}

impl ZendeskSettings {
    fn tolerance<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        let secs = u32::deserialize(deserializer)?;
        if (1..=3600).contains(&secs) {
            Ok(secs)
        } else {
            Err(serde::de::Error::custom("zendesk.timestamp_tolerance_secs must be between 1 and 3600"))
        }
    }
}

/// `"jira": {...}`: per-tenant knobs of the Jira plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JiraSettings {
    /// How far an admin webhook's `timestamp` (in the signed body, epoch milliseconds) may be from our
    /// clock, either way, in seconds. Jira's signature has no timestamp of its own, so without this a
    /// captured request stays valid for ever once its dedup mark has expired; Jira retries a failed delivery
    /// for up to about an hour, hence the generous bounds. 60 to 86,400.
    #[serde(deserialize_with = "JiraSettings::max_age")]
    pub max_event_age_secs: u32,
}

impl JiraSettings {
    fn max_age<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
        let secs = u32::deserialize(deserializer)?;
        if (60..=86_400).contains(&secs) {
            Ok(secs)
        } else {
            Err(serde::de::Error::custom("jira.max_event_age_secs must be between 60 and 86400"))
        }
    }
}

/// Webhooks accepted per second for the tenant, shared across ingest replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimit {
    pub per_second: u32,
    pub burst: u32,
}

impl Default for RateLimit {
    /// Generous for a service desk (a mass import of tickets is a burst), tight enough to stop a loop.
    fn default() -> Self {
        Self { per_second: 50, burst: 200 }
    }
}

/// Which gather stages run for the tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageToggles {
    pub similar_tickets: bool,
    pub knowledge_base: bool,
    pub assets: bool,
}

impl Default for StageToggles {
    fn default() -> Self {
        Self { similar_tickets: true, knowledge_base: true, assets: true }
    }
}

/// Per-tenant overrides of the global LLM configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmOverride {
    pub model: Option<String>,
    pub temperature: Option<f32>,
    pub max_tokens: Option<u32>,
}

/// ServiceNow knobs (`"servicenow": {...}` in the settings document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceNowSettings {
    /// The table whose records are the tickets (`incident`, `sc_req_item`, a custom `u_...` table). It is
    /// placed in REST paths and encoded queries, so only `a-z`, `0-9` and `_` are accepted.
    #[serde(deserialize_with = "servicenow_table")]
    pub table: String,
    /// How the work note is written into the journal.
    pub note_format: ServiceNowNoteFormat,
}

impl Default for ServiceNowSettings {
    fn default() -> Self {
        Self { table: "incident".into(), note_format: ServiceNowNoteFormat::Plain }
    }
}

/// A journal field holds plain text; only text inside `[code]...[/code]` renders as HTML, and instances can
/// turn that off. Plain text therefore is the default, and HTML a tenant's choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServiceNowNoteFormat {
    Plain,
    Html,
}

fn servicenow_table<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let table = String::deserialize(deserializer)?;
    let valid = !table.is_empty()
        && table.len() <= 80
        && table.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if valid { Ok(table) } else { Err(serde::de::Error::custom("servicenow.table must be a table name (a-z, 0-9, _)")) }
}

/// Why a settings document was refused.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("settings are not valid: {0}")]
    Invalid(#[from] serde_json::Error),
    #[error("settings.{key}: {reason}")]
    OutOfRange { key: &'static str, reason: &'static str },
}

impl TenantSettings {
    /// Parses and range-checks a settings document (`--settings-file`).
    pub fn from_json(value: serde_json::Value) -> Result<Self, SettingsError> {
        let settings: TenantSettings = serde_json::from_value(value)?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), SettingsError> {
        if self.rate_limit.per_second == 0 {
            return Err(SettingsError::OutOfRange { key: "rate_limit.per_second", reason: "must be at least 1" });
        }
        if self.rate_limit.burst < self.rate_limit.per_second {
            return Err(SettingsError::OutOfRange {
                key: "rate_limit.burst",
                reason: "must be at least rate_limit.per_second",
            });
        }
        if self.llm.temperature.is_some_and(|t| !(0.0..=2.0).contains(&t)) {
            return Err(SettingsError::OutOfRange { key: "llm.temperature", reason: "must be between 0 and 2" });
        }
        Ok(())
    }

    /// The tenant's own mapping for a tool priority name, if it has one.
    pub fn mapped_priority(&self, tool_value: &str) -> Option<Priority> {
        self.priority_map
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(tool_value.trim()))
            .map(|(_, priority)| *priority)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn empty_document_gives_defaults() {
        let settings = TenantSettings::from_json(json!({})).expect("valid");
        assert_eq!(settings, TenantSettings::default());
        assert_eq!(settings.enhance_events, vec![EventKind::Created]);
    }

    #[test]
    fn typos_and_bad_ranges_are_refused() {
        let err = TenantSettings::from_json(json!({"enhance_event": ["created"]})).expect_err("typo");
        assert!(err.to_string().contains("enhance_event"), "{err}");
        let err = TenantSettings::from_json(json!({"rate_limit": {"per_second": 10, "burst": 1}})).expect_err("burst");
        assert!(err.to_string().contains("rate_limit.burst"), "{err}");
    }

    #[test]
    fn zendesk_knobs_have_defaults_and_bounds() {
        let settings = TenantSettings::from_json(json!({"zendesk": {}})).expect("valid");
        assert_eq!(settings.zendesk, Some(ZendeskSettings { timestamp_tolerance_secs: 300 }));
        let settings = TenantSettings::from_json(json!({"zendesk": {"timestamp_tolerance_secs": 60}})).expect("ok");
        assert_eq!(settings.zendesk.map(|z| z.timestamp_tolerance_secs), Some(60));
        for bad in [json!({"timestamp_tolerance_secs": 0}), json!({"timestamp_tolerance_secs": 3601}), json!({"x": 1})]
        {
            assert!(TenantSettings::from_json(json!({"zendesk": bad})).is_err(), "{bad}");
        }
        let absent = serde_json::to_value(TenantSettings::default()).expect("json");
        assert!(absent.get("zendesk").is_none(), "absent stays absent: {absent}");
    }

    #[test]
    fn servicenow_settings_default_and_refuse_odd_tables() {
        let settings = TenantSettings::from_json(json!({"servicenow": {}})).expect("valid");
        assert_eq!(settings.servicenow, Some(ServiceNowSettings::default()));
        assert_eq!(serde_json::to_value(TenantSettings::default()).expect("json").get("servicenow"), None);
        let custom = json!({"servicenow": {"table": "u_it_request", "note_format": "html"}});
        let settings = TenantSettings::from_json(custom).expect("valid");
        let servicenow = settings.servicenow.expect("set");
        assert_eq!((servicenow.table.as_str(), servicenow.note_format), ("u_it_request", ServiceNowNoteFormat::Html));
        for bad in [json!({"table": "incident^ORsys_id!=x"}), json!({"table": ""}), json!({"tabel": "incident"})] {
            assert!(TenantSettings::from_json(json!({"servicenow": bad})).is_err(), "{bad}");
        }
    }

    #[test]
    fn jira_freshness_window_is_optional_and_bounded() {
        assert_eq!(TenantSettings::default().jira, None);
        let settings = TenantSettings::from_json(json!({"jira": {"max_event_age_secs": 3600}})).expect("valid");
        assert_eq!(settings.jira, Some(JiraSettings { max_event_age_secs: 3600 }));
        for bad in [json!({}), json!({"max_event_age_secs": 59}), json!({"max_event_age_secs": 86_401})] {
            assert!(TenantSettings::from_json(json!({"jira": bad})).is_err(), "{bad}");
        }
    }

    #[test]
    fn priority_map_is_case_insensitive() {
        let settings = TenantSettings::from_json(json!({"priority_map": {"P1 - Outage": "critical"}})).expect("valid");
        assert_eq!(settings.mapped_priority("p1 - outage"), Some(Priority::Critical));
        assert_eq!(settings.mapped_priority("P2"), None);
    }
}
