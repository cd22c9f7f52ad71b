//! The ticketing tools we speak to: one variant per tool that has a plugin. The plugins' registry matches
//! over this enum without a wildcard, so a variant without a plugin does not compile; what each tool needs
//! (credentials, formats) belongs to its plugin, not here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A ticketing tool. Serialized as its snake_case name, the value of `--tool` and of `tenant_configs.tool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolKind {
    ServicedeskPlus,
    Jira,
    Zendesk,
    /// One word, as the database and `--tool` spell it (snake_case would make it `service_now`).
    #[serde(rename = "servicenow")]
    ServiceNow,
    Generic,
    Freshservice,
}

/// A tool name with no plugin behind it (a typo, or a tool not built yet). The message lists the tools
/// that can be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("no plugin for tool {0:?}; the tools with a plugin are {names}", names = ToolKind::names())]
pub struct UnknownToolKind(pub String);

impl ToolKind {
    pub const ALL: [ToolKind; 6] = [
        ToolKind::ServicedeskPlus,
        ToolKind::Jira,
        ToolKind::Zendesk,
        ToolKind::ServiceNow,
        ToolKind::Freshservice,
        ToolKind::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ToolKind::ServicedeskPlus => "servicedesk_plus",
            ToolKind::Jira => "jira",
            ToolKind::Zendesk => "zendesk",
            ToolKind::ServiceNow => "servicenow",
            ToolKind::Generic => "generic",
            ToolKind::Freshservice => "freshservice",
        }
    }

    /// Every tool name, comma-separated (for help texts and error messages).
    pub fn names() -> String {
        ToolKind::ALL.map(ToolKind::as_str).join(", ")
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
    }

    #[test]
    fn a_tool_without_a_plugin_is_refused_with_the_list_of_tools() {
        let err = "otrs".parse::<ToolKind>().expect_err("no plugin");
        let message = err.to_string();
        assert!(
            message.contains("\"otrs\"")
                && message.contains("servicedesk_plus, jira, zendesk, servicenow, freshservice, generic"),
            "{message}"
        );
    }
}
