//! Helpers for adapters' [`Route::expect`](super::adapter::Route) functions: each returns a finding that
//! names what the request lacked, never a secret it carried.

use serde_json::Value;
use wiremock::Request;

/// The header `name` has exactly `value` (compared case-sensitively; header names are not).
pub fn header_is(req: &Request, name: &str, value: &str) -> Result<(), String> {
    match req.headers.get(name).map(|found| found.to_str()) {
        Some(Ok(found)) if found == value => Ok(()),
        Some(_) => Err(format!("header {name} does not have the expected value")),
        None => Err(format!("header {name} is missing")),
    }
}

/// The header `name` is absent.
pub fn header_absent(req: &Request, name: &str) -> Result<(), String> {
    if req.headers.contains_key(name) { Err(format!("header {name} must not be sent")) } else { Ok(()) }
}

/// `Content-Type` is `media_type`, with or without parameters (`; charset=utf-8`).
pub fn content_type_is(req: &Request, media_type: &str) -> Result<(), String> {
    let found = req.headers.get("content-type").and_then(|value| value.to_str().ok()).unwrap_or("");
    let essence = found.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case(media_type) {
        Ok(())
    } else {
        Err(format!("content type is {found:?}, expected {media_type}"))
    }
}

/// The body as JSON.
pub fn json_body(req: &Request) -> Result<Value, String> {
    serde_json::from_slice(&req.body).map_err(|err| format!("body is not JSON: {err}"))
}

/// A form field of an `application/x-www-form-urlencoded` body.
pub fn form_field(req: &Request, name: &str) -> Result<String, String> {
    url::form_urlencoded::parse(&req.body)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| format!("form field {name} is missing"))
}

/// A query parameter.
pub fn query_param(req: &Request, name: &str) -> Result<String, String> {
    req.url
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| format!("query parameter {name} is missing"))
}

/// `Ok` when `ok`, else the finding.
pub fn ensure(ok: bool, finding: &str) -> Result<(), String> {
    if ok { Ok(()) } else { Err(finding.to_owned()) }
}
