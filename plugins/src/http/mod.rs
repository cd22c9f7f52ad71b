//! The one outbound HTTP client every plugin uses: timeouts, a user agent, bounded responses, retries with
//! backoff for idempotent requests only, `Retry-After` (or a 429's `X-RateLimit-Reset`), and the
//! transient/permanent classification.

mod client;
mod config;
mod resolver;
mod response;
mod retry;

pub use client::{HttpBuildError, HttpClient, without_url};
pub use config::HttpConfig;
pub use resolver::{AddressRefused, OUTBOUND_PRIVATE_SETTING, PolicyResolver};
pub use response::HttpResponse;
pub use retry::{parse_rate_limit_reset, parse_retry_after};
