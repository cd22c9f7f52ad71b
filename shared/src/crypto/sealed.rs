//! [`Sealed`]: the stored form of an encrypted secret, and the AES-256-GCM calls that make and open it.
//!
//! Layout of `Sealed::bytes` (format version 1):
//!
//! ```text
//! 0x01 | nonce (12 bytes) | ciphertext (len of plaintext) | GCM tag (16 bytes)
//! ```
//!
//! The key id is stored beside the bytes (its own column), not inside them.

use std::fmt;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, Generate, Nonce, Payload};

use super::error::CryptoError;
use super::key_id::KeyId;
use super::master_key::MasterKey;

/// Leading byte of every sealed value. A future format (another cipher, another layout) gets a new
/// byte, so old values stay readable and a value is never parsed under the wrong layout.
const FORMAT_V1: u8 = 0x01;
/// 96 bits: the nonce size GCM is specified and optimised for. Nonces are random (the OS CSPRNG), never
/// counters, because several processes seal with the same key and share no counter; at 96 random bits the
/// chance of a repeat stays negligible for far more values than a tenant store will ever seal under one
/// key (NIST SP 800-38D's bound is 2^32 messages per key), and rotation resets the count.
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = 1;
const MIN_LEN: usize = HEADER_LEN + NONCE_LEN + TAG_LEN;

/// An encrypted value and the id of the key that sealed it. Store both; `bytes` alone cannot be opened.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: KeyId,
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Sealed {
    // Ciphertext is not secret, but there is no reason to spray it into logs either: the length is
    // enough to debug with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed").field("key_id", &self.key_id.as_str()).field("len", &self.bytes.len()).finish()
    }
}

/// Encrypts `plaintext` under `key` with a fresh random nonce.
///
/// The authenticated data is the format byte followed by the caller's `aad`: binding the version means a
/// value can never be reinterpreted under a different layout, and the header has a fixed length, so the
/// concatenation is unambiguous.
pub(super) fn seal_with(key: &MasterKey, plaintext: &[u8], aad: &[u8]) -> Sealed {
    let nonce = Nonce::<Aes256Gcm>::generate();
    let authenticated = authenticated_data(aad);
    let ciphertext = key
        .cipher()
        .encrypt(&nonce, Payload { msg: plaintext, aad: &authenticated })
        .expect("AES-GCM refuses only plaintexts over 64 GiB or aad over 2^61 bytes; secrets are tiny");
    let mut bytes = Vec::with_capacity(HEADER_LEN + NONCE_LEN + ciphertext.len());
    bytes.push(FORMAT_V1);
    bytes.extend_from_slice(&nonce);
    bytes.extend_from_slice(&ciphertext);
    Sealed { key_id: key.id().clone(), bytes }
}

/// Checks the envelope, then decrypts and authenticates. Any change to the nonce, ciphertext or tag, or a
/// different `aad`, fails the tag check: garbage is never returned.
pub(super) fn open_with(key: &MasterKey, sealed: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    if sealed.len() < MIN_LEN {
        return Err(CryptoError::Malformed("too short to be a sealed value"));
    }
    let (header, rest) = sealed.split_at(HEADER_LEN);
    if header != [FORMAT_V1] {
        return Err(CryptoError::Malformed("unknown format version"));
    }
    let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
    let nonce = Nonce::<Aes256Gcm>::try_from(nonce).map_err(|_| CryptoError::Malformed("bad nonce length"))?;
    key.cipher()
        .decrypt(&nonce, Payload { msg: ciphertext, aad: &authenticated_data(aad) })
        .map_err(|_| CryptoError::Tampered)
}

fn authenticated_data(aad: &[u8]) -> Vec<u8> {
    let mut data = Vec::with_capacity(HEADER_LEN + aad.len());
    data.push(FORMAT_V1);
    data.extend_from_slice(aad);
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    const AAD: &[u8] = b"tenant:acme:credentials";

    #[test]
    fn round_trip_and_layout() {
        let (key, _) = MasterKey::generate();
        let sealed = seal_with(&key, b"hunter2", AAD);
        assert_eq!(&sealed.key_id, key.id());
        assert_eq!(sealed.bytes[0], FORMAT_V1);
        assert_eq!(sealed.bytes.len(), MIN_LEN + b"hunter2".len());
        assert_eq!(open_with(&key, &sealed.bytes, AAD).expect("opens"), b"hunter2");
    }

    #[test]
    fn empty_plaintext_round_trips() {
        let (key, _) = MasterKey::generate();
        let sealed = seal_with(&key, b"", AAD);
        assert_eq!(sealed.bytes.len(), MIN_LEN);
        assert_eq!(open_with(&key, &sealed.bytes, AAD).expect("opens"), b"");
    }

    #[test]
    fn debug_prints_key_id_and_length_only() {
        let (key, _) = MasterKey::generate();
        let sealed = seal_with(&key, b"hunter2", AAD);
        let debug = format!("{sealed:?}");
        assert_eq!(debug, format!("Sealed {{ key_id: \"{}\", len: {} }}", key.id(), sealed.bytes.len()));
    }

    #[test]
    fn truncated_and_empty_values_are_malformed() {
        let (key, _) = MasterKey::generate();
        let sealed = seal_with(&key, b"", AAD);
        for len in 0..sealed.bytes.len() {
            let result = open_with(&key, &sealed.bytes[..len], AAD);
            assert!(matches!(result, Err(CryptoError::Malformed(_))), "len {len}: {result:?}");
        }
    }

    #[test]
    fn unknown_version_byte_is_malformed() {
        let (key, _) = MasterKey::generate();
        let mut bytes = seal_with(&key, b"hunter2", AAD).bytes;
        for version in [0x00, 0x02, 0x80, 0xFF] {
            bytes[0] = version;
            let result = open_with(&key, &bytes, AAD);
            assert!(matches!(result, Err(CryptoError::Malformed("unknown format version"))), "{result:?}");
        }
    }
}
