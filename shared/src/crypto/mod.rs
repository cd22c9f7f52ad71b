//! Secrets at rest: tenant credentials and webhook secrets sealed with AES-256-GCM under a master key
//! that carries a derived key id, so keys can be rotated while older values stay readable.
//!
//! The pieces, one per file:
//! - [`MasterKey`] (`master_key.rs`): a 32-byte key parsed from `ENHANCER_MASTER_KEY`, or generated.
//! - [`KeyId`] (`key_id.rs`): the public, deterministic name of a key, stored next to every sealed value.
//! - [`KeyRing`] (`key_ring.rs`): the current key (the only one that seals) plus previous keys (open only).
//! - [`Sealed`] (`sealed.rs`): the on-disk envelope `0x01 || nonce || ciphertext+tag` and the AEAD calls.
//! - [`KeyError`] / [`CryptoError`] (`error.rs`): configuration errors versus errors opening a value.
//! - [`legacy_fernet`]: reads tokens written by the old Python system (`tenant import-legacy`); a migration
//!   aid, never used to write.
//!
//! Nothing here prints key material: `Debug` shows key ids and lengths only, and error messages name the
//! variable that was wrong, never its value.

mod error;
mod key_id;
mod key_ring;
pub mod legacy_fernet;
mod master_key;
mod sealed;

pub use error::{CryptoError, KeyError};
pub use key_id::KeyId;
pub use key_ring::{KeyRing, MASTER_KEY_VAR, PREVIOUS_MASTER_KEYS_VAR};
pub use master_key::MasterKey;
pub use sealed::Sealed;
