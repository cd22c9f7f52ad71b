//! [`MasterKey`]: one 32-byte AES-256 key, loaded from base64 configuration or freshly generated.

use std::fmt;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::KeyInit;
use aes_gcm::aead::common::getrandom;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{self, GeneralPurpose, GeneralPurposeConfig};
use base64::{Engine, alphabet};
use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretBox, SecretString};

use super::error::KeyError;
use super::key_id::KeyId;

const KEY_LEN: usize = 32;

// Operators produce keys with `openssl rand -base64 32`, `MasterKey::generate` or a Python/JS tool that
// may use the URL-safe alphabet or drop the padding. All of these are unambiguous for 32 bytes, so both
// alphabets are accepted with or without padding; only `generate` fixes one output form.
const LENIENT: GeneralPurposeConfig =
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE_LENIENT: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// A 32-byte AES-256-GCM key with its derived [`KeyId`]. The key bytes live in a zeroize-on-drop
/// [`SecretBox`]; `Debug` prints the id only.
pub struct MasterKey {
    id: KeyId,
    key: SecretBox<[u8; KEY_LEN]>,
}

impl MasterKey {
    /// Parses a base64 key (standard or URL-safe alphabet, padding optional, surrounding whitespace such
    /// as a trailing newline from a mounted secret ignored). `var` names the setting in error messages.
    pub fn from_base64(var: &str, encoded: &SecretString) -> Result<MasterKey, KeyError> {
        let text = encoded.expose_secret().trim();
        if text.is_empty() {
            return Err(KeyError::Empty { var: var.to_owned() });
        }
        // Zeroizing: the decoded bytes are key material too, wipe them once copied into the SecretBox.
        let decoded = STANDARD_LENIENT
            .decode(text)
            .or_else(|_| URL_SAFE_LENIENT.decode(text))
            .map(Zeroizing::new)
            .map_err(|_| KeyError::NotBase64 { var: var.to_owned() })?;
        if decoded.len() != KEY_LEN {
            return Err(KeyError::WrongLength { var: var.to_owned(), len: decoded.len() });
        }
        Ok(MasterKey::from_secret(SecretBox::init_with_mut(|key: &mut [u8; KEY_LEN]| key.copy_from_slice(&decoded))))
    }

    /// A new random key from the operating system's CSPRNG, and its standard base64 encoding for the
    /// operator to store as `ENHANCER_MASTER_KEY`.
    ///
    /// # Panics
    /// If the operating system's random number generator fails, which no supported platform does.
    pub fn generate() -> (MasterKey, SecretString) {
        // Filled in place inside the box, so no copy of the new key is left behind on the stack.
        let key = SecretBox::init_with_mut(|key: &mut [u8; KEY_LEN]| {
            getrandom::fill(key).expect("the OS random number generator does not fail on supported platforms");
        });
        let encoded = SecretString::from(general_purpose::STANDARD.encode(key.expose_secret()));
        (MasterKey::from_secret(key), encoded)
    }

    pub fn id(&self) -> &KeyId {
        &self.id
    }

    fn from_secret(key: SecretBox<[u8; KEY_LEN]>) -> MasterKey {
        MasterKey { id: KeyId::derive(key.expose_secret()), key }
    }

    /// A cipher instance for one operation. Built per call (the AES key schedule costs well under a
    /// microsecond) so no expanded copy of the key outlives the operation.
    pub(super) fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(self.key.expose_secret().into())
    }
}

impl Clone for MasterKey {
    fn clone(&self) -> Self {
        MasterKey {
            id: self.id.clone(),
            key: SecretBox::init_with_mut(|key: &mut [u8; KEY_LEN]| {
                key.copy_from_slice(self.key.expose_secret());
            }),
        }
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id.as_str()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::STANDARD;

    const VAR: &str = "ENHANCER_MASTER_KEY";

    fn secret(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn parses_standard_and_url_safe_base64_with_or_without_padding() {
        let bytes: Vec<u8> = (0..32u8).map(|i| i.wrapping_mul(37).wrapping_add(250)).collect();
        let expected = KeyId::derive(&bytes.clone().try_into().expect("32 bytes"));
        let standard = STANDARD.encode(&bytes);
        let url_safe = general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        assert_ne!(standard.trim_end_matches('='), url_safe, "test key must use + or /");
        for text in [standard.clone(), format!("{standard}\n"), url_safe] {
            let key = MasterKey::from_base64(VAR, &secret(&text)).expect("valid key");
            assert_eq!(key.id(), &expected);
        }
    }

    #[test]
    fn generated_key_round_trips_through_its_encoding() {
        let (key, encoded) = MasterKey::generate();
        let parsed = MasterKey::from_base64(VAR, &encoded).expect("generated key parses");
        assert_eq!(parsed.id(), key.id());
        let (other, _) = MasterKey::generate();
        assert_ne!(other.id(), key.id(), "two generated keys must differ");
    }

    #[test]
    fn bad_base64_names_the_variable_and_hides_the_input() {
        let input = "not*base64*at*all*!!";
        let err = MasterKey::from_base64(VAR, &secret(input)).expect_err("must fail");
        assert!(matches!(err, KeyError::NotBase64 { .. }), "{err:?}");
        assert_eq!(err.to_string(), "ENHANCER_MASTER_KEY is not valid base64");
        assert!(!format!("{err} {err:?}").contains(input));
    }

    #[test]
    fn wrong_lengths_name_the_variable_and_hide_the_input() {
        for (len, expected) in [
            (16, "ENHANCER_MASTER_KEY must decode to 32 bytes, got 16"),
            (33, "ENHANCER_MASTER_KEY must decode to 32 bytes, got 33"),
        ] {
            let input = STANDARD.encode(vec![0xA5u8; len]);
            let err = MasterKey::from_base64(VAR, &secret(&input)).expect_err("must fail");
            assert!(matches!(err, KeyError::WrongLength { len: l, .. } if l == len), "{err:?}");
            assert_eq!(err.to_string(), expected);
            assert!(!format!("{err} {err:?}").contains(&input));
        }
    }

    #[test]
    fn blank_value_is_reported_as_empty() {
        let err = MasterKey::from_base64(VAR, &secret("  \n")).expect_err("must fail");
        assert_eq!(err.to_string(), "ENHANCER_MASTER_KEY is empty");
    }

    #[test]
    fn debug_shows_the_id_and_no_key_material() {
        let (key, encoded) = MasterKey::generate();
        let debug = format!("{key:?} {:?}", key.clone());
        assert!(debug.contains(key.id().as_str()), "{debug}");
        assert!(!debug.contains(encoded.expose_secret()), "{debug}");
        assert!(!debug.contains(encoded.expose_secret().trim_end_matches('=')), "{debug}");
    }
}
