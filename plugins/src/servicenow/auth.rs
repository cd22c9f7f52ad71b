//! Which of ServiceNow's auth methods a tenant's credentials select, and the check made at `tenant add`:
//!
//! | credentials | method |
//! |---|---|
//! | `username`, `password` | Basic |
//! | `client_id`, `client_secret`, `username`, `password` | OAuth 2.0 password grant |
//! | `client_id`, `client_secret`, `refresh_token` | OAuth 2.0 refresh-token grant |
//!
//! `client_id` selects OAuth; with it, `refresh_token` selects the refresh-token grant.

use enhancer_shared::tenant::Credentials;

use crate::credential_sets::CredentialSets;
use crate::error::{CredentialsError, ToolError};

/// How requests authenticate.
pub(super) enum Auth<'a> {
    Basic { username: &'a str, password: &'a str },
    OAuth(OAuthClient<'a>),
}

/// An OAuth application registry entry and the grant that gets its tokens.
pub(super) struct OAuthClient<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a str,
    pub grant: Grant<'a>,
}

pub(super) enum Grant<'a> {
    Password { username: &'a str, password: &'a str },
    RefreshToken(&'a str),
}

impl<'a> Auth<'a> {
    pub fn from_credentials(credentials: &'a Credentials) -> Result<Self, ToolError> {
        let get = |key: &str| credentials.get(key);
        let missing = || ToolError::Credentials(format!("ServiceNow needs one of {}", expected()));
        let Some(client_id) = get("client_id") else {
            let (Some(username), Some(password)) = (get("username"), get("password")) else { return Err(missing()) };
            return Ok(Auth::Basic { username, password });
        };
        let client_secret = get("client_secret").ok_or_else(missing)?;
        let grant = match (get("refresh_token"), get("username"), get("password")) {
            (Some(token), _, _) => Grant::RefreshToken(token),
            (None, Some(username), Some(password)) => Grant::Password { username, password },
            _ => return Err(missing()),
        };
        Ok(Auth::OAuth(OAuthClient { client_id, client_secret, grant }))
    }
}

/// The generic check (every key known, one set complete), then coherence: a tenant that names OAuth keys
/// must complete an OAuth set, or it would silently run on Basic auth.
pub(super) fn validate(sets: &CredentialSets, credentials: &Credentials) -> Result<(), CredentialsError> {
    sets.check(credentials)?;
    let oauth = ["client_id", "client_secret", "refresh_token"];
    if !oauth.iter().any(|key| credentials.contains(key)) {
        return Ok(());
    }
    let oauth_sets: Vec<&[&str]> = sets.sets.iter().copied().filter(|set| set.contains(&"client_id")).collect();
    if oauth_sets.iter().any(|set| set.iter().all(|key| credentials.contains(key))) {
        return Ok(());
    }
    let closest = oauth_sets
        .iter()
        .max_by_key(|set| set.iter().filter(|key| credentials.contains(key)).count())
        .copied()
        .unwrap_or_default();
    Err(CredentialsError::Missing {
        tool: sets.tool,
        expected: expected(),
        missing: closest.iter().filter(|key| !credentials.contains(key)).map(|key| (*key).to_owned()).collect(),
    })
}

fn expected() -> String {
    "{username, password} or {client_id, client_secret, username, password} or \
     {client_id, client_secret, refresh_token}"
        .to_owned()
}
