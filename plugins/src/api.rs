//! [`ToolApi`]: what an API call needs for one tenant: its base URL, its decrypted credentials, its settings
//! and the shared outbound client. Built per job by the worker from what its tenant cache holds, all
//! borrowed (no credential is copied per job); plugins keep no tenant state.

use enhancer_shared::tenant::{Credentials, TenantSecrets, TenantSettings};
use url::Url;

use crate::error::ToolError;
use crate::http::HttpClient;

/// One tenant's view of its tool's API.
#[derive(Debug, Clone)]
pub struct ToolApi<'a> {
    /// The tenant's base URL (`https://acme.atlassian.net`, `https://sdp.acme.com:8080`, ...), already vetted
    /// by the URL policy when the tenant was added.
    pub base_url: &'a Url,
    pub credentials: &'a Credentials,
    pub settings: &'a TenantSettings,
    pub http: &'a HttpClient,
}

impl<'a> ToolApi<'a> {
    pub fn new(
        http: &'a HttpClient,
        base_url: &'a Url,
        secrets: &'a TenantSecrets,
        settings: &'a TenantSettings,
    ) -> Self {
        Self { base_url, credentials: secrets.credentials(), settings, http }
    }

    /// `base_url` with `segments` appended as path segments, each percent-encoded (a ticket id can never add
    /// a path level or a query). A trailing `/` on the base URL is ignored.
    pub fn endpoint(&self, segments: &[&str]) -> Result<Url, ToolError> {
        endpoint(self.base_url, segments)
    }

    /// A required credential, or a permanent error naming the missing key.
    pub fn credential(&self, key: &str) -> Result<&str, ToolError> {
        self.credentials.get(key).ok_or_else(|| ToolError::Credentials(format!("missing {key:?}")))
    }
}

/// See [`ToolApi::endpoint`].
pub fn endpoint(base: &Url, segments: &[&str]) -> Result<Url, ToolError> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| ToolError::InvalidRequest("base URL cannot take a path".into()))?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_appended_and_encoded() {
        let base = Url::parse("https://x.example/app/itdesk/").expect("url");
        let url = endpoint(&base, &["api", "v3", "requests", "a?b#c"]).expect("endpoint");
        assert_eq!(url.as_str(), "https://x.example/app/itdesk/api/v3/requests/a%3Fb%23c");
        let base = Url::parse("https://x.example").expect("url");
        assert_eq!(endpoint(&base, &["notes"]).expect("endpoint").as_str(), "https://x.example/notes");
    }
}
