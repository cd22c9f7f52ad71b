//! OAuth 2.0 access tokens for ServiceNow: `POST {base}/oauth_token.do`, form-encoded (ServiceNow answers
//! JSON bodies with an unspecified error), with the password or the refresh-token grant.
//!
//! Tokens are cached in a process-wide map. Plugins are stateless unit structs and a `ToolApi` lives for one
//! job, yet a token (30 minutes by default) must outlive jobs: without the cache every API call would cost
//! a token request, and the instance would pile up thousands of live tokens. The map is keyed by instance,
//! client id and user (tenants sharing an OAuth client never share a user's token), holds at most
//! [`MAX_ENTRIES`] tokens, and a token is replaced [`REFRESH_MARGIN`] before it expires. Tokens stay in
//! `SecretString`s and are never logged. Two jobs that miss at once both fetch a token; both are valid.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::auth::{Grant, OAuthClient};
use crate::api::ToolApi;
use crate::error::ToolError;

/// Tenants per process are few (tens); the bound only stops a misconfiguration from growing the map.
pub const MAX_ENTRIES: usize = 1024;
/// A token is not used in its last minute: a request sent with it could arrive after it expired.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// ServiceNow's default access-token lifespan, assumed when the answer has no `expires_in`.
const DEFAULT_LIFESPAN: Duration = Duration::from_secs(1800);

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    instance: String,
    client_id: String,
    /// The password grant's user; empty for the refresh-token grant.
    user: String,
}

#[derive(Clone)]
struct Cached {
    token: SecretString,
    /// When the token stops being handed out (expiry minus the margin).
    use_until: Instant,
}

static CACHE: LazyLock<Mutex<HashMap<Key, Cached>>> = LazyLock::new(Mutex::default);

fn key(api: &ToolApi<'_>, client: &OAuthClient<'_>) -> Key {
    let user = match client.grant {
        Grant::Password { username, .. } => username,
        Grant::RefreshToken(_) => "",
    };
    Key { instance: api.base_url.as_str().to_owned(), client_id: client.client_id.to_owned(), user: user.to_owned() }
}

fn cache() -> std::sync::MutexGuard<'static, HashMap<Key, Cached>> {
    // A panic while holding the lock leaves a map that is still consistent (single inserts and removes).
    CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A usable access token for the tenant: the cached one, or a new one from the token endpoint.
pub(super) async fn access_token(api: &ToolApi<'_>, client: &OAuthClient<'_>) -> Result<SecretString, ToolError> {
    let key = key(api, client);
    if let Some(cached) = cache().get(&key).filter(|cached| cached.use_until > Instant::now()) {
        return Ok(cached.token.clone());
    }
    let (token, lifespan) = request_token(api, client).await?;
    let now = Instant::now();
    let use_until = now + lifespan.saturating_sub(REFRESH_MARGIN).max(lifespan / 2);
    insert(&mut cache(), key, Cached { token: token.clone(), use_until }, now);
    Ok(token)
}

/// Drops `token` after the instance refused it (revoked, or expired early), unless another job already
/// replaced it.
pub(super) fn forget(api: &ToolApi<'_>, client: &OAuthClient<'_>, token: &SecretString) {
    let key = key(api, client);
    let mut cache = cache();
    if cache.get(&key).is_some_and(|cached| cached.token.expose_secret() == token.expose_secret()) {
        cache.remove(&key);
    }
}

/// Inserts within the bound: expired entries go first, then the one closest to expiry.
fn insert(cache: &mut HashMap<Key, Cached>, key: Key, value: Cached, now: Instant) {
    if cache.len() >= MAX_ENTRIES && !cache.contains_key(&key) {
        cache.retain(|_, cached| cached.use_until > now);
        if cache.len() >= MAX_ENTRIES
            && let Some(oldest) = cache.iter().min_by_key(|(_, cached)| cached.use_until).map(|(key, _)| key.clone())
        {
            cache.remove(&oldest);
        }
    }
    cache.insert(key, value);
}

async fn request_token(api: &ToolApi<'_>, client: &OAuthClient<'_>) -> Result<(SecretString, Duration), ToolError> {
    let mut form = vec![("client_id", client.client_id), ("client_secret", client.client_secret)];
    match client.grant {
        Grant::Password { username, password } => {
            form.extend([("grant_type", "password"), ("username", username), ("password", password)]);
        }
        Grant::RefreshToken(token) => form.extend([("grant_type", "refresh_token"), ("refresh_token", token)]),
    }
    let url = api.endpoint(&["oauth_token.do"])?;
    let builder =
        api.http.request(Method::POST, url).header(ACCEPT, HeaderValue::from_static("application/json")).form(&form);
    let response = api.http.send(builder).await?;
    // Neither answer is quoted: a success carries tokens, and a refusal is summarised by its `error` fields.
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    if !response.status.is_success() {
        let said = |name: &str| body.as_ref().and_then(|body| body.get(name)).and_then(Value::as_str).unwrap_or("");
        let detail = format!("OAuth token request refused: {} {}", said("error"), said("error_description"));
        return Err(ToolError::from_status(response.status.as_u16(), response.retry_after, detail.trim().as_bytes()));
    }
    let body = body.ok_or_else(|| ToolError::Malformed("the OAuth token answer is not JSON".into()))?;
    let token = body
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|token| !token.is_empty())
        .ok_or_else(|| ToolError::Malformed("the OAuth token answer has no access_token".into()))?;
    let lifespan = match body.get("expires_in") {
        Some(Value::Number(seconds)) => seconds.as_u64(),
        Some(Value::String(seconds)) => seconds.parse().ok(),
        _ => None,
    }
    .map_or(DEFAULT_LIFESPAN, Duration::from_secs);
    Ok((SecretString::from(token.to_owned()), lifespan))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seconds: u64, now: Instant) -> Cached {
        Cached { token: SecretString::from("t"), use_until: now + Duration::from_secs(seconds) }
    }

    fn key(n: usize) -> Key {
        Key { instance: format!("https://i{n}.service-now.com/"), client_id: "c".into(), user: String::new() }
    }

    #[test]
    fn the_cache_stays_bounded_and_evicts_the_soonest_expiry() {
        let now = Instant::now();
        let mut cache = HashMap::new();
        for n in 0..MAX_ENTRIES {
            insert(&mut cache, key(n), entry(100 + n as u64, now), now);
        }
        insert(&mut cache, key(MAX_ENTRIES), entry(5000, now), now);
        assert_eq!(cache.len(), MAX_ENTRIES);
        assert!(!cache.contains_key(&key(0)), "the entry closest to expiry went");
        assert!(cache.contains_key(&key(MAX_ENTRIES)));
        // Expired entries go before any live one.
        let later = now + Duration::from_secs(150);
        insert(&mut cache, key(MAX_ENTRIES + 1), entry(5000, later), later);
        assert!(cache.len() < MAX_ENTRIES, "{}", cache.len());
        assert!(cache.contains_key(&key(MAX_ENTRIES - 1)));
    }
}
