//! Atlassian Connect webhook JWTs: HS256 only (`alg: none` and every other algorithm refused), signed with
//! the installation's `sharedSecret`, `iss` equal to its `clientKey`, `exp` checked against the receive time
//! with a small leeway, and a `qsh` that must match this very request (never the `context-qsh` wildcard).

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::qsh::query_string_hash;
use crate::error::VerifyError;
use crate::keys::ConnectKeys;
use crate::request::WebhookRequest;

/// Clock skew tolerated on `exp`: Atlassian issues short-lived tokens (minutes), and our clock and theirs
/// may differ by a little; more would widen the replay window.
pub const JWT_LEEWAY: Duration = Duration::from_secs(30);

#[derive(Debug, Deserialize)]
struct Claims {
    iss: String,
    exp: i64,
    #[serde(default)]
    qsh: Option<String>,
}

/// The token, from `Authorization: JWT <token>` or a `jwt` query parameter; both at once is refused (as
/// Atlassian's own verifier does), and `None` means the request carries no JWT at all.
pub(super) fn token<'a>(req: &WebhookRequest<'a>) -> Result<Option<&'a str>, VerifyError> {
    let from_header = req.header("authorization").and_then(|value| value.strip_prefix("JWT ")).map(str::trim);
    let from_query = req.query.and_then(|query| {
        query.split('&').find_map(|pair| pair.strip_prefix("jwt=")).filter(|token| !token.is_empty())
    });
    match (from_header, from_query) {
        (Some(_), Some(_)) => Err(VerifyError::new("JWT in both header and query")),
        (Some(token), None) | (None, Some(token)) => Ok(Some(token)),
        (None, None) => Ok(None),
    }
}

pub(super) fn verify(req: &WebhookRequest<'_>, token: &str, keys: &ConnectKeys<'_>) -> Result<(), VerifyError> {
    // HS256 only: jsonwebtoken refuses a header whose `alg` is not in this list (and cannot parse `none`).
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "iss"]);
    // `exp` is checked below against the request's receive time, which tests and replays control.
    validation.validate_exp = false;
    validation.validate_aud = false;
    let key = DecodingKey::from_secret(keys.shared_secret.as_bytes());
    let claims = decode::<Claims>(token, &key, &validation).map_err(|_| VerifyError::new("invalid JWT"))?.claims;

    if !bool::from(claims.iss.as_bytes().ct_eq(keys.client_key.as_bytes())) {
        return Err(VerifyError::new("JWT iss is not the tenant's client key"));
    }
    let leeway = i64::try_from(JWT_LEEWAY.as_secs()).unwrap_or(i64::MAX);
    if req.now.timestamp() >= claims.exp.saturating_add(leeway) {
        return Err(VerifyError::new("JWT expired"));
    }
    let expected = query_string_hash(req.method.as_str(), req.path, req.query);
    match claims.qsh.as_deref() {
        Some(qsh) if qsh.as_bytes().ct_eq(expected.as_bytes()).into() => Ok(()),
        Some(_) => Err(VerifyError::new("JWT qsh does not match the request")),
        None => Err(VerifyError::new("JWT has no qsh")),
    }
}
