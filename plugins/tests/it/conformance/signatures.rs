//! Signature checks: a webhook the tool signed with the tenant's secret passes `verify`; one signed with
//! another secret, with one body byte changed, without one of its signature headers, or (for timestamped
//! schemes) sent too long ago does not.

use enhancer_plugins::TicketingTool;

use super::adapter::{Secret, ToolAdapter};
use super::report::{Findings, Outcome};
use crate::helpers::{now, webhook};

/// Every sample, signed with the tenant's secret at the receive time, is accepted.
pub fn valid_signature_accepted(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let mut findings = Findings::default();
    for (name, body) in bodies(adapter) {
        let outcome = verify(adapter, tool, &adapter.sign(&body, Secret::Tenant, now()), &body);
        findings.expect(outcome.is_ok(), || format!("{name}: a valid signature was rejected ({})", reason(outcome)));
    }
    findings.outcome()
}

pub fn wrong_secret_rejected(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let body = adapter.samples().created.body;
    let outcome = verify(adapter, tool, &adapter.sign(&body, Secret::Wrong, now()), &body);
    expect_rejected(&outcome, "a signature made with the wrong secret")
}

/// The first, a middle and the last byte, each changed alone after signing.
pub fn changed_body_rejected(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let body = adapter.samples().created.body;
    let headers = adapter.sign(&body, Secret::Tenant, now());
    let mut findings = Findings::default();
    for index in [0, body.len() / 2, body.len().saturating_sub(1)] {
        let mut changed = body.clone();
        let Some(byte) = changed.get_mut(index) else {
            return Err("the created sample is empty".into());
        };
        *byte ^= 0x01;
        findings.absorb(expect_rejected(
            &verify(adapter, tool, &headers, &changed),
            &format!("a body with byte {index} changed after signing"),
        ));
    }
    findings.outcome()
}

/// Each header `sign` returns is required: dropping any one of them, or all, fails verification.
pub fn missing_header_rejected(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let body = adapter.samples().created.body;
    let signed = adapter.sign(&body, Secret::Tenant, now());
    if signed.is_empty() {
        return Err("the adapter's sign() returned no headers".into());
    }
    let mut findings = Findings::default();
    for name in signed.keys() {
        let mut partial = signed.clone();
        partial.remove(name);
        findings.absorb(expect_rejected(&verify(adapter, tool, &partial, &body), &format!("a webhook without {name}")));
    }
    let none = reqwest::header::HeaderMap::new();
    findings.absorb(expect_rejected(&verify(adapter, tool, &none, &body), "a webhook without any signature header"));
    findings.outcome()
}

/// Only for schemes that sign a send time (`ToolAdapter::stale` is `Some`); passes otherwise.
pub fn stale_timestamp_rejected(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let Some(sent_at) = adapter.stale(now()) else { return Ok(()) };
    let body = adapter.samples().created.body;
    let outcome = verify(adapter, tool, &adapter.sign(&body, Secret::Tenant, sent_at), &body);
    expect_rejected(&outcome, &format!("a webhook signed at {sent_at} and received at {}", now()))
}

fn verify(
    adapter: &dyn ToolAdapter,
    tool: &dyn TicketingTool,
    headers: &reqwest::header::HeaderMap,
    body: &[u8],
) -> Result<(), enhancer_plugins::VerifyError> {
    let settings = adapter.settings();
    tool.verify(&webhook(headers, body, &settings), &adapter.keys())
}

fn expect_rejected(outcome: &Result<(), enhancer_plugins::VerifyError>, what: &str) -> Outcome {
    if outcome.is_ok() { Err(format!("{what} was accepted")) } else { Ok(()) }
}

fn reason(outcome: Result<(), enhancer_plugins::VerifyError>) -> &'static str {
    outcome.err().map_or("accepted", |err| err.reason())
}

fn bodies(adapter: &dyn ToolAdapter) -> [(&'static str, Vec<u8>); 5] {
    let samples = adapter.samples();
    [
        ("created", samples.created.body),
        ("updated", samples.updated.body),
        ("commented", samples.commented.body),
        ("self-authored", samples.self_authored.body),
        ("unsupported", samples.unsupported),
    ]
}
