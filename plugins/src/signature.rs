//! Constant-time building blocks for webhook verification: secret comparison and HMAC-SHA256 checks.
//! Every comparison here takes time independent of where the inputs differ.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Whether two secrets are equal. Both sides are hashed first, so the comparison runs over equal-length
/// digests and leaks neither the position of a difference nor the secret's length.
pub(crate) fn secrets_equal(presented: &[u8], expected: &[u8]) -> bool {
    let presented = Sha256::digest(presented);
    let expected = Sha256::digest(expected);
    presented.as_slice().ct_eq(expected.as_slice()).into()
}

/// Verifies a hex HMAC-SHA256 of `body` (upper or lower case), as sent by Jira (`sha256=<hex>` after the
/// prefix is removed) and by tool scripts. `Mac::verify_slice` compares in constant time.
pub(crate) fn verify_hex_hmac(key: &[u8], body: &[u8], hex_signature: &str) -> bool {
    let Ok(signature) = hex::decode(hex_signature.trim()) else { return false };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else { return false };
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

/// Lower-case hex HMAC-SHA256, for tests and documentation examples.
pub fn hmac_sha256_hex(key: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_secrets() {
        assert!(secrets_equal(b"s3cret", b"s3cret"));
        assert!(!secrets_equal(b"s3cret", b"s3cres"));
        assert!(!secrets_equal(b"", b"s3cret"));
    }

    #[test]
    fn verifies_hex_hmacs() {
        // RFC 4231 test case 2.
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
        assert_eq!(hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"), expected);
        assert!(verify_hex_hmac(b"Jefe", b"what do ya want for nothing?", expected));
        assert!(verify_hex_hmac(b"Jefe", b"what do ya want for nothing?", &expected.to_uppercase()));
        assert!(!verify_hex_hmac(b"Jefe", b"what do ya want for nothing!", expected));
        assert!(!verify_hex_hmac(b"Jefe", b"x", "zz"));
        assert!(!verify_hex_hmac(b"Jefe", b"x", ""));
    }
}
