//! Standard Webhooks verification: `webhook-signature: v1,<base64 HMAC-SHA256("{id}.{timestamp}.{body}")>`
//! (several space-separated signatures allowed, during secret rotation), keyed with the decoded
//! `whsec_<base64>` secret, and a `webhook-timestamp` within five minutes of receipt.

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use secrecy::ExposeSecret;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::error::VerifyError;
use crate::keys::VerifyKeys;
use crate::request::WebhookRequest;

/// How far `webhook-timestamp` may be from our clock, either way (the Standard Webhooks recommendation):
/// bounds replay of a captured request while tolerating clock skew and the tool's own retries.
pub const TOLERANCE: Duration = Duration::from_secs(5 * 60);

pub(super) fn verify(req: &WebhookRequest<'_>, keys: &VerifyKeys<'_>) -> Result<(), VerifyError> {
    let secret = keys.webhook_secret.as_ref().ok_or(VerifyError::new("no webhook secret configured"))?;
    let key = decode_secret(secret.expose_secret()).ok_or(VerifyError::new("webhook secret is not whsec_<base64>"))?;
    let id = req.header("webhook-id").filter(|id| !id.is_empty()).ok_or(VerifyError::new("missing webhook-id"))?;
    let timestamp = req.header("webhook-timestamp").ok_or(VerifyError::new("missing webhook-timestamp"))?;
    let signatures = req.header("webhook-signature").ok_or(VerifyError::new("missing webhook-signature"))?;

    let sent_at: i64 = timestamp.parse().map_err(|_| VerifyError::new("webhook-timestamp is not unix seconds"))?;
    let skew = req.now.timestamp().abs_diff(sent_at);
    if skew > TOLERANCE.as_secs() {
        return Err(VerifyError::new("stale timestamp"));
    }

    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| VerifyError::new("unusable webhook secret"))?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(req.body);
    let expected = mac.finalize().into_bytes();

    // Check every v1 signature without stopping at the first match, so timing says nothing about which.
    let mut matched = subtle::Choice::from(0);
    for candidate in signatures.split_whitespace() {
        let Some(("v1", encoded)) = candidate.split_once(',') else { continue };
        let Ok(decoded) = STANDARD.decode(encoded) else { continue };
        matched |= decoded.as_slice().ct_eq(expected.as_slice());
    }
    if bool::from(matched) { Ok(()) } else { Err(VerifyError::new("signature mismatch")) }
}

/// How many bytes of HMAC key a generic-tool webhook secret carries: the length of its decoded
/// `whsec_<base64>` key, or `None` when the secret is not in that form (it could not verify anything).
/// `tenant add` uses it to refuse weak keys without knowing the format itself.
pub fn key_material_len(secret: &str) -> Option<usize> {
    decode_secret(secret).map(|key| key.len())
}

/// `whsec_<base64>` -> key bytes. A secret without the prefix is still read as base64 (as the reference
/// libraries do); an empty or non-base64 secret is refused rather than used as raw bytes.
fn decode_secret(secret: &str) -> Option<Vec<u8>> {
    let encoded = secret.trim().strip_prefix("whsec_").unwrap_or(secret.trim());
    STANDARD.decode(encoded).ok().filter(|key| !key.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_decode_with_or_without_prefix() {
        assert_eq!(decode_secret("whsec_c2VjcmV0"), Some(b"secret".to_vec()));
        assert_eq!(decode_secret("c2VjcmV0"), Some(b"secret".to_vec()));
        assert_eq!(decode_secret("whsec_"), None);
        assert_eq!(decode_secret("whsec_not base64!"), None);
        assert_eq!(key_material_len("whsec_c2VjcmV0"), Some(6));
        assert_eq!(key_material_len("whsec-legacy-form"), None);
    }
}
