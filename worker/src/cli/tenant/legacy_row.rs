//! One line of the earlier platform's tenant export (JSON Lines, one `tenant_configs` row per line; the
//! query that writes it is in docs/OPERATIONS.md, "Migrating tenants from the earlier platform"):
//!
//! `{"tenant_id", "name", "tool_type", "base_url", "webhook_secret_encrypted", "api_credentials_encrypted",
//! "settings"}`. The two `_encrypted` fields are Fernet tokens; the credentials decrypt to a JSON object.
//! `settings` is a JSON object, or null/absent for the defaults. Any other field is refused, so a renamed
//! column is an error and not a silently dropped value.
//!
//! Nothing read here is echoed in an error: messages name fields, never values (a token, once decrypted,
//! is a secret, and a mis-pasted secret may sit in any field).

use enhancer_shared::crypto::legacy_fernet::{FernetError, LegacyFernetKeys};
use secrecy::{ExposeSecret, SecretBox};
use serde_json::{Map, Value, json};

/// The fields of an export row, in the order the documented query writes them.
pub const FIELDS: [&str; 7] =
    ["tenant_id", "name", "tool_type", "base_url", "webhook_secret_encrypted", "api_credentials_encrypted", "settings"];

/// An export row whose fields have the right types; nothing is decrypted or validated yet.
pub struct LegacyRow {
    pub tenant_id: String,
    pub name: String,
    pub tool_type: String,
    pub base_url: String,
    webhook_secret_encrypted: String,
    api_credentials_encrypted: String,
    pub settings: Option<Value>,
}

/// Why a line could not be read as a row, or its tokens not as secrets.
#[derive(Debug, thiserror::Error)]
pub enum RowError {
    #[error("not a JSON object on one line ({0})")]
    NotJson(String),
    #[error("not a JSON object")]
    NotAnObject,
    #[error("unknown field {0:?}; the fields are {fields}", fields = FIELDS.join(", "))]
    UnknownField(String),
    #[error("field {0:?} is missing")]
    Missing(&'static str),
    #[error("field {field:?} must be {expected}")]
    WrongType { field: &'static str, expected: &'static str },
    #[error("{field}: {source} (a wrong ENHANCER_LEGACY_FERNET_KEY, or a changed token)")]
    Fernet { field: &'static str, source: FernetError },
    #[error("webhook_secret_encrypted does not decrypt to UTF-8 text")]
    WebhookSecretNotText,
    #[error("api_credentials_encrypted does not decrypt to JSON")]
    CredentialsNotJson,
}

impl LegacyRow {
    /// Reads one line of the export.
    pub fn parse(line: &str) -> Result<LegacyRow, RowError> {
        // Serde's messages can quote the input, so only the error's category and column are kept.
        let value: Value = serde_json::from_str(line)
            .map_err(|err| RowError::NotJson(format!("{:?} error at column {}", err.classify(), err.column())))?;
        let Value::Object(mut object) = value else {
            return Err(RowError::NotAnObject);
        };
        if let Some(unknown) = object.keys().find(|key| !FIELDS.contains(&key.as_str())) {
            return Err(RowError::UnknownField(unknown.clone()));
        }
        let settings = match object.remove("settings") {
            None | Some(Value::Null) => None,
            Some(value @ Value::Object(_)) => Some(value),
            Some(_) => return Err(RowError::WrongType { field: "settings", expected: "a JSON object or null" }),
        };
        Ok(LegacyRow {
            tenant_id: text(&mut object, "tenant_id")?,
            name: text(&mut object, "name")?,
            tool_type: text(&mut object, "tool_type")?,
            base_url: text(&mut object, "base_url")?,
            webhook_secret_encrypted: text(&mut object, "webhook_secret_encrypted")?,
            api_credentials_encrypted: text(&mut object, "api_credentials_encrypted")?,
            settings,
        })
    }

    /// Decrypts both tokens into the secrets document `tenant add` reads from `--secrets-file`
    /// (`{"webhook_secret": "...", "credentials": {...}}`), so the same code validates it.
    pub fn secrets_document(&self, keys: &LegacyFernetKeys) -> Result<SecretBox<Vec<u8>>, RowError> {
        let webhook_secret = keys
            .decrypt(&self.webhook_secret_encrypted)
            .map_err(|source| RowError::Fernet { field: "webhook_secret_encrypted", source })?;
        let webhook_secret =
            std::str::from_utf8(webhook_secret.expose_secret()).map_err(|_| RowError::WebhookSecretNotText)?;
        let credentials = keys
            .decrypt(&self.api_credentials_encrypted)
            .map_err(|source| RowError::Fernet { field: "api_credentials_encrypted", source })?;
        let credentials: Value =
            serde_json::from_slice(credentials.expose_secret()).map_err(|_| RowError::CredentialsNotJson)?;
        let document = json!({"webhook_secret": webhook_secret, "credentials": credentials});
        Ok(SecretBox::new(Box::new(serde_json::to_vec(&document).expect("a JSON value always serializes"))))
    }
}

/// A required string field. An empty string is kept: the tenant's own validation says what is wrong with it.
fn text(object: &mut Map<String, Value>, field: &'static str) -> Result<String, RowError> {
    match object.remove(field) {
        None | Some(Value::Null) => Err(RowError::Missing(field)),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(RowError::WrongType { field, expected: "a string" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(overrides: &[(&str, Value)]) -> String {
        let mut row = json!({
            "tenant_id": "acme", "name": "Acme", "tool_type": "jira", "base_url": "https://acme.example",
            "webhook_secret_encrypted": "gAAAA-hunter2", "api_credentials_encrypted": "gAAAA-hunter2",
        });
        for (key, value) in overrides {
            row[*key] = value.clone();
        }
        row.to_string()
    }

    #[test]
    fn reads_a_row_with_and_without_settings() {
        let row = LegacyRow::parse(&line(&[])).expect("valid");
        assert_eq!((row.tenant_id.as_str(), row.tool_type.as_str()), ("acme", "jira"));
        assert!(row.settings.is_none());
        let row = LegacyRow::parse(&line(&[("settings", json!({"redact_pii": true}))])).expect("valid");
        assert_eq!(row.settings, Some(json!({"redact_pii": true})));
        assert!(LegacyRow::parse(&line(&[("settings", Value::Null)])).expect("valid").settings.is_none());
    }

    #[test]
    fn refuses_malformed_rows_without_quoting_them() {
        let cases = [
            ("{\"tenant_id\": \"hunter2\"".to_owned(), "not a JSON object on one line"),
            ("[\"hunter2\"]".to_owned(), "not a JSON object"),
            (line(&[("password", json!("hunter2"))]), "unknown field \"password\""),
            (line(&[("name", Value::Null)]), "field \"name\" is missing"),
            (line(&[("base_url", json!(["hunter2"]))]), "field \"base_url\" must be a string"),
            (line(&[("settings", json!("hunter2"))]), "field \"settings\" must be a JSON object or null"),
        ];
        for (raw, expected) in cases {
            let err = LegacyRow::parse(&raw).err().unwrap_or_else(|| panic!("{raw} accepted"));
            let message = err.to_string();
            assert!(message.contains(expected), "{raw}: {message}");
            assert!(!message.contains("hunter2"), "{message}");
        }
    }
}
