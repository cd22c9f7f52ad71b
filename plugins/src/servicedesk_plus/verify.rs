//! SDP webhook verification. SDP has no native signing, so the tenant chooses (in `settings`):
//! - a shared-secret header (`secret_header`, default [`DEFAULT_SECRET_HEADER`]) whose value must equal the
//!   webhook secret, and/or
//! - an HMAC header (`hmac_header`): hex HMAC-SHA256 of the raw body under the webhook secret, optionally
//!   prefixed `sha256=`, for tenants whose custom trigger script computes one.
//!
//! With only `hmac_header` set the HMAC alone is required; naming both requires both.

use secrecy::ExposeSecret;

use crate::error::VerifyError;
use crate::keys::VerifyKeys;
use crate::request::WebhookRequest;
use crate::signature::{secrets_equal, verify_hex_hmac};

/// The header an admin adds to the SDP webhook action when the tenant's settings name none.
pub const DEFAULT_SECRET_HEADER: &str = "X-Enhancer-Secret";

pub(super) fn verify(req: &WebhookRequest<'_>, keys: &VerifyKeys<'_>) -> Result<(), VerifyError> {
    let secret = keys.webhook_secret.as_ref().ok_or(VerifyError::new("no webhook secret configured"))?;
    let secret = secret.expose_secret().as_bytes();

    if let Some(name) = &keys.hmac_header {
        let value = req.header(name).ok_or(VerifyError::new("missing HMAC header"))?;
        let hex = value.strip_prefix("sha256=").unwrap_or(value);
        if !verify_hex_hmac(secret, req.body, hex) {
            return Err(VerifyError::new("signature mismatch"));
        }
    }
    if keys.secret_header.is_some() || keys.hmac_header.is_none() {
        let name = keys.secret_header.unwrap_or(DEFAULT_SECRET_HEADER);
        let value = req.header(name).ok_or(VerifyError::new("missing secret header"))?;
        if !secrets_equal(value.as_bytes(), secret) {
            return Err(VerifyError::new("secret mismatch"));
        }
    }
    Ok(())
}
