//! A tenant's secrets as operators hand them over (`--secrets-file`): the webhook secret and the tool's
//! credentials. They are only ever held in `secrecy` types and are sealed before they reach the database.

use secrecy::{ExposeSecret, SecretBox, SecretString};

use super::Credentials;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::{CredentialsError, ToolKind};

/// The decrypted secrets of one tenant. `Debug` prints nothing secret.
pub struct TenantSecrets {
    pub webhook_secret: SecretString,
    pub credentials: SecretBox<Credentials>,
}

impl std::fmt::Debug for TenantSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.credentials.expose_secret().keys().collect();
        f.debug_struct("TenantSecrets").field("webhook_secret", &"[REDACTED]").field("credential_keys", &keys).finish()
    }
}

impl Clone for TenantSecrets {
    fn clone(&self) -> Self {
        Self {
            webhook_secret: self.webhook_secret.clone(),
            credentials: SecretBox::new(Box::new(self.credentials.expose_secret().clone())),
        }
    }
}

/// Why a secrets document was refused. Serde's messages can quote input, so only its position is kept.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error(
        "secrets must be a JSON object {{\"webhook_secret\": \"...\", \"credentials\": {{...}}}} ({0}); the file content is not shown"
    )]
    Malformed(String),
    #[error("secrets.webhook_secret must be a non-empty string")]
    EmptyWebhookSecret,
    #[error("secrets.credentials: {0}")]
    Credentials(#[from] CredentialsError),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsDocument {
    webhook_secret: String,
    #[serde(default)]
    credentials: Value,
}

impl TenantSecrets {
    /// Parses `{"webhook_secret": "...", "credentials": {...}}` and validates the credentials for `tool`.
    pub fn parse(tool: ToolKind, raw: &[u8]) -> Result<TenantSecrets, SecretsError> {
        // Parsed as a value first: serde would also read a struct from a JSON array (`["..."]`).
        let value: Value = serde_json::from_slice(raw).map_err(|err| {
            SecretsError::Malformed(format!(
                "{:?} error at line {} column {}",
                err.classify(),
                err.line(),
                err.column()
            ))
        })?;
        if !value.is_object() {
            return Err(SecretsError::Malformed("the document is not a JSON object".into()));
        }
        let document: SecretsDocument = serde_json::from_value(value).map_err(|err| {
            let message = err.to_string();
            // Serde's messages about fields name only keys; every other message may quote the input,
            // so only its category and position are kept.
            if message.starts_with("missing field") || message.starts_with("unknown field") {
                SecretsError::Malformed(message)
            } else {
                SecretsError::Malformed(format!(
                    "{:?} error at line {} column {}",
                    err.classify(),
                    err.line(),
                    err.column()
                ))
            }
        })?;
        let webhook_secret = SecretString::from(document.webhook_secret);
        if webhook_secret.expose_secret().trim().is_empty() {
            return Err(SecretsError::EmptyWebhookSecret);
        }
        let credentials = match document.credentials {
            Value::Null => Value::Object(Map::new()),
            other => other,
        };
        tool.validate_credentials(&credentials)?;
        let Value::Object(credentials) = credentials else {
            return Err(SecretsError::Credentials(CredentialsError::NotAnObject));
        };
        Ok(TenantSecrets { webhook_secret, credentials: SecretBox::new(Box::new(Credentials::new(credentials))) })
    }

    pub(crate) fn credentials_json(&self) -> Vec<u8> {
        serde_json::to_vec(self.credentials.expose_secret().as_map()).expect("a JSON map always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates_per_tool() {
        let raw = br#"{"webhook_secret": "s3cret", "credentials": {"email": "a@b.c", "api_token": "tok"}}"#;
        let secrets = TenantSecrets::parse(ToolKind::Jira, raw).expect("valid");
        assert_eq!(secrets.webhook_secret.expose_secret(), "s3cret");
        let debug = format!("{secrets:?}");
        assert!(!debug.contains("s3cret") && !debug.contains("tok\""), "{debug}");

        let err = TenantSecrets::parse(ToolKind::Servicenow, raw).expect_err("wrong keys");
        assert!(err.to_string().contains("unknown key"), "{err}");
    }

    #[test]
    fn malformed_documents_do_not_echo_their_content() {
        for raw in
            [&br#"{"webhook_secret": "hunter2""#[..], br#"["hunter2"]"#, br#"{"webhook_secret": "hunter2", "x": 1}"#]
        {
            let err = TenantSecrets::parse(ToolKind::Generic, raw).expect_err("malformed");
            assert!(!err.to_string().contains("hunter2"), "{err}");
        }
        assert!(matches!(
            TenantSecrets::parse(ToolKind::Generic, br#"{"webhook_secret": " "}"#),
            Err(SecretsError::EmptyWebhookSecret)
        ));
    }
}
