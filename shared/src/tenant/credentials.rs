//! The tool credentials of one tenant (API tokens, passwords), as a map that wipes itself when dropped.

use serde_json::{Map, Value};
use zeroize::Zeroize;

/// The decrypted credentials object, e.g. `{"email": "...", "api_token": "..."}`. Hold it only inside a
/// `secrecy::SecretBox` so it never reaches `Debug` output or logs.
#[derive(Clone, Default, PartialEq)]
pub struct Credentials(Map<String, Value>);

impl Credentials {
    pub fn new(map: Map<String, Value>) -> Self {
        Self(map)
    }

    /// Credentials from pairs (tests, fixtures).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Self(pairs.into_iter().map(|(k, v)| (k.into(), Value::String(v.into()))).collect())
    }

    /// A string credential by key, e.g. `get("api_token")`; `None` when absent or blank.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str).filter(|value| !value.trim().is_empty())
    }

    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    pub fn as_map(&self) -> &Map<String, Value> {
        &self.0
    }
}

impl std::fmt::Debug for Credentials {
    /// Key names only: they say which credential set a tenant uses without revealing anything.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Credentials").field(&self.0.keys().collect::<Vec<_>>()).finish()
    }
}

impl Zeroize for Credentials {
    /// Overwrites every string value before the map is cleared; credentials are flat strings.
    fn zeroize(&mut self) {
        for value in self.0.values_mut() {
            if let Value::String(text) = value {
                text.zeroize();
            }
        }
        self.0.clear();
    }
}

impl Drop for Credentials {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl secrecy::CloneableSecret for Credentials {}
