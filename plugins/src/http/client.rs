//! [`HttpClient`]: reqwest with our timeouts, size limit, retry loop and error classification.

use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{HeaderValue, RETRY_AFTER};
use reqwest::{Client, Request, RequestBuilder, redirect};
use tracing::{debug, warn};

use super::config::HttpConfig;
use super::resolver::{AddressRefused, PolicyResolver};
use super::response::HttpResponse;
use super::retry::{backoff, is_idempotent, parse_rate_limit_reset, parse_retry_after};
use crate::error::{ToolError, is_transient_status};

/// The reqwest client could not be built (TLS backend initialisation).
#[derive(Debug, thiserror::Error)]
#[error("could not build the outbound HTTP client: {0}")]
pub struct HttpBuildError(#[from] reqwest::Error);

/// The shared outbound client. Cheap to clone (the connection pool is shared); build one per process.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: Client,
    config: HttpConfig,
    policy: PolicyResolver,
}

impl HttpClient {
    pub fn new(config: HttpConfig) -> Result<Self, HttpBuildError> {
        let policy = PolicyResolver::outbound(config.allow_private_networks);
        let inner = Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            // Tenant base URLs are vetted against the URL policy (https, no private or metadata addresses)
            // when the tenant is added; following a redirect would let a tool send us, with credentials,
            // anywhere. A 3xx is therefore an answer like any other (and classified permanent).
            .redirect(redirect::Policy::none())
            // Every address a host name resolves to is checked against the outbound policy at connect time;
            // IP literals never reach the resolver and are checked in `execute`.
            .dns_resolver(std::sync::Arc::new(policy))
            // HTTPS_PROXY, HTTP_PROXY and ALL_PROXY in the environment are ignored: a proxy would see the
            // tenants' credentials and decide where calls really go, so only the network decides egress.
            .no_proxy()
            // reqwest's default retry policy (only protocol-level NACKs such as HTTP/2 REFUSED_STREAM, which
            // the server guarantees it did not process) stays on; our own loop below handles everything else.
            .build()?;
        Ok(Self { inner, config, policy })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.config
    }

    /// Starts a request; finish it with [`HttpClient::send`].
    pub fn request(&self, method: reqwest::Method, url: url::Url) -> RequestBuilder {
        self.inner.request(method, url)
    }

    /// Sends the request and reads the response within the size limit. Idempotent requests are retried on
    /// transient failures (timeout, connect, 429, 5xx) with full-jitter backoff, honouring a short
    /// `Retry-After`. Returns any response the server completed, success or not, after retries: call
    /// [`HttpResponse::error_for_status`] or inspect it. Errors are transport failures only.
    pub async fn send(&self, builder: RequestBuilder) -> Result<HttpResponse, ToolError> {
        let mut request = builder.build().map_err(|err| ToolError::InvalidRequest(without_url(err)))?;
        let retries = if is_idempotent(request.method()) { self.config.max_retries } else { 0 };
        let mut attempt = 0;
        loop {
            // A streaming body cannot be cloned; such a request simply gets one attempt.
            let copy = if attempt < retries { request.try_clone() } else { None };
            let url = redacted_url(request.url());
            let outcome = self.execute(request).await;
            let Some(copy) = copy else { return outcome };
            let Some(wait) = self.retry_wait(&outcome, attempt) else { return outcome };
            debug!(%url, attempt, ?wait, "retrying idempotent request after a transient failure");
            tokio::time::sleep(wait).await;
            request = copy;
            attempt += 1;
        }
    }

    /// Sends the request exactly once, whatever its method. For calls that are not idempotent although their
    /// method says so (Zendesk adds a comment with a `PUT` on the ticket): repeating one after a timeout could
    /// post a second note. A failure goes back to the worker, whose retry looks for the note first.
    pub async fn send_once(&self, builder: RequestBuilder) -> Result<HttpResponse, ToolError> {
        let request = builder.build().map_err(|err| ToolError::InvalidRequest(without_url(err)))?;
        self.execute(request).await
    }

    /// How long to wait before retrying `outcome`, or `None` when it must not be retried in-process.
    fn retry_wait(&self, outcome: &Result<HttpResponse, ToolError>, attempt: u32) -> Option<Duration> {
        let asked = match outcome {
            Ok(response) if is_transient_status(response.status.as_u16()) => response.retry_after,
            Err(ToolError::Timeout | ToolError::Connect(_) | ToolError::Transport(_)) => None,
            _ => return None,
        };
        let jitter = backoff(attempt, self.config.base_backoff, self.config.max_backoff);
        match asked {
            // The server asked for longer than we are willing to hold a worker slot: the hint travels on the
            // error to the worker, whose delay tiers wait instead.
            Some(asked) if asked > self.config.max_retry_after => None,
            Some(asked) => Some(asked.max(jitter)),
            None => Some(jitter),
        }
    }

    /// One exchange: send, then stream the body, stopping at the size limit.
    async fn execute(&self, request: Request) -> Result<HttpResponse, ToolError> {
        // reqwest connects to an IP literal without asking the resolver, so the policy is applied here.
        self.policy.check_url(request.url()).map_err(|refused| ToolError::Refused(refused.0))?;
        let mut response = self.inner.execute(request).await.map_err(classify)?;
        let limit = self.config.max_response_bytes;
        if response.content_length().is_some_and(|length| length > limit as u64) {
            return Err(ToolError::TooLarge { limit });
        }
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > limit {
                warn!(url = %redacted_url(response.url()), limit, "response exceeded the size limit");
                return Err(ToolError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        let header = |name| headers.get(name).and_then(|value: &HeaderValue| value.to_str().ok());
        let retry_after = header(RETRY_AFTER.as_str())
            .and_then(|value| parse_retry_after(value, Utc::now()))
            // A 429 without `Retry-After` may still say when the window resets (ServiceNow rate-limit rules).
            .or_else(|| {
                let limited = status == StatusCode::TOO_MANY_REQUESTS;
                header("x-ratelimit-reset")
                    .filter(|_| limited)
                    .and_then(|value| parse_rate_limit_reset(value, Utc::now()))
            });
        Ok(HttpResponse { status, headers, body, retry_after })
    }
}

/// Maps a reqwest failure onto the contract's classes. The message never includes the URL (which could
/// carry a token in its query on some tools).
fn classify(err: reqwest::Error) -> ToolError {
    if let Some(refused) = AddressRefused::in_chain(&err) {
        ToolError::Refused(refused.0.clone())
    } else if err.is_timeout() {
        ToolError::Timeout
    } else if err.is_connect() {
        ToolError::Connect(without_url(err))
    } else if err.is_builder() {
        ToolError::InvalidRequest(without_url(err))
    } else {
        ToolError::Transport(without_url(err))
    }
}

/// `err` and its causes on one line, without the URL (a URL may hold what the logs must not): what every
/// outbound client of the workspace reports a transport failure with.
pub fn without_url(err: reqwest::Error) -> String {
    use std::error::Error as _;
    let err = err.without_url();
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Scheme, host and path only: query strings and userinfo stay out of logs.
fn redacted_url(url: &url::Url) -> String {
    format!("{}://{}{}", url.scheme(), url.host_str().unwrap_or(""), url.path())
}
