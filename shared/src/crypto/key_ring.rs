//! [`KeyRing`]: which master key seals new values (the current one) and which may still open old ones
//! (the previous ones), so a key can be rotated without a flag day.
//!
//! Rotation: set the new key as `ENHANCER_MASTER_KEY`, move the old one to
//! `ENHANCER_PREVIOUS_MASTER_KEYS`, run `tenant rotate-key` (open with the old key, seal with the new),
//! then drop the old key once no stored value names its id.

use std::fmt;

use secrecy::{ExposeSecret, SecretBox, SecretString};

use super::error::{CryptoError, KeyError};
use super::key_id::KeyId;
use super::master_key::MasterKey;
use super::sealed::{self, Sealed};

/// The variable holding the current master key (base64, 32 bytes).
pub const MASTER_KEY_VAR: &str = "ENHANCER_MASTER_KEY";
/// The variable holding rotated-out keys that may still open values: a comma-separated base64 list.
pub const PREVIOUS_MASTER_KEYS_VAR: &str = "ENHANCER_PREVIOUS_MASTER_KEYS";

/// The current key plus previous keys. Only the current key ever seals; previous keys only open.
/// `Debug` shows key ids only.
#[derive(Clone)]
pub struct KeyRing {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl KeyRing {
    /// Builds a ring. Previous keys equal to the current key, or to an earlier previous key, are dropped:
    /// they are the same key, and a ring holds each key once.
    pub fn new(current: MasterKey, previous: Vec<MasterKey>) -> KeyRing {
        let mut ring = KeyRing { current, previous: Vec::with_capacity(previous.len()) };
        for key in previous {
            if ring.key(key.id()).is_none() {
                ring.previous.push(key);
            }
        }
        ring
    }

    /// Parses `ENHANCER_MASTER_KEY` and `ENHANCER_PREVIOUS_MASTER_KEYS` (comma-separated base64; blank
    /// entries ignored). A key configured twice is an error: it usually means a rotation was half done.
    pub fn from_env_values(current: &SecretString, previous: Option<&SecretString>) -> Result<KeyRing, KeyError> {
        let current = MasterKey::from_base64(MASTER_KEY_VAR, current)?;
        let mut ring = KeyRing { current, previous: Vec::new() };
        let entries = previous.map_or("", |list| list.expose_secret()).split(',');
        for (index, entry) in entries.enumerate() {
            if entry.trim().is_empty() {
                continue;
            }
            // Entries are numbered from 1 as they appear in the list, blanks included, so the operator
            // can count to the bad one.
            let var = format!("{PREVIOUS_MASTER_KEYS_VAR} (entry {})", index + 1);
            let key = MasterKey::from_base64(&var, &SecretString::from(entry))?;
            if ring.key(key.id()).is_some() {
                return Err(KeyError::Duplicate { var, id: key.id().clone() });
            }
            ring.previous.push(key);
        }
        Ok(ring)
    }

    pub fn current_id(&self) -> &KeyId {
        self.current.id()
    }

    pub fn is_current(&self, key_id: &KeyId) -> bool {
        self.current.id() == key_id
    }

    /// Encrypts under the current key with a fresh random 96-bit nonce.
    ///
    /// `aad` (additional authenticated data) is not stored, but must be given again to open the value.
    /// Callers pass where the value lives, e.g. `b"tenant:acme:credentials"`: a ciphertext copied to
    /// another tenant's row or to the webhook-secret column then fails to open instead of silently
    /// handing one tenant's credentials to another.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Sealed {
        sealed::seal_with(&self.current, plaintext, aad)
    }

    /// Decrypts with the key named by `key_id`, current or previous.
    ///
    /// Errors: [`CryptoError::UnknownKey`] if no configured key has that id, [`CryptoError::Malformed`]
    /// if the bytes are not a sealed value, [`CryptoError::Tampered`] if any bit changed or `aad` differs.
    pub fn open(&self, key_id: &KeyId, sealed: &[u8], aad: &[u8]) -> Result<SecretBox<Vec<u8>>, CryptoError> {
        let key = self.key(key_id).ok_or_else(|| CryptoError::UnknownKey(key_id.clone()))?;
        let plaintext = sealed::open_with(key, sealed, aad)?;
        Ok(SecretBox::new(Box::new(plaintext)))
    }

    fn key(&self, key_id: &KeyId) -> Option<&MasterKey> {
        // A handful of keys at most: a linear scan is simpler than a map and just as fast.
        std::iter::once(&self.current).chain(&self.previous).find(|key| key.id() == key_id)
    }
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let previous: Vec<&str> = self.previous.iter().map(|key| key.id().as_str()).collect();
        f.debug_struct("KeyRing").field("current", &self.current.id().as_str()).field("previous", &previous).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AAD: &[u8] = b"tenant:acme:credentials";

    fn ring_of(current: &MasterKey, previous: &[&MasterKey]) -> KeyRing {
        KeyRing::new(current.clone(), previous.iter().map(|k| (*k).clone()).collect())
    }

    fn plaintext(opened: &SecretBox<Vec<u8>>) -> &[u8] {
        opened.expose_secret()
    }

    #[test]
    fn round_trip() {
        let (key, _) = MasterKey::generate();
        let ring = ring_of(&key, &[]);
        let sealed = ring.seal(b"{\"api_token\":\"t0k3n\"}", AAD);
        assert_eq!(&sealed.key_id, ring.current_id());
        assert!(ring.is_current(&sealed.key_id));
        let opened = ring.open(&sealed.key_id, &sealed.bytes, AAD).expect("opens");
        assert_eq!(plaintext(&opened), b"{\"api_token\":\"t0k3n\"}");
    }

    #[test]
    fn sealing_twice_gives_different_bytes() {
        let (key, _) = MasterKey::generate();
        let ring = ring_of(&key, &[]);
        let first = ring.seal(b"same secret", AAD);
        let second = ring.seal(b"same secret", AAD);
        assert_ne!(first.bytes, second.bytes, "nonce must be fresh per seal");
        assert_ne!(first.bytes[1..13], second.bytes[1..13], "nonces differ");
    }

    #[test]
    fn flipping_any_bit_fails_loudly() {
        let (key, _) = MasterKey::generate();
        let ring = ring_of(&key, &[]);
        let sealed = ring.seal(b"pw", AAD);
        for position in 0..sealed.bytes.len() {
            for bit in 0..8 {
                let mut bytes = sealed.bytes.clone();
                bytes[position] ^= 1 << bit;
                let result = ring.open(&sealed.key_id, &bytes, AAD);
                // Byte 0 is the format version: a changed version is refused before decryption.
                let refused = if position == 0 {
                    matches!(result, Err(CryptoError::Malformed(_)))
                } else {
                    matches!(result, Err(CryptoError::Tampered))
                };
                assert!(refused, "byte {position} bit {bit}: {result:?}");
            }
        }
    }

    #[test]
    fn appended_byte_is_tampered() {
        let (key, _) = MasterKey::generate();
        let ring = ring_of(&key, &[]);
        let mut sealed = ring.seal(b"pw", AAD);
        sealed.bytes.push(0);
        let result = ring.open(&sealed.key_id, &sealed.bytes, AAD);
        assert!(matches!(result, Err(CryptoError::Tampered)), "{result:?}");
    }

    #[test]
    fn different_aad_is_tampered() {
        let (key, _) = MasterKey::generate();
        let ring = ring_of(&key, &[]);
        let sealed = ring.seal(b"pw", AAD);
        for other in [&b"tenant:evil:credentials"[..], b"tenant:acme:webhook_secret", b""] {
            let result = ring.open(&sealed.key_id, &sealed.bytes, other);
            assert!(matches!(result, Err(CryptoError::Tampered)), "{result:?}");
        }
    }

    #[test]
    fn wrong_key_id_is_unknown_key() {
        let (a, _) = MasterKey::generate();
        let (b, _) = MasterKey::generate();
        let ring = ring_of(&a, &[]);
        let sealed = ring.seal(b"pw", AAD);
        let result = ring.open(b.id(), &sealed.bytes, AAD);
        assert!(matches!(&result, Err(CryptoError::UnknownKey(id)) if id == b.id()), "{result:?}");
    }

    #[test]
    fn malformed_values_are_reported_as_such() {
        let (key, _) = MasterKey::generate();
        let ring = ring_of(&key, &[]);
        let sealed = ring.seal(b"pw", AAD);
        for bytes in [&[][..], &sealed.bytes[..1], &sealed.bytes[..28]] {
            let result = ring.open(&sealed.key_id, bytes, AAD);
            assert!(matches!(result, Err(CryptoError::Malformed(_))), "{result:?}");
        }
        let mut unknown_version = sealed.bytes;
        unknown_version[0] = 0x02;
        let result = ring.open(&sealed.key_id, &unknown_version, AAD);
        assert!(matches!(result, Err(CryptoError::Malformed(_))), "{result:?}");
    }

    #[test]
    fn rotation_keeps_old_values_readable_until_the_old_key_is_dropped() {
        let (a, _) = MasterKey::generate();
        let (b, _) = MasterKey::generate();
        let under_a = ring_of(&a, &[]).seal(b"old secret", AAD);

        let rotated = ring_of(&b, &[&a]);
        assert!(!rotated.is_current(&under_a.key_id));
        let opened = rotated.open(&under_a.key_id, &under_a.bytes, AAD).expect("previous key opens");
        assert_eq!(plaintext(&opened), b"old secret");

        let resealed = rotated.seal(plaintext(&opened), AAD);
        assert_eq!(&resealed.key_id, b.id());
        assert!(rotated.is_current(&resealed.key_id));

        let old_key_dropped = ring_of(&b, &[]);
        let result = old_key_dropped.open(&under_a.key_id, &under_a.bytes, AAD);
        assert!(matches!(&result, Err(CryptoError::UnknownKey(id)) if id == a.id()), "{result:?}");
        let opened = old_key_dropped.open(&resealed.key_id, &resealed.bytes, AAD).expect("opens");
        assert_eq!(plaintext(&opened), b"old secret");
    }

    #[test]
    fn new_drops_duplicate_keys() {
        let (a, _) = MasterKey::generate();
        let (b, _) = MasterKey::generate();
        let ring = ring_of(&a, &[&a, &b, &b]);
        assert_eq!(format!("{ring:?}"), format!("KeyRing {{ current: \"{}\", previous: [\"{}\"] }}", a.id(), b.id()));
    }

    #[test]
    fn from_env_values_reads_current_and_previous_keys() {
        let (a, a_b64) = MasterKey::generate();
        let (b, b_b64) = MasterKey::generate();
        let (c, c_b64) = MasterKey::generate();
        let list = SecretString::from(format!(" {}, ,{},", b_b64.expose_secret(), c_b64.expose_secret()));
        let ring = KeyRing::from_env_values(&a_b64, Some(&list)).expect("valid keys");
        assert_eq!(ring.current_id(), a.id());
        let under_c = KeyRing::new(c, vec![]).seal(b"x", AAD);
        let under_b = KeyRing::new(b, vec![]).seal(b"y", AAD);
        assert!(ring.open(&under_c.key_id, &under_c.bytes, AAD).is_ok());
        assert!(ring.open(&under_b.key_id, &under_b.bytes, AAD).is_ok());

        let only_current = KeyRing::from_env_values(&a_b64, None).expect("valid key");
        assert!(only_current.is_current(a.id()));
        let blank = SecretString::from("  ".to_owned());
        assert!(KeyRing::from_env_values(&a_b64, Some(&blank)).is_ok());
    }

    #[test]
    fn from_env_values_names_the_bad_entry_without_echoing_it() {
        let (_, a_b64) = MasterKey::generate();
        let short = "AAAAAAAAAAAAAAAAAAAAAA==";
        let list = SecretString::from(format!("{},,{short}", a_b64.expose_secret()));
        let (_, current) = MasterKey::generate();
        let err = KeyRing::from_env_values(&current, Some(&list)).expect_err("must fail");
        assert_eq!(err.to_string(), "ENHANCER_PREVIOUS_MASTER_KEYS (entry 3) must decode to 32 bytes, got 16");
        let message = format!("{err} {err:?}");
        assert!(!message.contains(short) && !message.contains(a_b64.expose_secret()));

        let bad_current = SecretString::from("%%%".to_owned());
        let err = KeyRing::from_env_values(&bad_current, None).expect_err("must fail");
        assert_eq!(err.to_string(), "ENHANCER_MASTER_KEY is not valid base64");
    }

    #[test]
    fn from_env_values_refuses_a_key_configured_twice() {
        let (_, a_b64) = MasterKey::generate();
        let (_, b_b64) = MasterKey::generate();
        for list in [a_b64.expose_secret().to_owned(), format!("{0},{0}", b_b64.expose_secret())] {
            let err = KeyRing::from_env_values(&a_b64, Some(&SecretString::from(list))).expect_err("duplicate refused");
            assert!(matches!(err, KeyError::Duplicate { .. }), "{err:?}");
            assert!(err.to_string().starts_with("ENHANCER_PREVIOUS_MASTER_KEYS (entry "));
            assert!(!err.to_string().contains(b_b64.expose_secret()));
        }
    }

    #[test]
    fn debug_shows_ids_and_no_key_material() {
        let (a, a_b64) = MasterKey::generate();
        let (b, b_b64) = MasterKey::generate();
        let ring = KeyRing::new(a.clone(), vec![b.clone()]);
        let sealed = ring.seal(b"hunter2", AAD);
        let debug = format!("{ring:?} {a:?} {b:?} {sealed:?}");
        assert!(debug.contains(a.id().as_str()) && debug.contains(b.id().as_str()));
        for encoded in [&a_b64, &b_b64] {
            assert!(!debug.contains(encoded.expose_secret()), "{debug}");
            assert!(!debug.contains(encoded.expose_secret().trim_end_matches('=')), "{debug}");
        }
        assert!(!debug.contains("hunter2"));
    }
}
