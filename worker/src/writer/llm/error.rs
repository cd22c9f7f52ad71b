//! What can go wrong talking to the LLM, and what each failure means for the job: 429, 408, 5xx, timeouts
//! and connection errors are transient (with the server's Retry-After when it sent one); every other 4xx is
//! permanent.
//!
//! An unreadable answer (a body that is not a chat completion, or one without any text) is **transient**:
//! a proxy's HTML error page or a truncated body usually goes away, and the queue's attempt limit bounds the
//! cost when it does not (the job then dead-letters with this message). A model that keeps answering
//! nonsense is therefore retried `queue.max_attempts` times at most, never forever.

use std::time::Duration;

use async_openai::error::OpenAIError;
use enhancer_plugins::http::AddressRefused;
use enhancer_shared::error::{Disposition, Retryable};
use reqwest::StatusCode;

/// How much of an error body goes into the message (logs, history, dead-letter headers).
const BODY_EXCERPT_CHARS: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    /// The server answered with a non-success status.
    #[error("LLM server answered {status}: {excerpt}")]
    Status { status: StatusCode, retry_after: Option<Duration>, excerpt: String },
    #[error("LLM request timed out")]
    Timeout,
    #[error("cannot reach the LLM server: {0}")]
    Connect(String),
    /// Any other transport failure (a reset connection, a body that stopped half-way).
    #[error("LLM transport error: {0}")]
    Transport(String),
    /// The answer arrived but is not a usable chat completion.
    #[error("unusable LLM response: {0}")]
    BadResponse(String),
    /// The request could not be built (a base URL that does not parse, a header that is not valid).
    #[error("invalid LLM request: {0}")]
    InvalidRequest(String),
}

impl Retryable for LlmError {
    fn disposition(&self) -> Disposition {
        match self {
            LlmError::Status { status, retry_after, .. } => status_disposition(*status, *retry_after),
            LlmError::Timeout | LlmError::Connect(_) | LlmError::Transport(_) | LlmError::BadResponse(_) => {
                Disposition::TRANSIENT
            }
            LlmError::InvalidRequest(_) => Disposition::Permanent,
        }
    }
}

/// 429 (rate limited), 408 (request timeout) and 5xx may pass on their own; any other 4xx (bad key, unknown
/// model, a request the server refuses) will be refused again.
pub fn status_disposition(status: StatusCode, retry_after: Option<Duration>) -> Disposition {
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::REQUEST_TIMEOUT || status.is_server_error() {
        Disposition::Transient { retry_after }
    } else {
        Disposition::Permanent
    }
}

/// The server's wait hint: `Retry-After` in seconds, or OpenAI's `retry-after-ms`. HTTP dates are not
/// parsed (LLM servers send seconds); an unparseable value is ignored and the retry policy's own delay
/// applies.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    if let Some(ms) = value("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return duration_from_secs(ms / 1000.0);
    }
    value("retry-after").and_then(|v| v.parse::<f64>().ok()).and_then(duration_from_secs)
}

fn duration_from_secs(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(24.0 * 3600.0)))
}

/// The first characters of an error body, on one line.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String =
        text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(BODY_EXCERPT_CHARS).collect();
    if text.chars().count() > BODY_EXCERPT_CHARS {
        out.push('…');
    }
    out
}

fn from_reqwest(err: reqwest::Error) -> LlmError {
    if err.is_timeout() {
        return LlmError::Timeout;
    }
    // The resolver refused every address of the base URL's host: configuration, not a passing failure.
    if let Some(refused) = AddressRefused::in_chain(&err) {
        return LlmError::InvalidRequest(format!("llm.base_url: the outbound address policy refuses {refused}"));
    }
    let (connect, builder) = (err.is_connect(), err.is_builder());
    // The URL is left out of the message: it is operator configuration, and some deployments put keys in it.
    let text = with_sources(&err.without_url());
    if connect {
        LlmError::Connect(text)
    } else if builder {
        LlmError::InvalidRequest(text)
    } else {
        LlmError::Transport(text)
    }
}

/// reqwest's own message ("error sending request") says little; its sources say what happened.
fn with_sources(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<OpenAIError> for LlmError {
    fn from(err: OpenAIError) -> Self {
        match err {
            OpenAIError::Reqwest(err) => from_reqwest(err),
            // Our HTTP service (client.rs) turns every non-success status into an `LlmError::Status`, so that
            // the Retry-After header survives; it comes back boxed.
            OpenAIError::Boxed(boxed) => match boxed.downcast::<LlmError>() {
                Ok(ours) => *ours,
                Err(other) => match other.downcast::<reqwest::Error>() {
                    Ok(err) => from_reqwest(*err),
                    Err(other) => LlmError::Transport(other.to_string()),
                },
            },
            OpenAIError::ApiError(api) => {
                LlmError::Status { status: api.status_code, retry_after: None, excerpt: api.api_error.to_string() }
            }
            OpenAIError::JSONDeserialize(err, body) => {
                LlmError::BadResponse(format!("{err}; body starts: {}", excerpt(body.as_bytes())))
            }
            OpenAIError::InvalidArgument(message) => LlmError::InvalidRequest(message),
            other => LlmError::Transport(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::*;

    #[test]
    fn statuses_are_classified() {
        let transient = [429, 408, 500, 502, 503, 504];
        for code in transient {
            let status = StatusCode::from_u16(code).expect("status");
            assert!(status_disposition(status, None).is_transient(), "{code}");
        }
        for code in [400, 401, 403, 404, 413, 422] {
            let status = StatusCode::from_u16(code).expect("status");
            assert_eq!(status_disposition(status, None), Disposition::Permanent, "{code}");
        }
        let hint = Some(Duration::from_secs(7));
        assert_eq!(
            status_disposition(StatusCode::TOO_MANY_REQUESTS, hint),
            Disposition::Transient { retry_after: hint }
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_milliseconds() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("12"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(12)));
        headers.insert("retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(1500)));
        let mut dated = HeaderMap::new();
        dated.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&dated), None);
        let mut negative = HeaderMap::new();
        negative.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&negative), None);
    }

    #[test]
    fn unreadable_answers_are_transient_and_bad_requests_permanent() {
        let err = serde_json::from_str::<serde_json::Value>("<html>").expect_err("not json");
        let llm = LlmError::from(OpenAIError::JSONDeserialize(err, "<html>".into()));
        assert!(llm.disposition().is_transient());
        let llm = LlmError::from(OpenAIError::InvalidArgument("bad".into()));
        assert_eq!(llm.disposition(), Disposition::Permanent);
    }

    #[test]
    fn excerpts_are_short_and_on_one_line() {
        let body = format!("line one\nline two {}", "x".repeat(1000));
        let short = excerpt(body.as_bytes());
        assert!(short.starts_with("line one line two"));
        assert!(short.chars().count() <= BODY_EXCERPT_CHARS + 1);
        assert!(short.ends_with('…'));
    }
}
