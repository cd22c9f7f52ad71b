//! Reads Fernet tokens written by the legacy Python system (`cryptography.fernet`). A migration aid only:
//! values read here are re-sealed with [`KeyRing::seal`](super::KeyRing::seal); nothing new is ever
//! written as Fernet.

use fernet::{Fernet, MultiFernet};
use secrecy::{ExposeSecret, SecretBox, SecretString};

use crate::error::{Disposition, Retryable};

/// Why a legacy token could not be read. Neither the keys nor the token are ever part of the message.
#[derive(Debug, thiserror::Error)]
pub enum FernetError {
    #[error("no legacy Fernet keys were given")]
    NoKeys,
    /// `index` counts from 1 in the order the keys were given.
    #[error("legacy Fernet key {index} is not 32 bytes of URL-safe base64")]
    InvalidKey { index: usize },
    /// Wrong keys, a changed token, or not a Fernet token at all: Fernet does not say which, by design.
    #[error("legacy Fernet token could not be decrypted with any of the given keys")]
    Undecryptable,
}

impl Retryable for FernetError {
    fn disposition(&self) -> Disposition {
        Disposition::Permanent
    }
}

/// The earlier platform's keys, parsed once (from `ENHANCER_LEGACY_FERNET_KEY`) and then used for every
/// token of a migration. `Debug` shows how many keys there are, nothing else.
pub struct LegacyFernetKeys {
    fernet: MultiFernet,
    count: usize,
}

impl std::fmt::Debug for LegacyFernetKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LegacyFernetKeys").field("keys", &self.count).finish_non_exhaustive()
    }
}

impl LegacyFernetKeys {
    /// One key, or several separated by commas (a platform that rotated its key with `MultiFernet` lists
    /// every key still in use); blank entries are ignored. Keys are URL-safe base64 as
    /// `Fernet.generate_key()` prints them (padding optional).
    pub fn parse(value: &SecretString) -> Result<Self, FernetError> {
        let keys: Vec<&str> = value.expose_secret().split(',').map(str::trim).filter(|k| !k.is_empty()).collect();
        Self::from_keys(&keys)
    }

    fn from_keys(keys: &[&str]) -> Result<Self, FernetError> {
        if keys.is_empty() {
            return Err(FernetError::NoKeys);
        }
        let fernets = keys
            .iter()
            .enumerate()
            .map(|(i, key)| Fernet::new(key.trim()).ok_or(FernetError::InvalidKey { index: i + 1 }))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { fernet: MultiFernet::new(fernets), count: keys.len() })
    }

    /// Decrypts `token` with the first key that authenticates it, as Python's `MultiFernet` does.
    ///
    /// No TTL is applied: legacy tokens are as old as the secrets they hold, and their age says nothing
    /// about whether the secret is still valid. (Tokens stamped more than 60 seconds in the future are still
    /// refused, as Fernet specifies.)
    pub fn decrypt(&self, token: &str) -> Result<SecretBox<Vec<u8>>, FernetError> {
        let plaintext = self.fernet.decrypt(token.trim()).map_err(|_| FernetError::Undecryptable)?;
        Ok(SecretBox::new(Box::new(plaintext)))
    }
}

/// Decrypts `token` with the first of `keys_b64` that authenticates it; see [`LegacyFernetKeys::decrypt`].
pub fn decrypt_fernet(keys_b64: &[&SecretString], token: &str) -> Result<SecretBox<Vec<u8>>, FernetError> {
    let keys: Vec<&str> = keys_b64.iter().map(|key| key.expose_secret()).collect();
    LegacyFernetKeys::from_keys(&keys)?.decrypt(token)
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE;
    use serde::Deserialize;

    use super::*;

    /// Made by `shared/tests/fixtures/fernet/generate.py` with Python `cryptography`.
    const FIXTURE: &str = include_str!("../../tests/fixtures/fernet/tokens.json");

    #[derive(Deserialize)]
    struct Fixture {
        key1: String,
        key2: String,
        tokens: Vec<Case>,
    }

    #[derive(Deserialize)]
    struct Case {
        name: String,
        key: String,
        plaintext: String,
        token: String,
    }

    struct Keys {
        key1: SecretString,
        key2: SecretString,
    }

    fn fixture() -> (Keys, Vec<Case>) {
        let fixture: Fixture = serde_json::from_str(FIXTURE).expect("fixture is valid JSON");
        let keys = Keys { key1: SecretString::from(fixture.key1), key2: SecretString::from(fixture.key2) };
        (keys, fixture.tokens)
    }

    fn decrypt_str(keys: &[&SecretString], token: &str) -> Result<String, FernetError> {
        decrypt_fernet(keys, token)
            .map(|plain| String::from_utf8(plain.expose_secret().clone()).expect("fixture is UTF-8"))
    }

    #[test]
    fn fixture_covers_the_required_cases() {
        let (_, cases) = fixture();
        let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["credentials_json", "unicode", "empty", "webhook_secret_under_key2"]);
        assert!(cases.iter().any(|c| c.plaintext.is_empty()));
        assert!(cases.iter().any(|c| !c.plaintext.is_ascii()));
        assert!(cases.iter().any(|c| c.key == "key2"));
    }

    #[test]
    fn python_tokens_decrypt_with_both_keys_given() {
        let (keys, cases) = fixture();
        for case in &cases {
            let plain =
                decrypt_str(&[&keys.key1, &keys.key2], &case.token).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_eq!(plain, case.plaintext, "{}", case.name);
        }
    }

    #[test]
    fn python_tokens_decrypt_with_only_their_own_key() {
        let (keys, cases) = fixture();
        for case in &cases {
            let (own, other) = match case.key.as_str() {
                "key1" => (&keys.key1, &keys.key2),
                "key2" => (&keys.key2, &keys.key1),
                unexpected => panic!("fixture names unknown key {unexpected}"),
            };
            assert_eq!(decrypt_str(&[own], &case.token).ok().as_deref(), Some(case.plaintext.as_str()));
            // Key order does not matter, as with Python's MultiFernet.
            assert_eq!(decrypt_str(&[other, own], &case.token).ok().as_deref(), Some(case.plaintext.as_str()));
            let wrong = decrypt_str(&[other], &case.token);
            assert!(matches!(wrong, Err(FernetError::Undecryptable)), "{}: {wrong:?}", case.name);
        }
    }

    #[test]
    fn tampered_tokens_are_refused() {
        let (keys, cases) = fixture();
        let case = &cases[0];
        let raw = URL_SAFE.decode(&case.token).expect("token is URL-safe base64");
        // Version byte, timestamp, IV, ciphertext and HMAC: a flipped bit in any of them is refused.
        for position in [0, 1, 9, 12, 25, 40, raw.len() - 1] {
            let mut bytes = raw.clone();
            bytes[position] ^= 0x01;
            let token = URL_SAFE.encode(&bytes);
            let result = decrypt_str(&[&keys.key1, &keys.key2], &token);
            assert!(matches!(result, Err(FernetError::Undecryptable)), "byte {position}: {result:?}");
        }
        let truncated = &case.token[..case.token.len() / 2];
        let result = decrypt_str(&[&keys.key1], truncated);
        assert!(matches!(result, Err(FernetError::Undecryptable)), "{result:?}");
        let result = decrypt_str(&[&keys.key1], "not a token");
        assert!(matches!(result, Err(FernetError::Undecryptable)), "{result:?}");
    }

    #[test]
    fn bad_keys_are_named_by_position_without_echoing_them() {
        let (keys, cases) = fixture();
        let short = SecretString::from(URL_SAFE.encode([7u8; 16]));
        let result = decrypt_fernet(&[&keys.key1, &short], &cases[0].token);
        let err = result.expect_err("invalid key refused");
        assert!(matches!(err, FernetError::InvalidKey { index: 2 }), "{err:?}");
        assert_eq!(err.to_string(), "legacy Fernet key 2 is not 32 bytes of URL-safe base64");
        assert!(!format!("{err:?}").contains(short.expose_secret()));

        let none = decrypt_fernet(&[], &cases[0].token);
        assert!(matches!(none, Err(FernetError::NoKeys)), "{none:?}");
    }

    #[test]
    fn an_environment_value_lists_one_or_more_keys() {
        let (keys, cases) = fixture();
        let both = SecretString::from(format!(" {} ,, {} ", keys.key1.expose_secret(), keys.key2.expose_secret()));
        let parsed = LegacyFernetKeys::parse(&both).expect("two keys");
        assert_eq!(format!("{parsed:?}"), "LegacyFernetKeys { keys: 2, .. }");
        for case in &cases {
            let plain = parsed.decrypt(&case.token).unwrap_or_else(|e| panic!("{}: {e}", case.name));
            assert_eq!(plain.expose_secret().as_slice(), case.plaintext.as_bytes(), "{}", case.name);
        }
        let only_key2 = LegacyFernetKeys::parse(&keys.key2).expect("one key");
        assert!(matches!(only_key2.decrypt(&cases[0].token), Err(FernetError::Undecryptable)));

        let blank = LegacyFernetKeys::parse(&SecretString::from(" , ".to_owned()));
        assert!(matches!(blank, Err(FernetError::NoKeys)), "{blank:?}");
        let bad = LegacyFernetKeys::parse(&SecretString::from(format!("{},not-a-key", keys.key1.expose_secret())));
        assert!(matches!(bad, Err(FernetError::InvalidKey { index: 2 })), "{bad:?}");
    }
}
