//! [`HttpResponse`]: a finished, size-bounded response, and its mapping onto [`ToolError`].

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::{ToolError, describe_json_error, excerpt};

/// A response read completely (and within the size limit).
#[derive(Debug, Clone)]
pub struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    /// The server's `Retry-After`, parsed when the response carried one.
    pub retry_after: Option<Duration>,
}

impl HttpResponse {
    /// `Ok(self)` for 2xx; otherwise the classified [`ToolError::Status`].
    pub fn error_for_status(self) -> Result<Self, ToolError> {
        if self.status.is_success() { Ok(self) } else { Err(self.to_error()) }
    }

    /// The classified error for this (non-success) response.
    pub fn to_error(&self) -> ToolError {
        ToolError::from_status(self.status.as_u16(), self.retry_after, &self.body)
    }

    /// The body as JSON of type `T`; a body that does not fit is [`ToolError::Malformed`] (permanent).
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ToolError> {
        serde_json::from_slice(&self.body).map_err(|err| {
            ToolError::Malformed(format!("{} (body starts: {})", describe_json_error(&err), excerpt(&self.body)))
        })
    }
}
