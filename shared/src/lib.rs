//! The core shared by `enhancer-ingest`, `enhancer-worker` and the plugins: domain types, configuration,
//! the error taxonomy, secret crypto, the database pool and migrations, tenant storage and telemetry. No HTTP
//! server, no queue consumer logic and no tool-specific code lives here (note rendering is the plugins').

pub mod address_class;
pub mod config;
pub mod crypto;
pub mod db;
pub mod domain;
pub mod error;
pub mod ip_extract;
pub mod queue;
pub mod shutdown;
pub mod telemetry;
pub mod tenant;
pub mod url_policy;

pub use domain::{
    EnhancementJob, EventKind, Note, NoteRef, Priority, TenantId, Ticket, TicketEvent, TicketId, ToolKind,
};
pub use error::{Disposition, Retryable};
