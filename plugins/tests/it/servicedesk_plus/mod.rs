//! ServiceDesk Plus: shared-secret and HMAC header checks, the documented payload template, and the v3 API
//! (Accept header, authtoken vs Zoho OAuth, form-encoded `input_data`, errors inside HTTP 200).

use enhancer_plugins::servicedesk_plus::{ACCEPT_V3, DEFAULT_SECRET_HEADER, ServiceDeskPlus};
use enhancer_plugins::signature::hmac_sha256_hex;
use enhancer_plugins::{ExtractError, TicketingTool, ToolError, VerifyKeys};
use enhancer_shared::domain::{EventKind, Priority};
use enhancer_shared::error::{Disposition, Retryable};
use enhancer_shared::tenant::TenantSettings;
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{
    MARKER, api, fast_http, fixture, fixture_json, headers, note, settings_with_account, ticket, webhook,
};

const SECRET: &str = "sdp-shared-secret-1";

fn keys<'a>(secret_header: Option<&'a str>, hmac_header: Option<&'a str>) -> VerifyKeys<'a> {
    VerifyKeys { secret_header, hmac_header, ..VerifyKeys::with_secret(crate::helpers::secret(SECRET)) }
}

/// The `input_data` form field of a request, parsed as JSON.
fn input_data(req: &Request) -> Option<Value> {
    let (_, value) = url::form_urlencoded::parse(&req.body).find(|(key, _)| key == "input_data")?;
    serde_json::from_str(&value).ok()
}

mod api_calls;
mod extraction;
mod verification;
