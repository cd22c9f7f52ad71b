//! The kit's self-test: a check that cannot fail is a defect. Each test wraps a real plugin in a
//! [`Misbehaving`] one with a single fault and asserts that the check meant to catch it fails, with a
//! finding that names the problem. Tool-agnostic faults run through every adapter, which also proves each
//! adapter's samples and fake API are strict enough to catch them.

use enhancer_plugins::Plugins;

use super::adapter::ToolAdapter;
use super::generic::GenericAdapter;
use super::misbehaving::{Fault, Misbehaving};
use super::report::Outcome;
use super::{ADAPTERS, api_calls, errors, extraction, signatures};

fn broken(adapter: &dyn ToolAdapter, fault: Fault) -> Misbehaving {
    Misbehaving { inner: Plugins.get(adapter.kind()), fault }
}

/// The check failed, and its findings mention `expected`.
#[track_caller]
fn fails(outcome: Outcome, adapter: &dyn ToolAdapter, expected: &str) {
    let kind = adapter.kind();
    match outcome {
        Ok(()) => panic!("{kind}: the check passed a misbehaving plugin"),
        Err(findings) => assert!(findings.contains(expected), "{kind}: findings lack {expected:?}:\n{findings}"),
    }
}

#[test]
fn a_plugin_that_accepts_every_signature_fails_the_signature_checks() {
    for &adapter in ADAPTERS {
        let tool = broken(adapter, Fault::AcceptsAnySignature);
        fails(signatures::wrong_secret_rejected(adapter, &tool), adapter, "wrong secret was accepted");
        fails(signatures::changed_body_rejected(adapter, &tool), adapter, "changed after signing was accepted");
        fails(signatures::missing_header_rejected(adapter, &tool), adapter, "was accepted");
        if adapter.stale(crate::helpers::now()).is_some() {
            fails(signatures::stale_timestamp_rejected(adapter, &tool), adapter, "was accepted");
        }
    }
}

#[test]
fn a_plugin_that_ignores_the_timestamp_window_fails_only_the_stale_check() {
    let adapter = &GenericAdapter;
    let tool = broken(adapter, Fault::IgnoresTimestamp);
    fails(signatures::stale_timestamp_rejected(adapter, &tool), adapter, "was accepted");
    assert_eq!(signatures::wrong_secret_rejected(adapter, &tool), Ok(()));
    assert_eq!(signatures::valid_signature_accepted(adapter, &tool), Ok(()));
}

#[test]
fn self_authored_mistakes_fail_the_extraction_checks() {
    for &adapter in ADAPTERS {
        let never = broken(adapter, Fault::NeverSelfAuthored);
        fails(extraction::self_authored_detected(adapter, &never), adapter, "self_authored is false");
        let always = broken(adapter, Fault::AlwaysSelfAuthored);
        fails(extraction::events_extracted(adapter, &always), adapter, "marked self-authored");
    }
}

#[test]
fn wrong_kinds_and_error_classes_fail_the_extraction_checks() {
    for &adapter in ADAPTERS {
        let kinds = broken(adapter, Fault::UpdatesAsComments);
        fails(extraction::events_extracted(adapter, &kinds), adapter, "updated sample: extracted as commented");
        let malformed = broken(adapter, Fault::UnsupportedAsMalformed);
        fails(extraction::unsupported_reported(adapter, &malformed), adapter, "expected ExtractError::Unsupported");
    }
}

#[tokio::test]
async fn a_public_note_fails_the_post_check() {
    let adapter = &GenericAdapter;
    let tool = broken(adapter, Fault::PublicNotes);
    fails(api_calls::post_note_request(adapter, &tool).await, adapter, "not internal");
}

#[tokio::test]
async fn a_note_without_its_marker_fails_the_post_and_find_checks() {
    for &adapter in ADAPTERS {
        let tool = broken(adapter, Fault::LosesMarker);
        fails(api_calls::post_note_request(adapter, &tool).await, adapter, "does not carry its marker");
        fails(api_calls::notes_found_by_marker(adapter, &tool).await, adapter, "was not found by its marker");
    }
}

#[tokio::test]
async fn a_plugin_that_never_looks_for_notes_fails_the_find_checks() {
    for &adapter in ADAPTERS {
        let tool = broken(adapter, Fault::ForgetsNotes);
        fails(api_calls::notes_found_by_marker(adapter, &tool).await, adapter, "was not found by its marker");
        fails(api_calls::find_note_request(adapter, &tool).await, adapter, "no request reached");
    }
}

#[tokio::test]
async fn misclassified_errors_fail_the_error_checks() {
    for &adapter in ADAPTERS {
        let transient = broken(adapter, Fault::EverythingTransient);
        fails(errors::unauthorized_is_permanent(adapter, &transient).await, adapter, "get_ticket after 401: Transient");
        fails(errors::not_found_is_permanent(adapter, &transient).await, adapter, "post_note after 404: Transient");
        fails(errors::malformed_body_is_permanent(adapter, &transient).await, adapter, "find_note after a malformed");

        let permanent = broken(adapter, Fault::EverythingPermanent);
        fails(errors::server_error_is_transient(adapter, &permanent).await, adapter, "after 503: Permanent");
        fails(errors::rate_limit_is_transient_with_retry_after(adapter, &permanent).await, adapter, "Permanent");

        let no_hint = broken(adapter, Fault::DropsRetryAfter);
        let outcome = errors::rate_limit_is_transient_with_retry_after(adapter, &no_hint).await;
        fails(outcome, adapter, "Transient { retry_after: None }");
    }
}

#[tokio::test]
async fn failing_before_the_request_is_not_a_classification() {
    for &adapter in ADAPTERS {
        let tool = broken(adapter, Fault::FailsWithoutCalling);
        fails(errors::unauthorized_is_permanent(adapter, &tool).await, adapter, "failed without calling the API");
    }
}
