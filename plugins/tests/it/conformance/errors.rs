//! Error classification checks: whatever the call (`get_ticket`, `post_note`, `find_note`), the tool's
//! failures reach the worker with the retry class the contract gives them (`ToolError`'s disposition):
//! 401 and 404 permanent, 429 transient with its `Retry-After`, 5xx transient, a malformed body permanent.
//! The fake answers every request with the failure; the call must have reached it (a plugin that fails
//! before sending proves nothing).

use std::time::Duration;

use enhancer_plugins::{TicketingTool, ToolError};
use enhancer_shared::error::{Disposition, Retryable};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::adapter::ToolAdapter;
use super::report::{Findings, Outcome};
use crate::helpers::{api, fast_http, note, ticket};

/// Longer than the test client's `max_retry_after` (1 s), so the client hands the hint to the worker instead
/// of sleeping on it.
const RETRY_AFTER_SECS: u64 = 30;

/// The calls every failure is tried on.
#[derive(Debug, Clone, Copy)]
enum Call {
    GetTicket,
    PostNote,
    FindNote,
}

const CALLS: [Call; 3] = [Call::GetTicket, Call::PostNote, Call::FindNote];

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::GetTicket => "get_ticket",
            Call::PostNote => "post_note",
            Call::FindNote => "find_note",
        }
    }
}

pub async fn unauthorized_is_permanent(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    classified(adapter, tool, "401", failure(401), |d| d == Disposition::Permanent).await
}

pub async fn not_found_is_permanent(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    classified(adapter, tool, "404", failure(404), |d| d == Disposition::Permanent).await
}

pub async fn rate_limit_is_transient_with_retry_after(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let answer = failure(429).insert_header("Retry-After", RETRY_AFTER_SECS.to_string().as_str());
    let expected = Disposition::Transient { retry_after: Some(Duration::from_secs(RETRY_AFTER_SECS)) };
    classified(adapter, tool, "429 with Retry-After", answer, |d| d == expected).await
}

pub async fn server_error_is_transient(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let mut findings = Findings::default();
    for status in [500, 503] {
        findings
            .absorb(classified(adapter, tool, &status.to_string(), failure(status), Disposition::is_transient).await);
    }
    findings.outcome()
}

/// A 200 whose body is cut off mid-JSON.
pub async fn malformed_body_is_permanent(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let answer = ResponseTemplate::new(200).set_body_raw(r#"{"id": "#, "application/json");
    classified(adapter, tool, "a malformed 200", answer, |d| d == Disposition::Permanent).await
}

fn failure(status: u16) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(r#"{"message": "conformance kit failure"}"#, "application/json")
}

/// Runs every call against a server answering `answer`, and holds each error's disposition to `expected`.
async fn classified(
    adapter: &dyn ToolAdapter,
    tool: &dyn TicketingTool,
    what: &str,
    answer: ResponseTemplate,
    expected: impl Fn(Disposition) -> bool,
) -> Outcome {
    let mut findings = Findings::default();
    for call in CALLS {
        let server = MockServer::start().await;
        Mock::given(any()).respond_with(answer.clone()).mount(&server).await;
        let outcome = run(adapter, tool, call, &server.uri()).await;
        let reached = server.received_requests().await.is_some_and(|requests| !requests.is_empty());
        let name = call.name();
        match outcome {
            Ok(()) => findings.fail(format!("{name} after {what}: succeeded")),
            Err(_) if !reached => findings.fail(format!("{name} after {what}: failed without calling the API")),
            Err(err) => {
                let disposition = err.disposition();
                findings.expect(expected(disposition), || format!("{name} after {what}: {disposition:?} ({err})"));
            }
        }
    }
    findings.outcome()
}

async fn run(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool, call: Call, base: &str) -> Result<(), ToolError> {
    let (http, settings, spec) = (fast_http(), adapter.settings(), adapter.api());
    let api = api(&http, base, spec.credentials, &settings);
    let id = ticket(spec.ticket);
    match call {
        Call::GetTicket => tool.get_ticket(&api, &id).await.map(drop),
        Call::PostNote => tool.post_note(&api, &id, &note()).await.map(drop),
        Call::FindNote => tool.find_note(&api, &id, &note().marker).await.map(drop),
    }
}
