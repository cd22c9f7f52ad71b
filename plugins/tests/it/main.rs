//! One integration binary for `enhancer-plugins`: wiremock servers speaking each tool's API, webhook
//! fixtures and signature cases per tool, the conformance kit every tool passes through, the registry, and
//! property tests over verify/extract.

mod conformance;
mod freshservice;
mod generic;
mod helpers;
mod http_client;
mod jira;
mod loop_guard;
mod properties;
mod registry;
mod servicedesk_plus;
mod servicenow;
mod signature_properties;
mod zendesk;
