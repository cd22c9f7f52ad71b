//! The HTTP client of the LLM provider: async-openai over our own reqwest client, with timeouts, with the
//! library's retries off, and with every setting explicit.
//!
//! - **Retries off.** async-openai's default executor retries 429, 5xx and connect errors three times; the
//!   queue already retries jobs, and nested retries multiply calls. Installing our own tower service with
//!   `with_http_service` replaces that executor, so one `write` is exactly one HTTP request.
//! - **Timeouts, no redirects, no proxy, the outbound address policy**: the client is
//!   [`crate::service_client`]'s; `Client::with_config` would use `reqwest::Client::new()`.
//! - **No environment.** `OpenAIConfig` reads `OPENAI_BASE_URL`, `OPENAI_API_KEY`, `OPENAI_ORG_ID` and
//!   `OPENAI_PROJECT_ID`; every one of them is overwritten here so a variable in the worker's environment
//!   never decides where ticket text goes or which account pays for it. `llm.allow_private_base_url`
//!   decides about loopback and private addresses.
//! - **Retry-After.** async-openai drops response headers on errors, so the service turns a non-success
//!   status into an [`LlmError::Status`] itself, with the header read.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::{HttpRequestFactory, ReqwestService};
use secrecy::{ExposeSecret, SecretString};
use tower::Service;

use super::error::{LlmError, excerpt, retry_after};
use super::wire::{ChatRequest, ChatResponse};
use crate::service_client::ServiceEndpoint;

/// Where the LLM is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// Up to and including the version path, e.g. `https://api.openai.com/v1` or `http://ollama:11434/v1`.
    pub base_url: String,
    /// `None` for servers without authentication (a local Ollama); an empty bearer token is sent then.
    pub api_key: Option<SecretString>,
    pub connect_timeout: Duration,
    /// The whole call, reading the answer included. The synthesize stage allows a little more, so this one
    /// fires first and the failure says what timed out.
    pub timeout: Duration,
    /// `llm.allow_private_base_url`: the server may be on loopback or a private network (a local Ollama).
    pub allow_private_base_url: bool,
}

/// The LLM client's setting, named when the address policy refuses the base URL.
const PRIVATE_SETTING: &str = "ENHANCER_LLM__ALLOW_PRIVATE_BASE_URL";

/// One chat-completion endpoint.
#[derive(Debug, Clone)]
pub struct LlmClient {
    client: Client<OpenAIConfig>,
}

impl LlmClient {
    pub fn new(settings: &ClientSettings) -> Result<Self, LlmError> {
        let (_, http) = crate::service_client::build(&ServiceEndpoint {
            key: "llm.base_url",
            base_url: &settings.base_url,
            connect_timeout: settings.connect_timeout,
            timeout: settings.timeout,
            allow_private_base_url: settings.allow_private_base_url,
            private_setting: PRIVATE_SETTING,
        })
        .map_err(LlmError::InvalidRequest)?;
        let key = settings.api_key.as_ref().map(|k| k.expose_secret().to_owned()).unwrap_or_default();
        let config = OpenAIConfig::new()
            .with_api_base(settings.base_url.trim_end_matches('/'))
            .with_api_key(key)
            .with_org_id("")
            .with_project_id("");
        let service = StatusService { inner: ReqwestService::new(http.clone()) };
        Ok(Self { client: Client::build(http, config).with_http_service(service) })
    }

    /// One chat completion: exactly one HTTP request, whatever the outcome.
    pub async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, LlmError> {
        self.client.chat().create_byot(request).await.map_err(LlmError::from)
    }
}

/// [`ReqwestService`] (no retry layer) that keeps the status and Retry-After of failed calls.
#[derive(Debug, Clone)]
struct StatusService {
    inner: ReqwestService,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send>>;

impl Service<HttpRequestFactory> for StatusService {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: HttpRequestFactory) -> Self::Future {
        let sent = self.inner.call(request);
        Box::pin(async move {
            let response = sent.await?;
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let retry_after = retry_after(response.headers());
            // A body that cannot be read still leaves the status, which is what classifies the failure.
            let body = response.bytes().await.unwrap_or_default();
            Err(OpenAIError::Boxed(Box::new(LlmError::Status { status, retry_after, excerpt: excerpt(&body) })))
        })
    }
}
