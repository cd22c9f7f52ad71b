//! The HTTP client of a service the operator configures by base URL (the LLM, the embedding server), built
//! once for both so that they hold to one set of rules:
//!
//! - **Timeouts.** `reqwest::Client::new()` has none.
//! - **No redirects.** A redirect would carry the API key and the ticket text to wherever the answer
//!   points; a 3xx is an error answer.
//! - **No proxy.** A proxy variable in the environment would route ticket text through a host nobody
//!   configured; only the base URL decides the route.
//! - **The outbound address policy.** The base URL is checked when the client is built (an IP literal:
//!   reqwest connects to it without asking the resolver) and every name on every connection, with the
//!   service's `allow_private_base_url` deciding about loopback and private addresses.

use std::sync::Arc;
use std::time::Duration;

use enhancer_plugins::http::PolicyResolver;

/// What a client for one service is built from.
#[derive(Debug, Clone, Copy)]
pub struct ServiceEndpoint<'a> {
    /// The configuration key of the base URL, for the messages (`llm.base_url`).
    pub key: &'static str,
    pub base_url: &'a str,
    pub connect_timeout: Duration,
    /// The whole call, reading the answer included.
    pub timeout: Duration,
    pub allow_private_base_url: bool,
    /// The setting that allows private addresses, named when the policy refuses one.
    pub private_setting: &'static str,
}

/// The parsed base URL (no trailing `/`) and the client; the error says what is wrong, naming the key.
pub fn build(endpoint: &ServiceEndpoint<'_>) -> Result<(url::Url, reqwest::Client), String> {
    let policy = PolicyResolver {
        allow_private_networks: endpoint.allow_private_base_url,
        private_setting: endpoint.private_setting,
    };
    let base = url::Url::parse(endpoint.base_url.trim_end_matches('/'))
        .map_err(|err| format!("{} is not a URL: {err}", endpoint.key))?;
    policy
        .check_url(&base)
        .map_err(|refused| format!("{}: the outbound address policy refuses {refused}", endpoint.key))?;
    let client = reqwest::Client::builder()
        .connect_timeout(endpoint.connect_timeout)
        .timeout(endpoint.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .dns_resolver(Arc::new(policy))
        .build()
        .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
    Ok((base, client))
}
