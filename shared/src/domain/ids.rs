//! Validated identifiers: tenants (chosen by operators, used in URLs) and tickets (chosen by the tool).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an identifier was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("tenant id must be 1 to 64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit; got {0:?}")]
    InvalidTenant(String),
    #[error("ticket id must be 1 to 128 printable characters without '/' or whitespace; got {0:?}")]
    InvalidTicket(String),
}

/// A tenant: one ticketing-tool instance of one customer. It appears in the webhook URL path
/// (`/webhooks/{tenant_id}`) and in queue headers, so it is restricted to a URL- and log-safe alphabet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: impl Into<String>) -> Result<Self, IdError> {
        let raw = raw.into();
        let ok_len = (1..=64).contains(&raw.len());
        let ok_first = raw.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let ok_chars = raw.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if ok_len && ok_first && ok_chars { Ok(Self(raw)) } else { Err(IdError::InvalidTenant(raw)) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<TenantId> for String {
    fn from(value: TenantId) -> Self {
        value.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The tool's own id of a ticket (`4711` in ServiceDesk Plus, `ITSM-42` in Jira, a sys_id in ServiceNow).
/// It is interpolated into REST paths, so path separators and whitespace are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TicketId(String);

impl TicketId {
    pub fn parse(raw: impl Into<String>) -> Result<Self, IdError> {
        let raw = raw.into();
        let ok_len = (1..=128).contains(&raw.len());
        let ok_chars =
            raw.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '/' && c != '\\' && c != '?' && c != '#');
        if ok_len && ok_chars && raw != "." && raw != ".." { Ok(Self(raw)) } else { Err(IdError::InvalidTicket(raw)) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TicketId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<TicketId> for String {
    fn from(value: TicketId) -> Self {
        value.0
    }
}

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_are_url_safe() {
        assert!(TenantId::parse("acme").is_ok());
        assert!(TenantId::parse("acme-eu_2").is_ok());
        for bad in ["", "Acme", "-acme", "acme/x", "acme x", "ä", &"a".repeat(65)] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn ticket_ids_cannot_escape_a_path() {
        assert!(TicketId::parse("ITSM-42").is_ok());
        assert!(TicketId::parse("4711").is_ok());
        for bad in ["", "..", "a/b", "a b", "a?x=1", "a#b", "a\nb"] {
            assert!(TicketId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<TenantId>("\"acme\"").is_ok());
        assert!(serde_json::from_str::<TenantId>("\"ACME\"").is_err());
    }
}
