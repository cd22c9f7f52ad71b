//! Jira webhook verification. A request carrying a Connect JWT (`Authorization: JWT ...` or `?jwt=`) is
//! checked as a Connect webhook against the tenant's `client_key`/`shared_secret`; any other request must
//! carry an admin-webhook `X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body>` under the tenant's
//! webhook secret. Each path stands on its own: a tenant without the material for a path fails it.

use secrecy::ExposeSecret;

use super::connect_jwt;
use crate::error::VerifyError;
use crate::keys::VerifyKeys;
use crate::request::WebhookRequest;
use crate::signature::verify_hex_hmac;

pub(super) fn verify(req: &WebhookRequest<'_>, keys: &VerifyKeys<'_>) -> Result<(), VerifyError> {
    if let Some(token) = connect_jwt::token(req)? {
        let connect = keys.connect.ok_or(VerifyError::new("JWT sent but tenant has no Connect keys"))?;
        return connect_jwt::verify(req, token, &connect);
    }
    let secret = keys.webhook_secret.as_ref().ok_or(VerifyError::new("no webhook secret configured"))?;
    let header = req.header("x-hub-signature").ok_or(VerifyError::new("missing X-Hub-Signature"))?;
    // WebSub format `method=signature`; split at the first '=' and accept only sha256.
    let Some(("sha256", hex)) = header.split_once('=') else {
        return Err(VerifyError::new("X-Hub-Signature is not sha256=<hex>"));
    };
    if !verify_hex_hmac(secret.expose_secret().as_bytes(), req.body, hex) {
        return Err(VerifyError::new("signature mismatch"));
    }
    fresh(req)
}

/// The tenant's optional freshness window (`settings.jira.max_event_age_secs`) on the body's `timestamp`:
/// the signature covers the body, so the timestamp in it cannot be changed by whoever replays it.
fn fresh(req: &WebhookRequest<'_>) -> Result<(), VerifyError> {
    let Some(window) = req.settings.jira.map(|jira| i64::from(jira.max_event_age_secs)) else {
        return Ok(());
    };
    let sent_ms = serde_json::from_slice::<serde_json::Value>(req.body)
        .ok()
        .and_then(|body| body.get("timestamp").and_then(serde_json::Value::as_i64))
        .ok_or(VerifyError::new("freshness window set but the body has no timestamp"))?;
    let age_secs = (req.now.timestamp_millis() - sent_ms) / 1000;
    if age_secs.abs() > window { Err(VerifyError::new("stale event timestamp")) } else { Ok(()) }
}
