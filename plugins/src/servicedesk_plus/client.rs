//! SDP v3 API plumbing: URLs under `api/v3`, the v3 `Accept` header, on-prem `authtoken` vs Cloud
//! `Authorization: Zoho-oauthtoken`, and the `response_status` envelope that can carry an error under 200.

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use url::Url;

use crate::api::ToolApi;
use crate::error::{ToolError, is_transient_status};
use crate::http::HttpResponse;
use crate::payload::{at, id_at, str_at};

/// SDP answers v3 JSON only when asked for this media type.
pub const ACCEPT_V3: &str = "application/vnd.manageengine.sdp.v3+json";

/// `{base}/api/v3/{segments}`; a base URL that already ends in `/api/v3` is not extended twice.
pub(super) fn url(api: &ToolApi<'_>, segments: &[&str]) -> Result<Url, ToolError> {
    let has_prefix = api.base_url.path().trim_end_matches('/').ends_with("/api/v3");
    let mut all: Vec<&str> = if has_prefix { Vec::new() } else { vec!["api", "v3"] };
    all.extend_from_slice(segments);
    api.endpoint(&all)
}

/// A request with the v3 `Accept` header and the tenant's credentials: `oauth_token` (Cloud) when present,
/// else `authtoken` (on-prem technician API key).
pub(super) fn request(api: &ToolApi<'_>, method: Method, url: Url) -> Result<RequestBuilder, ToolError> {
    let (name, value) = if let Some(token) = api.credentials.get("oauth_token") {
        (AUTHORIZATION, format!("Zoho-oauthtoken {token}"))
    } else if let Some(key) = api.credentials.get("authtoken") {
        (reqwest::header::HeaderName::from_static("authtoken"), key.to_owned())
    } else {
        return Err(ToolError::Credentials("need \"authtoken\" (on-prem) or \"oauth_token\" (cloud)".into()));
    };
    let mut value = HeaderValue::from_str(&value)
        .map_err(|_| ToolError::Credentials("the SDP token is not a valid header value".into()))?;
    value.set_sensitive(true);
    Ok(api.http.request(method, url).header(ACCEPT, HeaderValue::from_static(ACCEPT_V3)).header(name, value))
}

/// Opens the v3 envelope. Transient HTTP statuses and auth failures are classified by status; otherwise a
/// `response_status` with a code of 4000 or more (or `"status": "failed"`) is an error even under HTTP 200.
pub(super) fn envelope(response: &HttpResponse) -> Result<Value, ToolError> {
    let status = response.status.as_u16();
    if is_transient_status(status) || status == 401 || status == 403 {
        return Err(response.to_error());
    }
    let body: Value = match response.json() {
        Ok(body) => body,
        Err(_) if !response.status.is_success() => return Err(response.to_error()),
        Err(err) => return Err(err),
    };
    // Single-record answers carry an object, list answers an array of one.
    let status_node = match at(&body, &["response_status"]) {
        Some(Value::Array(items)) => items.first(),
        other => other,
    };
    if let Some(node) = status_node {
        let code = id_at(node, &["status_code"]).unwrap_or_default();
        let failed = code.parse::<u32>().is_ok_and(|code| code >= 4000)
            || str_at(node, &["status"]).is_some_and(|s| s.eq_ignore_ascii_case("failed"));
        if failed {
            let first = node.get("messages").and_then(|messages| messages.get(0));
            let detail_code = first.and_then(|m| id_at(m, &["status_code"])).unwrap_or(code);
            let message = first.and_then(|m| str_at(m, &["message"])).unwrap_or("request failed");
            return Err(ToolError::Rejected { code: detail_code, message: message.chars().take(200).collect() });
        }
    }
    if !response.status.is_success() {
        return Err(response.to_error());
    }
    Ok(body)
}
