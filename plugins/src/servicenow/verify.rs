//! ServiceNow webhook verification, in one of two modes per tenant (never a fallback from one to the other):
//!
//! - **signature** (default): the Business Rule sends `X-SN-Timestamp` (Unix seconds) and `X-SN-Signature`,
//!   the base64 HMAC-SHA256 of `timestamp + "." + raw body` keyed with the webhook secret's UTF-8 bytes. The
//!   timestamp must lie within [`TOLERANCE`] of the receive time. The names and the base string are our
//!   design (ServiceNow defines none), pinned by the published script.
//! - **token**: for instances whose script cannot sign, the tenant's `secret_header` setting names a header
//!   whose value must equal the webhook secret. Naming the header is what selects this mode.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;

use crate::error::VerifyError;
use crate::keys::VerifyKeys;
use crate::request::WebhookRequest;
use crate::signature::secrets_equal;

pub const TIMESTAMP_HEADER: &str = "X-SN-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-SN-Signature";

/// How far `X-SN-Timestamp` may be from our clock, either way: bounds the replay of a captured request while
/// tolerating clock skew and the delay of an async Business Rule's outbound queue.
pub const TOLERANCE: Duration = Duration::from_secs(5 * 60);

pub(super) fn verify(req: &WebhookRequest<'_>, keys: &VerifyKeys<'_>) -> Result<(), VerifyError> {
    let secret = keys.webhook_secret.ok_or(VerifyError::new("no webhook secret configured"))?;
    let secret = secret.expose_secret().as_bytes();
    if let Some(name) = keys.secret_header {
        let token = req.header(name).ok_or(VerifyError::new("missing token header"))?;
        return if secrets_equal(token.as_bytes(), secret) { Ok(()) } else { Err(VerifyError::new("token mismatch")) };
    }

    let timestamp = req.header(TIMESTAMP_HEADER).ok_or(VerifyError::new("missing X-SN-Timestamp"))?;
    let signature = req.header(SIGNATURE_HEADER).ok_or(VerifyError::new("missing X-SN-Signature"))?;
    // Digits only: `+1700000000` or `-5` parse as integers but are not what the script sends.
    let sent_at: i64 = Some(timestamp)
        .filter(|ts| (1..=12).contains(&ts.len()) && ts.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|ts| ts.parse().ok())
        .ok_or(VerifyError::new("X-SN-Timestamp is not unix seconds"))?;
    if req.now.timestamp().abs_diff(sent_at) > TOLERANCE.as_secs() {
        return Err(VerifyError::new("stale timestamp"));
    }
    let presented = STANDARD.decode(signature).map_err(|_| VerifyError::new("X-SN-Signature is not base64"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| VerifyError::new("unusable webhook secret"))?;
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(req.body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&presented).map_err(|_| VerifyError::new("signature mismatch"))
}
