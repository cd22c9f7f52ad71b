//! Atlassian's query string hash (`qsh`): SHA-256 of the canonical request
//! `UPPER(method) & canonical path & canonical query`, which binds a Connect JWT to one request.
//!
//! Rules (developer.atlassian.com "query-string-hash"): the path is relative to the app's base URL, starts
//! with `/`, has no trailing `/` (unless it is `/`), and `&` in it becomes `%26`; query parameters are
//! decoded, `jwt` is dropped, keys sorted, repeated keys' values sorted and joined with `,`, everything
//! percent-encoded per RFC 3986 (space `%20`, `*` `%2A`, `~` kept), pairs joined with `&`.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// The canonical request string that `qsh` hashes.
pub fn canonical_request(method: &str, path: &str, query: Option<&str>) -> String {
    format!("{}&{}&{}", method.to_ascii_uppercase(), canonical_path(path), canonical_query(query.unwrap_or("")))
}

/// `qsh` as Atlassian computes it: lower-case hex SHA-256 of [`canonical_request`].
pub fn query_string_hash(method: &str, path: &str, query: Option<&str>) -> String {
    hex::encode(Sha256::digest(canonical_request(method, path, query).as_bytes()))
}

fn canonical_path(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/".to_owned() } else { trimmed.replace('&', "%26") };
    if path.starts_with('/') { path } else { format!("/{path}") }
}

fn canonical_query(query: &str) -> String {
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key == "jwt" {
            continue;
        }
        params.entry(encode(&key)).or_default().push(value.into_owned());
    }
    params
        .into_iter()
        .map(|(key, mut values)| {
            values.sort();
            let values: Vec<String> = values.iter().map(|value| encode(value)).collect();
            format!("{key}={}", values.join(","))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// RFC 3986 percent-encoding: only unreserved characters stay literal.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atlassians_worked_example() {
        let query = "zee_last=param&repeated=parameter%201&first=param&repeated=parameter%202";
        assert_eq!(
            canonical_request("get", "/path/to/service", Some(query)),
            "GET&/path/to/service&first=param&repeated=parameter%201,parameter%202&zee_last=param"
        );
    }

    #[test]
    fn path_and_query_edge_cases() {
        assert_eq!(canonical_request("POST", "/user", None), "POST&/user&");
        assert_eq!(canonical_request("POST", "", Some("")), "POST&/&");
        assert_eq!(canonical_request("POST", "/a&b/", Some("jwt=xyz")), "POST&/a%26b&");
        assert_eq!(canonical_request("GET", "/x", Some("q=a+b*c~d")), "GET&/x&q=a%20b%2Ac~d");
        assert_eq!(query_string_hash("POST", "/user", None).len(), 64);
    }
}
