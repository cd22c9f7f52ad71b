//! Domain types: identifiers, tool kinds, priorities, ticket events, tickets, notes and the queued job.

mod event;
mod ids;
mod job;
mod priority;
mod ticket;
mod tool_kind;

pub use event::{EventKind, TicketEvent};
pub use ids::{IdError, TenantId, TicketId};
pub use job::{EnhancementJob, JOB_SCHEMA_VERSION, JobDecodeError, JobPurpose};
pub use priority::Priority;
pub use ticket::{Note, NoteRef, Ticket};
pub use tool_kind::{ToolKind, UnknownToolKind};
