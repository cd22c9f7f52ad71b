//! Zendesk REST plumbing: `{base}/api/v2/...` URLs and the two auth methods, an API token as basic auth
//! `{email}/token:{api_token}`, or an OAuth access token as `Authorization: Bearer`.

use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue};
use reqwest::{Method, RequestBuilder};
use url::Url;

use crate::api::ToolApi;
use crate::error::ToolError;

/// `{base}/api/v2/{segments}`; a base URL that already ends in `/api/v2` is not extended twice.
pub(super) fn url(api: &ToolApi<'_>, segments: &[&str]) -> Result<Url, ToolError> {
    let has_prefix = api.base_url.path().trim_end_matches('/').ends_with("/api/v2");
    let mut all: Vec<&str> = if has_prefix { Vec::new() } else { vec!["api", "v2"] };
    all.extend_from_slice(segments);
    api.endpoint(&all)
}

/// A JSON request with the tenant's credentials: `oauth_token` when present, else `email` + `api_token`.
pub(super) fn request(api: &ToolApi<'_>, method: Method, url: Url) -> Result<RequestBuilder, ToolError> {
    let builder = api.http.request(method, url).header(ACCEPT, HeaderValue::from_static("application/json"));
    if let Some(token) = api.credentials.get("oauth_token") {
        let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
            .map_err(|_| ToolError::Credentials("the Zendesk OAuth token is not a valid header value".into()))?;
        value.set_sensitive(true);
        return Ok(builder.header(AUTHORIZATION, value));
    }
    let (Some(email), Some(token)) = (api.credentials.get("email"), api.credentials.get("api_token")) else {
        return Err(ToolError::Credentials("Zendesk needs \"email\" and \"api_token\", or \"oauth_token\"".into()));
    };
    // Zendesk's API-token form of basic auth: the user name is `{email}/token`. reqwest marks the value
    // sensitive, so it never appears in Debug output.
    Ok(builder.basic_auth(format!("{email}/token"), Some(token)))
}
