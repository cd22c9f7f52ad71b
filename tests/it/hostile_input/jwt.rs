//! Atlassian Connect JWTs built by hand, so a test can forge what a library would refuse to make: `alg: none`,
//! an RS256 header over an HMAC, an algorithm the verifier does not accept.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::{Sha256, Sha512};

/// The Connect installation of the Jira Connect tenant.
pub const CLIENT_KEY: &str = "jira-connect-client-key-1";
pub const SHARED_SECRET: &str = "jira-connect-shared-secret-0123456789";

/// How the token's third part is made.
#[derive(Debug, Clone, Copy)]
pub enum Signature {
    /// HMAC-SHA256 under `key`, whatever the header says.
    Hs256(&'static str),
    Hs512(&'static str),
    /// A fixed byte string, as an RSA signature would look to a verifier without the public key.
    Bytes(&'static [u8]),
    None,
}

/// Claims for a POST to `path` (no query) that expire `expires_in` seconds from now.
pub fn claims(path: &str, expires_in: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": CLIENT_KEY,
        "iat": now,
        "exp": now + expires_in,
        "qsh": enhancer_plugins::jira::query_string_hash("POST", path, None),
    })
}

/// `header.claims.signature`, each part base64url without padding.
pub fn token(header: &Value, claims: &Value, signature: Signature) -> String {
    let signing_input = format!("{}.{}", part(header.to_string().as_bytes()), part(claims.to_string().as_bytes()));
    let signature = match signature {
        Signature::Hs256(key) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
            mac.update(signing_input.as_bytes());
            part(&mac.finalize().into_bytes())
        }
        Signature::Hs512(key) => {
            let mut mac = Hmac::<Sha512>::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
            mac.update(signing_input.as_bytes());
            part(&mac.finalize().into_bytes())
        }
        Signature::Bytes(bytes) => part(bytes),
        Signature::None => String::new(),
    };
    format!("{signing_input}.{signature}")
}

fn part(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}
