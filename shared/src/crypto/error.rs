//! The two failure families of secret crypto: a key that cannot be loaded from configuration
//! ([`KeyError`], fatal at start-up) and a sealed value that cannot be opened ([`CryptoError`]).
//!
//! Messages name the variable or the condition, never the key material or the plaintext: these errors
//! end up in logs and on operators' terminals.

use super::key_id::KeyId;
use crate::error::{Disposition, Retryable};

/// A master key from the environment is unusable. `var` is the variable name (and entry number for a
/// list), so the operator knows which setting to fix without the value ever being echoed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("{var} is empty")]
    Empty { var: String },
    // The base64 decoder's own error names the offending character and its offset: that is a piece of
    // the key, so it is deliberately dropped here.
    #[error("{var} is not valid base64")]
    NotBase64 { var: String },
    #[error("{var} must decode to 32 bytes, got {len}")]
    WrongLength { var: String, len: usize },
    /// The same key appears twice across the current and previous keys: almost always a rotation done
    /// half-way (the new key was never set as current), so it is refused rather than ignored.
    #[error("{var} repeats key {id}, which is already configured")]
    Duplicate { var: String, id: KeyId },
}

/// A sealed value cannot be opened. None of these will succeed on retry.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// The value was sealed under a key this process does not have, e.g. a rotated-out key missing from
    /// `ENHANCER_PREVIOUS_MASTER_KEYS`.
    #[error("no master key with id {0} is configured (is it missing from ENHANCER_PREVIOUS_MASTER_KEYS?)")]
    UnknownKey(KeyId),
    /// Authentication failed: the bytes were changed, or they were opened in a different context (aad)
    /// than they were sealed in. Which of the two is deliberately not said.
    #[error("sealed value failed authentication: it was altered or belongs to another context")]
    Tampered,
    /// The bytes are not a sealed value at all (too short, unknown format version, bad key id).
    #[error("sealed value is malformed: {0}")]
    Malformed(&'static str),
}

impl Retryable for CryptoError {
    fn disposition(&self) -> Disposition {
        Disposition::Permanent
    }
}
