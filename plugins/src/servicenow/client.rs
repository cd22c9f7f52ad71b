//! Table API plumbing: `{base}/api/now/table/{table}/...` URLs, `Accept: application/json`, the tenant's
//! auth (Basic, or an OAuth bearer token that is renewed once when the instance answers 401), and the
//! `{"result": ...}` envelope.

use reqwest::header::{ACCEPT, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use secrecy::ExposeSecret;
use serde_json::Value;
use tracing::debug;
use url::Url;

use super::auth::Auth;
use super::oauth;
use crate::api::ToolApi;
use crate::error::ToolError;
use crate::http::HttpResponse;

/// `{base}/api/now/table/{table}` followed by `segments`.
pub(super) fn table_url(api: &ToolApi<'_>, table: &str, segments: &[&str]) -> Result<Url, ToolError> {
    let mut all = vec!["api", "now", "table", table];
    all.extend_from_slice(segments);
    api.endpoint(&all)
}

/// A request with the JSON `Accept` header, still without credentials (see [`send`]).
pub(super) fn request(api: &ToolApi<'_>, method: Method, url: Url) -> RequestBuilder {
    api.http.request(method, url).header(ACCEPT, HeaderValue::from_static("application/json"))
}

/// Sends the request that `build` makes, authenticated. `build` runs again for the one retry after an
/// OAuth 401; a 401 that survives a fresh token (or any 401 with Basic auth) is the answer.
pub(super) async fn send(
    api: &ToolApi<'_>,
    build: impl Fn() -> Result<RequestBuilder, ToolError>,
) -> Result<HttpResponse, ToolError> {
    match Auth::from_credentials(api.credentials)? {
        // reqwest marks both Authorization values sensitive, so they never appear in Debug output.
        Auth::Basic { username, password } => api.http.send(build()?.basic_auth(username, Some(password))).await,
        Auth::OAuth(client) => {
            let token = oauth::access_token(api, &client).await?;
            let response = api.http.send(build()?.bearer_auth(token.expose_secret())).await?;
            if response.status != StatusCode::UNAUTHORIZED {
                return Ok(response);
            }
            debug!("ServiceNow refused the cached OAuth token; requesting a new one, once");
            oauth::forget(api, &client, &token);
            let token = oauth::access_token(api, &client).await?;
            api.http.send(build()?.bearer_auth(token.expose_secret())).await
        }
    }
}

/// The `result` of a successful answer; any other status is classified by [`HttpResponse::to_error`].
pub(super) fn result(response: HttpResponse) -> Result<Value, ToolError> {
    let mut body: Value = response.error_for_status()?.json()?;
    body.get_mut("result").map(Value::take).ok_or_else(|| ToolError::Malformed("no \"result\" in the answer".into()))
}
