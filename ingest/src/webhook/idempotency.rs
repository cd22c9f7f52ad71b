//! The job's idempotency key: the tool's delivery id when the plugin found one in signed material, else a
//! hash of the tenant and the raw body. Every key passes through [`job_key`], so its length is bounded here:
//! a key longer than [`MAX_KEY_BYTES`] is replaced by its SHA-256 (`sha256:<hex>`, 71 bytes), because a
//! 4,000-byte key breaks the unique index on `enhancement_history (tenant_id, idempotency_key)` and the job
//! dead-letters after the webhook was already answered `202`.

use sha2::{Digest, Sha256};

/// Longest key kept as sent; longer ones are hashed.
pub(super) const MAX_KEY_BYTES: usize = 128;

/// The key of the job for this webhook.
pub(super) fn job_key(tenant: &str, delivery_id: Option<&str>, body: &[u8]) -> String {
    match delivery_id {
        Some(key) if key.len() <= MAX_KEY_BYTES => key.to_owned(),
        Some(key) => format!("sha256:{}", hex::encode(Sha256::digest(key.as_bytes()))),
        // No delivery id: the body itself identifies a redelivery.
        None => format!(
            "sha256:{}",
            hex::encode(Sha256::new().chain_update(tenant).chain_update([0]).chain_update(body).finalize())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_are_kept() {
        assert_eq!(job_key("acme", Some("msg_1"), b"{}"), "msg_1");
        let exactly = "k".repeat(MAX_KEY_BYTES);
        assert_eq!(job_key("acme", Some(&exactly), b"{}"), exactly);
    }

    #[test]
    fn a_4000_character_key_is_hashed_to_at_most_128_bytes() {
        let long = "x".repeat(4000);
        let key = job_key("acme", Some(&long), b"{}");
        assert!(key.len() <= MAX_KEY_BYTES, "{} bytes", key.len());
        assert!(key.starts_with("sha256:"), "{key}");
        assert_eq!(key, job_key("acme", Some(&long), b"other body"), "the same id gives the same key");
        assert_ne!(key, job_key("acme", Some(&"y".repeat(4000)), b"{}"));
    }

    #[test]
    fn without_an_id_the_body_decides() {
        let key = job_key("acme", None, b"{\"a\":1}");
        assert_eq!(key, job_key("acme", None, b"{\"a\":1}"));
        assert_ne!(key, job_key("acme", None, b"{\"a\":2}"));
        assert_ne!(key, job_key("other", None, b"{\"a\":1}"));
        assert!(key.len() <= MAX_KEY_BYTES);
    }
}
