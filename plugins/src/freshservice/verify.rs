//! Freshservice webhook verification. The Workflow Automator's "Trigger Webhook" action signs nothing, so
//! the admin configures one of two proofs of the webhook secret on the action (docs/PLUGINS.md):
//! - a custom header (`secret_header` in the tenant's settings, default [`DEFAULT_SECRET_HEADER`]) whose
//!   value is the webhook secret, or
//! - the action's Basic authentication, with user name [`BASIC_USER`] and the webhook secret as password.
//!
//! At least one proof must be present, and every proof present must hold: a wrong Basic password is not
//! excused by a right header. An `Authorization` header that is not `Basic` is no proof (and no failure).
//! A tenant that names an `hmac_header` (a proxy in front that computes one) gets that checked as well.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use secrecy::ExposeSecret;

use crate::error::VerifyError;
use crate::keys::VerifyKeys;
use crate::request::WebhookRequest;
use crate::signature::{secrets_equal, verify_hex_hmac};

/// The header an admin adds to the webhook action when the tenant's settings name none.
pub const DEFAULT_SECRET_HEADER: &str = "X-Enhancer-Secret";

/// The user name of the webhook action's Basic authentication; the password is the webhook secret.
pub const BASIC_USER: &str = "ticket-enhancer";

pub(super) fn verify(req: &WebhookRequest<'_>, keys: &VerifyKeys<'_>) -> Result<(), VerifyError> {
    let secret = keys.webhook_secret.as_ref().ok_or(VerifyError::new("no webhook secret configured"))?;
    let secret = secret.expose_secret().as_bytes();

    let header = req.header(keys.secret_header.unwrap_or(DEFAULT_SECRET_HEADER));
    let basic = req.header("authorization").and_then(basic_credentials);
    if header.is_none() && basic.is_none() {
        return Err(VerifyError::new("missing secret header and basic credentials"));
    }
    if let Some(value) = header
        && !secrets_equal(value.as_bytes(), secret)
    {
        return Err(VerifyError::new("secret mismatch"));
    }
    if let Some(credentials) = basic {
        let Some((user, password)) = credentials.split_once(':') else {
            return Err(VerifyError::new("basic credentials without ':'"));
        };
        // Both compared, always: which of the two differed is not observable.
        let user_ok = secrets_equal(user.as_bytes(), BASIC_USER.as_bytes());
        let password_ok = secrets_equal(password.as_bytes(), secret);
        if !(user_ok & password_ok) {
            return Err(VerifyError::new("basic credentials mismatch"));
        }
    }
    if let Some(name) = keys.hmac_header {
        let value = req.header(name).ok_or(VerifyError::new("missing HMAC header"))?;
        if !verify_hex_hmac(secret, req.body, value.strip_prefix("sha256=").unwrap_or(value)) {
            return Err(VerifyError::new("signature mismatch"));
        }
    }
    Ok(())
}

/// The decoded `user:password` of an `Authorization: Basic <base64>` header; `None` for any other scheme.
/// Undecodable Basic credentials come back as an empty string, which then fails the comparison.
fn basic_credentials(value: &str) -> Option<String> {
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok().and_then(|bytes| String::from_utf8(bytes).ok());
    Some(decoded.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_basic_credentials() {
        assert_eq!(basic_credentials("Basic dXNlcjpwYXNz").as_deref(), Some("user:pass"));
        assert_eq!(basic_credentials("basic dXNlcjpwYXNz").as_deref(), Some("user:pass"));
        assert_eq!(basic_credentials("Basic !!!").as_deref(), Some(""));
        assert_eq!(basic_credentials("Bearer abc"), None);
        assert_eq!(basic_credentials("Basic"), None);
    }
}
