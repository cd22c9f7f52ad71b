//! Freshservice API v2 plumbing: URLs under `api/v2`, Basic auth with the API key as user name and `X` as
//! password, and the classification of answers, where a 429 always carries a wait.

use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, RequestBuilder};
use url::Url;

use crate::api::ToolApi;
use crate::error::ToolError;
use crate::http::HttpResponse;

/// The password that goes with the API key: Freshservice ignores it, but clients send `X` by convention.
pub const API_KEY_PASSWORD: &str = "X";

/// The wait for a 429 without a usable `Retry-After`. Freshservice's limits are per minute and account-wide,
/// so a minute is the longest we could have to wait, and retrying sooner only spends the next minute's quota.
pub const RATE_LIMIT_FALLBACK: Duration = Duration::from_secs(60);

/// `{base}/api/v2/{segments}`; a base URL that already ends in `/api/v2` is not extended twice.
pub(super) fn url(api: &ToolApi<'_>, segments: &[&str]) -> Result<Url, ToolError> {
    let mut all: Vec<&str> = if has_api_prefix(api.base_url) { Vec::new() } else { vec!["api", "v2"] };
    all.extend_from_slice(segments);
    api.endpoint(&all)
}

/// The account's web address (`https://acme.freshservice.com`), for links to a ticket.
pub(super) fn web_base(api: &ToolApi<'_>) -> Url {
    let mut base = api.base_url.clone();
    if has_api_prefix(&base) {
        let path = base.path().trim_end_matches('/').trim_end_matches("/api/v2").to_owned();
        base.set_path(&path);
    }
    base
}

fn has_api_prefix(base: &Url) -> bool {
    base.path().trim_end_matches('/').ends_with("/api/v2")
}

/// A request with `Accept: application/json` and Basic auth `api_key:X`.
pub(super) fn request(api: &ToolApi<'_>, method: Method, url: Url) -> Result<RequestBuilder, ToolError> {
    let key = api.credential("api_key")?;
    Ok(api
        .http
        .request(method, url)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        // reqwest marks the Authorization value sensitive, so it never appears in Debug output.
        .basic_auth(key, Some(API_KEY_PASSWORD)))
}

/// Sends and classifies: a success comes back, anything else is the contract's [`ToolError`]. A 429 whose
/// `Retry-After` is missing or unparsable waits [`RATE_LIMIT_FALLBACK`] instead of the worker's shortest tier.
pub(super) async fn send(api: &ToolApi<'_>, builder: RequestBuilder) -> Result<HttpResponse, ToolError> {
    let response = api.http.send(builder).await?;
    if response.status.is_success() {
        return Ok(response);
    }
    let status = response.status.as_u16();
    let retry_after = match response.retry_after {
        None if status == 429 => Some(RATE_LIMIT_FALLBACK),
        other => other,
    };
    Err(ToolError::from_status(status, retry_after, &response.body))
}
