//! Signing webhooks the way each tool does, for tests and the load generator.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// A Standard Webhooks secret (`whsec_<base64>`) for the generic tool.
pub const GENERIC_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// The three Standard Webhooks headers for `body`, sent at `timestamp` (unix seconds) as message `id`.
pub fn standard_webhook_headers(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Vec<(String, String)> {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).expect("whsec_ secrets are base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    let signature = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    vec![
        ("webhook-id".into(), id.into()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        ("webhook-signature".into(), signature),
    ]
}

/// Jira admin webhooks: `X-Hub-Signature: sha256=<hex HMAC of the raw body>`.
pub fn jira_hub_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex_encode(&mac.finalize().into_bytes()))
}

/// Zendesk: `X-Zendesk-Webhook-Signature` = base64(HMAC-SHA256(the signing secret as UTF-8 bytes, the
/// `X-Zendesk-Webhook-Signature-Timestamp` value + the raw body)), the timestamp as ISO-8601 UTC.
pub fn zendesk_headers(secret: &str, timestamp: &str, body: &[u8]) -> Vec<(String, String)> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.as_bytes());
    mac.update(body);
    vec![
        ("X-Zendesk-Webhook-Signature".into(), STANDARD.encode(mac.finalize().into_bytes())),
        ("X-Zendesk-Webhook-Signature-Timestamp".into(), timestamp.into()),
    ]
}

/// The published ServiceNow Business Rule's headers: `X-SN-Timestamp` (Unix seconds) and `X-SN-Signature`,
/// base64(HMAC-SHA256(secret, timestamp + "." + body)).
pub fn servicenow_headers(secret: &str, timestamp: i64, body: &[u8]) -> Vec<(String, String)> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    vec![
        ("X-SN-Timestamp".into(), timestamp.to_string()),
        ("X-SN-Signature".into(), STANDARD.encode(mac.finalize().into_bytes())),
    ]
}

/// Now, as Zendesk writes its signature timestamp (`2021-03-25T05:09:27Z`), `offset_secs` away.
pub fn zendesk_timestamp(offset_secs: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::seconds(offset_secs)).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A generic-tool `ticket.created` payload.
pub fn generic_created(ticket_id: &str, subject: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": "ticket.created",
        "timestamp": chrono::Utc::now().to_rfc3339(),
        "data": {"ticket_id": ticket_id, "subject": subject, "priority": "high", "actor": "alice@example.com"}
    }))
    .expect("json")
}

/// A generic-tool `ticket.updated` payload by `actor`.
pub fn generic_updated(ticket_id: &str, actor: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": "ticket.updated",
        "timestamp": chrono::Utc::now().to_rfc3339(),
        "data": {"ticket_id": ticket_id, "priority": "high", "actor": actor}
    }))
    .expect("json")
}

fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
