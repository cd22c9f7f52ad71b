//! `enhancer-plugins`: the [`TicketingTool`] contract, the [`Plugins`] registry, the shared outbound
//! [`HttpClient`], and one module folder per ticketing tool.
//!
//! Ingest calls [`TicketingTool::verify`] and [`TicketingTool::extract`] (pure, no I/O) on each webhook;
//! the worker calls `get_ticket`, `find_note` and `post_note` through a per-call [`ToolApi`]. A plugin never
//! touches the database or the queue, and holds no tenant state.
//!
//! Adding a tool: a [`ToolKind`](enhancer_shared::ToolKind) variant, a new module folder implementing
//! [`TicketingTool`] and its arm in [`Plugins::get`]; see `docs/PLUGINS.md`.

mod api;
mod credential_sets;
mod error;
pub mod http;
mod keys;
pub mod loop_guard;
mod payload;
pub mod priority;
mod registry;
pub mod render;
mod request;
pub mod signature;
mod text;
mod tool;

pub mod freshservice;
pub mod generic;
pub mod jira;
pub mod servicedesk_plus;
pub mod servicenow;
pub mod zendesk;

pub use api::{ToolApi, endpoint};
pub use credential_sets::CredentialSets;
pub use error::{CredentialsError, ExtractError, ToolError, VerifyError};
pub use http::{HttpClient, HttpConfig, HttpResponse};
pub use keys::{ConnectKeys, VerifyKeys};
pub use registry::Plugins;
pub use request::WebhookRequest;
pub use tool::TicketingTool;
