//! [`KeyId`]: the public name of a master key, stored beside every sealed value.

use std::fmt;

use sha2::{Digest, Sha256};

use super::error::CryptoError;

/// Domain separation: the id is a hash of the key, so the prefix makes sure this hash can never collide
/// with (or be reused as) a hash of the same key computed for any other purpose.
const KEY_ID_DOMAIN: &[u8] = b"ticket-enhancer/key-id/v1";

/// 8 bytes of SHA-256, as lowercase hex.
const KEY_ID_BYTES: usize = 8;
const KEY_ID_HEX_LEN: usize = KEY_ID_BYTES * 2;

/// Names a master key: the first 8 bytes of `SHA-256("ticket-enhancer/key-id/v1" || key)` as 16 lowercase
/// hex characters.
///
/// The id is derived from the key rather than configured so that a key moved from
/// `ENHANCER_MASTER_KEY` to `ENHANCER_PREVIOUS_MASTER_KEYS` keeps its name and is recognised without any
/// bookkeeping, and so that two operators can never give two different keys the same name. 64 bits of a
/// hash reveal nothing usable about a 256-bit key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyId(String);

impl KeyId {
    pub(super) fn derive(key: &[u8; 32]) -> KeyId {
        let digest = Sha256::new().chain_update(KEY_ID_DOMAIN).chain_update(key).finalize();
        KeyId(hex::encode(&digest[..KEY_ID_BYTES]))
    }

    /// Accepts a key id read back from storage; anything but 16 lowercase hex characters is refused so a
    /// corrupted column is reported as such rather than as an unknown key.
    pub fn parse(value: String) -> Result<KeyId, CryptoError> {
        let well_formed =
            value.len() == KEY_ID_HEX_LEN && value.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if well_formed {
            Ok(KeyId(value))
        } else {
            Err(CryptoError::Malformed("key id is not 16 lowercase hex characters"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_id_is_deterministic_16_lowercase_hex() {
        let a = KeyId::derive(&[7u8; 32]);
        assert_eq!(a, KeyId::derive(&[7u8; 32]));
        assert_ne!(a, KeyId::derive(&[8u8; 32]));
        assert_eq!(a.as_str().len(), 16);
        assert_eq!(KeyId::parse(a.as_str().to_owned()).ok(), Some(a));
    }

    #[test]
    fn derived_id_matches_the_documented_formula() {
        // Computed independently: python3 -c "import hashlib; print(hashlib.sha256(
        //   b'ticket-enhancer/key-id/v1' + bytes(32)).hexdigest()[:16])"
        assert_eq!(KeyId::derive(&[0u8; 32]).as_str(), EXPECTED_ID_OF_ZERO_KEY);
    }

    const EXPECTED_ID_OF_ZERO_KEY: &str = "1956529666575cf2";

    #[test]
    fn parse_refuses_anything_but_16_lowercase_hex() {
        for bad in ["", "0123456789abcde", "0123456789abcdef0", "0123456789ABCDEF", "0123456789abcdeg"] {
            assert!(matches!(KeyId::parse(bad.to_owned()), Err(CryptoError::Malformed(_))), "{bad:?} was accepted");
        }
        assert_eq!(
            KeyId::parse("0123456789abcdef".to_owned()).map(|id| id.to_string()).ok(),
            Some("0123456789abcdef".to_owned())
        );
    }
}
