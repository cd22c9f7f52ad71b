//! A tenant's secrets, the one type for them in the workspace: the webhook secret and the tool's credentials,
//! as operators hand them over (`--secrets-file`), as the tenant store seals and opens them, and as the
//! plugins borrow them to verify webhooks and call APIs. They are only ever held in `secrecy` types, and
//! no error built from them quotes a value.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::Credentials;

/// The decrypted secrets of one tenant. `Debug` prints nothing secret.
pub struct TenantSecrets {
    webhook_secret: SecretString,
    credentials: SecretBox<Credentials>,
}

impl std::fmt::Debug for TenantSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.credentials().keys().collect();
        f.debug_struct("TenantSecrets").field("webhook_secret", &"[REDACTED]").field("credential_keys", &keys).finish()
    }
}

/// Why a secrets document was refused. Messages name keys and positions, never values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretsError {
    #[error(
        "secrets must be a JSON object {{\"webhook_secret\": \"...\", \"credentials\": {{...}}}} ({0}); the file content is not shown"
    )]
    Malformed(String),
    #[error("secrets.webhook_secret must be a non-empty string")]
    EmptyWebhookSecret,
    #[error("secrets.credentials must be a JSON object")]
    CredentialsNotAnObject,
    #[error("secrets.credentials.{key} must be a non-empty string")]
    CredentialNotAString { key: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsDocument {
    webhook_secret: String,
    #[serde(default)]
    credentials: Value,
}

impl TenantSecrets {
    /// Secrets from their parts (the store, tests). Nothing is checked: see [`TenantSecrets::parse`].
    pub fn new(webhook_secret: SecretString, credentials: Credentials) -> Self {
        Self { webhook_secret, credentials: SecretBox::new(Box::new(credentials)) }
    }

    /// Parses `{"webhook_secret": "...", "credentials": {...}}`: a non-blank webhook secret and a flat object
    /// of non-blank strings. Which credential keys a tool needs is its plugin's check
    /// (`TicketingTool::validate_credentials`), made before anything is stored.
    pub fn parse(raw: &[u8]) -> Result<TenantSecrets, SecretsError> {
        // Parsed as a value first: serde would also read a struct from a JSON array (`["..."]`).
        let value: Value = serde_json::from_slice(raw).map_err(|err| SecretsError::Malformed(redacted(&err)))?;
        if !value.is_object() {
            return Err(SecretsError::Malformed("the document is not a JSON object".into()));
        }
        let document: SecretsDocument =
            serde_json::from_value(value).map_err(|err| SecretsError::Malformed(redacted(&err)))?;
        let webhook_secret = SecretString::from(document.webhook_secret);
        if webhook_secret.expose_secret().trim().is_empty() {
            return Err(SecretsError::EmptyWebhookSecret);
        }
        let credentials = match document.credentials {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            _ => return Err(SecretsError::CredentialsNotAnObject),
        };
        if let Some((key, _)) = credentials.iter().find(|(_, value)| value.as_str().is_none_or(|s| s.trim().is_empty()))
        {
            return Err(SecretsError::CredentialNotAString { key: key.clone() });
        }
        Ok(TenantSecrets::new(webhook_secret, Credentials::new(credentials)))
    }

    pub fn webhook_secret(&self) -> &SecretString {
        &self.webhook_secret
    }

    pub fn credentials(&self) -> &Credentials {
        self.credentials.expose_secret()
    }

    pub(crate) fn credentials_json(&self) -> Vec<u8> {
        serde_json::to_vec(self.credentials().as_map()).expect("a JSON map always serializes")
    }
}

/// serde's messages can quote the input ("invalid type: string \"hunter2\""); messages about fields name
/// only keys and are kept, every other one is reduced to its category and position. The one place in the
/// workspace that turns a serde error over secret material into text.
pub fn redacted(err: &serde_json::Error) -> String {
    let message = err.to_string();
    if message.starts_with("missing field") || message.starts_with("unknown field") {
        return message;
    }
    format!("{:?} error at line {} column {}", err.classify(), err.line(), err.column())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_redacts() {
        let raw = br#"{"webhook_secret": "s3cret", "credentials": {"email": "a@b.c", "api_token": "tok"}}"#;
        let secrets = TenantSecrets::parse(raw).expect("valid");
        assert_eq!(secrets.webhook_secret().expose_secret(), "s3cret");
        assert_eq!(secrets.credentials().get("api_token"), Some("tok"));
        let debug = format!("{secrets:?}");
        assert!(!debug.contains("s3cret") && !debug.contains("tok\""), "{debug}");
        assert!(debug.contains("api_token"), "{debug}");
    }

    #[test]
    fn malformed_documents_do_not_echo_their_content() {
        for raw in [
            &br#"{"webhook_secret": "hunter2""#[..],
            br#"["hunter2"]"#,
            br#"{"webhook_secret": "hunter2", "x": 1}"#,
            br#"{"webhook_secret": 12345}"#,
            br#"{"webhook_secret": "w", "credentials": {"api_token": 12345}}"#,
            br#"{"webhook_secret": "w", "credentials": "hunter2"}"#,
        ] {
            let err = TenantSecrets::parse(raw).expect_err("malformed");
            assert!(!err.to_string().contains("hunter2") && !err.to_string().contains("12345"), "{err}");
        }
        assert_eq!(TenantSecrets::parse(br#"{"webhook_secret": " "}"#).unwrap_err(), SecretsError::EmptyWebhookSecret);
        assert_eq!(
            TenantSecrets::parse(br#"{"webhook_secret": "w", "credentials": {"api_token": " "}}"#).unwrap_err(),
            SecretsError::CredentialNotAString { key: "api_token".into() }
        );
    }
}
