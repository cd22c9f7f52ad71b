//! Jira REST plumbing: `{base}/rest/api/3/...` URLs and basic auth with `email:api_token`. (A Connect app's
//! `shared_secret` only verifies inbound webhooks; REST calls need the REST credentials as well.)

use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, RequestBuilder};
use url::Url;

use crate::api::ToolApi;
use crate::error::ToolError;

pub(super) fn url(api: &ToolApi<'_>, segments: &[&str]) -> Result<Url, ToolError> {
    let mut all = vec!["rest", "api", "3"];
    all.extend_from_slice(segments);
    api.endpoint(&all)
}

pub(super) fn request(api: &ToolApi<'_>, method: Method, url: Url) -> Result<RequestBuilder, ToolError> {
    let (Some(email), Some(token)) = (api.credentials.get("email"), api.credentials.get("api_token")) else {
        return Err(ToolError::Credentials("Jira REST calls need \"email\" and \"api_token\"".into()));
    };
    Ok(api
        .http
        .request(method, url)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        // reqwest marks the Authorization value sensitive, so it never appears in Debug output.
        .basic_auth(email, Some(token)))
}
