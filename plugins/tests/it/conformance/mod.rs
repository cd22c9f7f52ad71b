//! The conformance kit: one set of checks that every `TicketingTool` passes through, old and new, given a
//! small per-tool [`ToolAdapter`] (`adapter.rs`: how the tool signs, what it sends, what its API expects and
//! answers). The checks (`signatures`, `extraction`, `api_calls`, `errors`) are written against the trait only
//! and return an [`Outcome`](report::Outcome) rather than panicking, so `self_test.rs` can prove that each
//! one fails on a plugin that misbehaves.
//!
//! Adding a tool: write `conformance/<tool>.rs` with its adapter and a `conformance!(<Tool>Adapter);` line
//! (one test per check, named `conformance::<tool>::checks::<check>`), declare the module below and add the
//! adapter to [`ADAPTERS`]. `every_tool_kind_has_an_adapter` fails until every registered tool has one.

/// One test per check for the adapter `$adapter` (an expression of a type implementing [`ToolAdapter`]),
/// run against the plugin the registry holds for its kind.
macro_rules! conformance {
    ($adapter:expr) => {
        mod checks {
            use super::*;

            const ADAPTER: &dyn $crate::conformance::ToolAdapter = &$adapter;

            fn tool() -> &'static dyn enhancer_plugins::TicketingTool {
                enhancer_plugins::Plugins.get(ADAPTER.kind())
            }

            conformance!(@sync
                signatures::valid_signature_accepted,
                signatures::wrong_secret_rejected,
                signatures::changed_body_rejected,
                signatures::missing_header_rejected,
                signatures::stale_timestamp_rejected,
                extraction::events_extracted,
                extraction::unsupported_reported,
                extraction::self_authored_detected
            );
            conformance!(@async
                api_calls::get_ticket_request,
                api_calls::post_note_request,
                api_calls::find_note_request,
                api_calls::notes_found_by_marker,
                errors::unauthorized_is_permanent,
                errors::not_found_is_permanent,
                errors::rate_limit_is_transient_with_retry_after,
                errors::server_error_is_transient,
                errors::malformed_body_is_permanent
            );
        }
    };
    (@sync $($group:ident :: $check:ident),*) => {
        $(
            #[test]
            fn $check() {
                $crate::conformance::report::pass($crate::conformance::$group::$check(ADAPTER, tool()));
            }
        )*
    };
    (@async $($group:ident :: $check:ident),*) => {
        $(
            #[tokio::test]
            async fn $check() {
                $crate::conformance::report::pass($crate::conformance::$group::$check(ADAPTER, tool()).await);
            }
        )*
    };
}

mod adapter;
mod api_calls;
mod errors;
mod extraction;
mod fake_api;
mod misbehaving;
mod report;
mod request_checks;
mod self_test;
mod signatures;

mod freshservice;
mod generic;
mod jira;
mod servicedesk_plus;
mod servicenow;
mod zendesk;

pub use adapter::{Secret, ToolAdapter};

/// Every tool's adapter, for the checks that span tools.
pub const ADAPTERS: &[&dyn ToolAdapter] = &[
    &generic::GenericAdapter,
    &jira::JiraAdapter,
    &servicedesk_plus::ServiceDeskPlusAdapter,
    &freshservice::FreshserviceAdapter,
    &zendesk::ZendeskAdapter,
    &servicenow::ServiceNowAdapter,
];

#[test]
fn every_tool_kind_has_an_adapter() {
    for kind in enhancer_shared::domain::ToolKind::ALL {
        let adapters = ADAPTERS.iter().filter(|adapter| adapter.kind() == kind).count();
        assert_eq!(
            adapters, 1,
            "tool {kind} needs exactly one conformance adapter: write plugins/tests/it/conformance/{kind}.rs"
        );
    }
}
