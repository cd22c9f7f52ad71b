//! The three error types of the plugin contract, one per trait phase:
//!
//! - [`VerifyError`] from `verify`: one opaque kind. The HTTP layer answers `401` and says nothing more; the
//!   internal [`VerifyError::reason`] is for logs only, so an attacker never learns which check failed.
//! - [`ExtractError`] from `extract`: the payload passed verification but cannot be used. A short reason that
//!   ingest may echo in its `400` body (it never quotes the payload).
//! - [`ToolError`] from the API calls: carries its retry [`Disposition`], the only thing the worker reads.

use std::time::Duration;

use enhancer_shared::error::{Disposition, Retryable};

/// A webhook did not prove it came from the tenant's tool. Deliberately uninformative in `Display`.
#[derive(Debug, thiserror::Error)]
#[error("webhook verification failed")]
pub struct VerifyError {
    reason: &'static str,
}

impl VerifyError {
    pub(crate) fn new(reason: &'static str) -> Self {
        Self { reason }
    }

    /// Why the check failed (`"signature mismatch"`, `"stale timestamp"`, ...), for logs and metrics only.
    /// Never a secret, never part of an HTTP answer.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// A verified payload that cannot become a [`TicketEvent`](enhancer_shared::TicketEvent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    /// Not the JSON we documented, or a required field is missing or invalid: ingest answers `400`.
    #[error("malformed payload: {0}")]
    Malformed(String),
    /// Well-formed, but an event type this plugin does not handle (e.g. `jira:issue_deleted`). Ingest should
    /// answer `200 ignored` so the tool does not retry it forever.
    #[error("unsupported event: {0}")]
    Unsupported(String),
}

impl ExtractError {
    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        Self::Malformed(reason.into())
    }
}

/// A call to the tool's API failed. `Display` never contains credentials; `detail` fields hold at most a
/// short, truncated excerpt of what the tool said.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("the tool did not answer in time")]
    Timeout,
    #[error("could not connect to the tool: {0}")]
    Connect(String),
    /// The connection broke while sending or reading (reset, truncated body, protocol error).
    #[error("transport error talking to the tool: {0}")]
    Transport(String),
    #[error("the tool answered HTTP {status}: {detail}")]
    Status { status: u16, retry_after: Option<Duration>, detail: String },
    #[error("the tool's response exceeded {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the tool's response could not be parsed: {0}")]
    Malformed(String),
    /// The tool refused the request inside a successful HTTP answer (ServiceDesk Plus `response_status`).
    #[error("the tool rejected the request (code {code}): {message}")]
    Rejected { code: String, message: String },
    /// The tenant's credentials lack what this call needs (e.g. a Jira Connect tenant without REST keys).
    #[error("tenant credentials are incomplete: {0}")]
    Credentials(String),
    /// The request could not be built (a base URL that cannot take a path, an unsendable header value).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The outbound address policy refuses the destination (a metadata, link-local or special-purpose
    /// address, or a private one without `outbound.allow_private_networks`). Retrying cannot help.
    #[error("the outbound address policy refuses {0}")]
    Refused(String),
}

impl ToolError {
    /// Classification of a finished HTTP exchange that did not succeed.
    pub fn from_status(status: u16, retry_after: Option<Duration>, body: &[u8]) -> Self {
        ToolError::Status { status, retry_after, detail: excerpt(body) }
    }

    /// The server's `Retry-After`, when it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ToolError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The HTTP status, when the tool answered with a non-success status.
    pub fn status(&self) -> Option<u16> {
        match self {
            ToolError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl Retryable for ToolError {
    fn disposition(&self) -> Disposition {
        match self {
            ToolError::Timeout | ToolError::Connect(_) | ToolError::Transport(_) => Disposition::TRANSIENT,
            ToolError::Status { status, retry_after, .. } if is_transient_status(*status) => {
                Disposition::Transient { retry_after: *retry_after }
            }
            // 400, 401, 403, 404, 410, 422 and every other 4xx (and stray 3xx: we do not follow redirects).
            ToolError::Status { .. }
            | ToolError::TooLarge { .. }
            | ToolError::Malformed(_)
            | ToolError::Rejected { .. }
            | ToolError::Credentials(_)
            | ToolError::InvalidRequest(_)
            | ToolError::Refused(_) => Disposition::Permanent,
        }
    }
}

/// 429 and every 5xx are worth retrying; 408 too (the server gave up waiting for us, not on us).
pub(crate) fn is_transient_status(status: u16) -> bool {
    status == 429 || status == 408 || (500..=599).contains(&status)
}

/// At most 200 characters of a response body, on one line, for error messages and logs.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 200;
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(MAX).map(|c| if c.is_control() { ' ' } else { c }).collect();
    if text.chars().count() > MAX {
        out.push('…');
    }
    out
}

/// serde_json's error as a category and position, without echoing any value from the input.
pub(crate) fn describe_json_error(err: &serde_json::Error) -> String {
    let what = match err.classify() {
        serde_json::error::Category::Io => "i/o error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected JSON shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{what} at line {} column {}", err.line(), err.column())
}

/// A tenant's credentials do not fit its tool. Messages name keys, never values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    #[error("credentials for {tool} need {expected}; missing {missing:?}")]
    Missing { tool: enhancer_shared::ToolKind, expected: String, missing: Vec<String> },
    #[error("credentials for {tool} have unknown key {key:?}; allowed: {allowed}")]
    UnknownKey { tool: enhancer_shared::ToolKind, key: String, allowed: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_matches_the_contract() {
        for status in [429, 500, 502, 503, 504, 408] {
            assert!(ToolError::from_status(status, None, b"").disposition().is_transient(), "{status}");
        }
        for status in [400, 401, 403, 404, 410, 422, 409, 302] {
            assert_eq!(ToolError::from_status(status, None, b"").disposition(), Disposition::Permanent, "{status}");
        }
        let limited = ToolError::from_status(429, Some(Duration::from_secs(7)), b"");
        assert_eq!(limited.disposition(), Disposition::Transient { retry_after: Some(Duration::from_secs(7)) });
        assert!(ToolError::Timeout.disposition().is_transient());
        assert_eq!(ToolError::Malformed("x".into()).disposition(), Disposition::Permanent);
    }

    #[test]
    fn excerpts_are_short_and_single_line() {
        let long = "a\nb".repeat(500);
        let out = excerpt(long.as_bytes());
        assert!(out.chars().count() <= 201);
        assert!(!out.contains('\n'));
    }

    #[test]
    fn verify_error_says_nothing_in_display() {
        let err = VerifyError::new("signature mismatch");
        assert_eq!(err.to_string(), "webhook verification failed");
        assert_eq!(err.reason(), "signature mismatch");
    }
}
