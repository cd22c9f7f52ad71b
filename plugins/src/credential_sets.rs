//! The check behind every plugin's `validate_credentials`: a tool accepts one or more sets of credential
//! keys (Jira: an API token, or a Connect app), and a tenant's credentials must hold every key of at least
//! one set and no key the tool does not know. Run before anything is stored, so a typo in a key name is
//! refused at `tenant add` rather than failing every job later.

use enhancer_shared::ToolKind;
use enhancer_shared::tenant::Credentials;

use crate::error::CredentialsError;

/// The credential shapes a tool accepts.
#[derive(Debug, Clone, Copy)]
pub struct CredentialSets {
    pub tool: ToolKind,
    /// Each set is complete on its own; an empty set means nothing is required.
    pub sets: &'static [&'static [&'static str]],
    /// Keys that may be given besides the sets.
    pub optional: &'static [&'static str],
}

impl CredentialSets {
    /// Every key this tool knows. A tenant may hold several sets at once (a Jira Connect app also needs
    /// REST credentials).
    fn allowed(&self) -> Vec<&'static str> {
        let mut keys: Vec<&str> = self.sets.iter().flat_map(|set| set.iter().copied()).collect();
        keys.extend_from_slice(self.optional);
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Refuses an unknown key (most often a typo) or a missing one, naming keys and never values.
    pub fn check(&self, credentials: &Credentials) -> Result<(), CredentialsError> {
        let allowed = self.allowed();
        if let Some(key) = credentials.keys().find(|key| !allowed.contains(key)) {
            return Err(CredentialsError::UnknownKey {
                tool: self.tool,
                key: key.to_owned(),
                allowed: allowed.join(", "),
            });
        }
        if self.sets.iter().any(|set| set.iter().all(|key| credentials.contains(key))) {
            return Ok(());
        }
        // Report against the set the operator was closest to completing.
        let closest = self
            .sets
            .iter()
            .max_by_key(|set| set.iter().filter(|key| credentials.contains(key)).count())
            .copied()
            .unwrap_or_default();
        Err(CredentialsError::Missing {
            tool: self.tool,
            expected: self.sets.iter().map(|set| format!("{{{}}}", set.join(", "))).collect::<Vec<_>>().join(" or "),
            missing: closest.iter().filter(|key| !credentials.contains(key)).map(|key| (*key).to_owned()).collect(),
        })
    }
}
