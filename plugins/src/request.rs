//! [`WebhookRequest`]: the inbound webhook exactly as ingest received it, plus the receive time and the
//! tenant's settings, so that `verify` and `extract` stay pure (no clock, no I/O) and testable.

use chrono::{DateTime, Utc};
use enhancer_shared::tenant::TenantSettings;
use reqwest::Method;
use reqwest::header::HeaderMap;

/// One received webhook. Everything is borrowed from the HTTP layer; nothing here is trusted until
/// [`TicketingTool::verify`](crate::TicketingTool::verify) accepted it.
#[derive(Debug, Clone, Copy)]
pub struct WebhookRequest<'a> {
    pub method: &'a Method,
    /// The request path as the tool addressed it (e.g. `/webhooks/acme`). Jira Connect signs it (`qsh`), so
    /// pass the original path, not one rewritten by a proxy.
    pub path: &'a str,
    /// The raw query string without `?`, still percent-encoded; `None` when there is none.
    pub query: Option<&'a str>,
    pub headers: &'a HeaderMap,
    /// The raw body bytes: signatures are computed over these, never over re-serialized JSON.
    pub body: &'a [u8],
    /// When ingest received the request; timestamp windows and JWT expiry are checked against it.
    pub now: DateTime<Utc>,
    /// The tenant's settings: header names for verification and the integration account for loop prevention.
    pub settings: &'a TenantSettings,
}

impl<'a> WebhookRequest<'a> {
    /// A request received now. Use [`WebhookRequest::at`] to pin the receive time (tests, replays).
    pub fn new(
        method: &'a Method,
        path: &'a str,
        query: Option<&'a str>,
        headers: &'a HeaderMap,
        body: &'a [u8],
        settings: &'a TenantSettings,
    ) -> Self {
        Self { method, path, query, headers, body, now: Utc::now(), settings }
    }

    /// The same request, received at `now`.
    #[must_use]
    pub fn at(self, now: DateTime<Utc>) -> Self {
        Self { now, ..self }
    }

    /// A header as text; `None` when absent or not visible ASCII. A repeated header yields its first value.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.get(name).and_then(|value| value.to_str().ok()).map(str::trim)
    }
}
