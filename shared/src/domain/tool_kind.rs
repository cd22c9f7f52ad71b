//! The ticketing tools we speak to, and the credential keys each one needs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A ticketing tool. Serialized as its snake_case name, the value of `--tool` and of `tenant_configs.tool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolKind {
    ServicedeskPlus,
    Jira,
    Zendesk,
    Servicenow,
    Freshservice,
    Generic,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown tool {0:?}; expected one of servicedesk_plus, jira, zendesk, servicenow, freshservice, generic")]
pub struct UnknownToolKind(pub String);

/// Why a tenant's credentials JSON does not fit its tool. Messages name keys, never values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CredentialsError {
    #[error("credentials must be a JSON object")]
    NotAnObject,
    #[error("credentials for {tool} need {expected}; missing {missing:?}")]
    Missing { tool: ToolKind, expected: String, missing: Vec<String> },
    #[error("credentials for {tool} have unknown key {key:?}; allowed: {allowed}")]
    UnknownKey { tool: ToolKind, key: String, allowed: String },
    #[error("credential {key:?} must be a non-empty string")]
    NotAString { key: String },
}

impl ToolKind {
    pub const ALL: [ToolKind; 6] = [
        ToolKind::ServicedeskPlus,
        ToolKind::Jira,
        ToolKind::Zendesk,
        ToolKind::Servicenow,
        ToolKind::Freshservice,
        ToolKind::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ToolKind::ServicedeskPlus => "servicedesk_plus",
            ToolKind::Jira => "jira",
            ToolKind::Zendesk => "zendesk",
            ToolKind::Servicenow => "servicenow",
            ToolKind::Freshservice => "freshservice",
            ToolKind::Generic => "generic",
        }
    }

    /// The accepted credential shapes: the credentials must contain every key of at least one set.
    /// An empty set means no credential is required (the generic tool's callback token is optional).
    pub fn credential_sets(self) -> &'static [&'static [&'static str]] {
        match self {
            // Admin webhooks with REST basic auth, or an Atlassian Connect app (JWT).
            ToolKind::Jira => &[&["email", "api_token"], &["shared_secret", "client_key"]],
            // On-prem `authtoken`, or a Zoho OAuth token for the cloud edition.
            ToolKind::ServicedeskPlus => &[&["authtoken"], &["oauth_token"]],
            ToolKind::Zendesk => &[&["email", "api_token"]],
            ToolKind::Servicenow => &[&["username", "password"]],
            ToolKind::Freshservice => &[&["api_key"]],
            ToolKind::Generic => &[&[]],
        }
    }

    /// Every key this tool knows, including optional ones.
    fn allowed_keys(self) -> Vec<&'static str> {
        // A tenant may hold several sets at once (a Jira Connect app also needs REST credentials).
        let mut keys: Vec<&str> = self.credential_sets().iter().flat_map(|set| set.iter().copied()).collect();
        if self == ToolKind::Generic {
            keys.push("callback_token");
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Checks a credentials object before anything is written: an unknown key (most often a typo) or a
    /// missing one is refused with a message that names the keys and never the values.
    pub fn validate_credentials(self, credentials: &Value) -> Result<(), CredentialsError> {
        let Some(object) = credentials.as_object() else {
            return Err(CredentialsError::NotAnObject);
        };
        let allowed = self.allowed_keys();
        for (key, value) in object {
            if !allowed.contains(&key.as_str()) {
                return Err(CredentialsError::UnknownKey { tool: self, key: key.clone(), allowed: allowed.join(", ") });
            }
            if value.as_str().is_none_or(|s| s.trim().is_empty()) {
                return Err(CredentialsError::NotAString { key: key.clone() });
            }
        }
        let sets = self.credential_sets();
        if sets.iter().any(|set| set.iter().all(|key| object.contains_key(*key))) {
            return Ok(());
        }
        // Report against the set the operator was closest to completing.
        let closest = sets
            .iter()
            .max_by_key(|set| set.iter().filter(|key| object.contains_key(**key)).count())
            .copied()
            .unwrap_or_default();
        Err(CredentialsError::Missing {
            tool: self,
            expected: sets.iter().map(|set| format!("{{{}}}", set.join(", "))).collect::<Vec<_>>().join(" or "),
            missing: closest.iter().filter(|key| !object.contains_key(**key)).map(|key| (*key).to_owned()).collect(),
        })
    }
}

impl fmt::Display for ToolKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ToolKind {
    type Err = UnknownToolKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ToolKind::ALL.into_iter().find(|kind| kind.as_str() == s).ok_or_else(|| UnknownToolKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in ToolKind::ALL {
            assert_eq!(kind.as_str().parse::<ToolKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).expect("json"), json!(kind.as_str()));
        }
        assert!("github".parse::<ToolKind>().is_err());
    }

    #[test]
    fn each_tool_accepts_its_documented_credentials() {
        let ok = [
            (ToolKind::Jira, json!({"email": "a@b.c", "api_token": "t"})),
            (ToolKind::Jira, json!({"shared_secret": "s", "client_key": "k"})),
            (ToolKind::ServicedeskPlus, json!({"authtoken": "t"})),
            (ToolKind::ServicedeskPlus, json!({"oauth_token": "t"})),
            (ToolKind::Zendesk, json!({"email": "a@b.c", "api_token": "t"})),
            (ToolKind::Servicenow, json!({"username": "u", "password": "p"})),
            (ToolKind::Freshservice, json!({"api_key": "k"})),
            (ToolKind::Generic, json!({})),
            (ToolKind::Generic, json!({"callback_token": "t"})),
        ];
        for (tool, creds) in ok {
            assert_eq!(tool.validate_credentials(&creds), Ok(()), "{tool} {creds}");
        }
    }

    #[test]
    fn missing_and_unknown_keys_are_named_without_values() {
        let err = ToolKind::Jira.validate_credentials(&json!({"email": "secret-mail"})).expect_err("missing");
        let message = err.to_string();
        assert!(message.contains("api_token"), "{message}");
        assert!(!message.contains("secret-mail"), "{message}");

        let err =
            ToolKind::Zendesk.validate_credentials(&json!({"email": "a", "api-token": "hunter2"})).expect_err("typo");
        assert!(err.to_string().contains("api-token"));
        assert!(!err.to_string().contains("hunter2"));

        assert_eq!(ToolKind::Freshservice.validate_credentials(&json!("k")), Err(CredentialsError::NotAnObject));
        assert!(ToolKind::Freshservice.validate_credentials(&json!({"api_key": ""})).is_err());
        assert!(ToolKind::Freshservice.validate_credentials(&json!({"api_key": 5})).is_err());
    }
}
