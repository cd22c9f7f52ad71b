//! The plugin contract (docs/DESIGN.md section 3): one implementation of [`TicketingTool`] per ticketing tool.

use async_trait::async_trait;
use enhancer_shared::domain::{Note, NoteRef, Ticket, TicketEvent, TicketId, ToolKind};
use enhancer_shared::tenant::Credentials;

use crate::api::ToolApi;
use crate::error::{CredentialsError, ExtractError, ToolError, VerifyError};
use crate::keys::VerifyKeys;
use crate::request::WebhookRequest;

/// One ticketing tool. Pure where it can be: verification and extraction do no I/O.
#[async_trait]
pub trait TicketingTool: Send + Sync + 'static {
    fn kind(&self) -> ToolKind;
    /// Whether a tenant's credentials fit this tool (the keys one of its auth methods needs, no unknown
    /// key). Called by `tenant add`, `tenant update` and the legacy import before anything is stored.
    fn validate_credentials(&self, credentials: &Credentials) -> Result<(), CredentialsError>;
    /// Check the webhook (method, path, query, headers, raw body) against the tenant's verification material:
    /// the webhook secret plus what the tenant's settings name (header name, Connect client key). Constant time.
    fn verify(&self, req: &WebhookRequest<'_>, keys: &VerifyKeys<'_>) -> Result<(), VerifyError>;
    /// Normalize the tool's payload: ticket id, event kind (created/updated/commented), actor, subject,
    /// priority, timestamps (UTC), and the tool's own idempotency key (delivery id) where it sends one.
    /// Sets `self_authored` for events by the tenant's integration account or carrying our note marker.
    fn extract(&self, req: &WebhookRequest<'_>) -> Result<TicketEvent, ExtractError>;
    async fn get_ticket(&self, api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError>;
    /// Post an internal (never public) note. `note.marker` is a stable id that makes the post idempotent.
    async fn post_note(&self, api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError>;
    /// Whether a note with this marker is already on the ticket (for exactly-once after a crash).
    async fn find_note(&self, api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError>;
}
