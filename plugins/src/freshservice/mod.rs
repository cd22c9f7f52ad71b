//! Freshservice (API v2). Freshservice does not sign webhooks: the admin's Workflow Automator "Trigger
//! Webhook" action sends our payload template with a shared-secret header or Basic credentials, and the
//! ticket is re-fetched over the API (Basic auth with the API key) before anything acts on it. Notes are
//! private HTML notes.

mod client;
mod extract;
mod notes;
mod tickets;
mod verify;

use async_trait::async_trait;
use enhancer_shared::domain::{Note, NoteRef, Priority, Ticket, TicketEvent, TicketId, ToolKind};
use enhancer_shared::tenant::Credentials;

use crate::api::ToolApi;
use crate::credential_sets::CredentialSets;
use crate::error::{CredentialsError, ExtractError, ToolError, VerifyError};
use crate::keys::VerifyKeys;
use crate::priority::PriorityTable;
use crate::request::WebhookRequest;
use crate::tool::TicketingTool;

pub use client::{API_KEY_PASSWORD, RATE_LIMIT_FALLBACK};
pub use notes::{PAGE_SIZE, note_html};
pub use verify::{BASIC_USER, DEFAULT_SECRET_HEADER};

/// Freshservice priorities are the integers 1 (Low) to 4 (Urgent) over the API; a webhook template's
/// `{{ticket.priority}}` may render the name instead, so both are mapped (reference section 6).
pub const PRIORITIES: PriorityTable = &[
    ("4", Priority::Critical),
    ("urgent", Priority::Critical),
    ("3", Priority::High),
    ("high", Priority::High),
    ("2", Priority::Medium),
    ("medium", Priority::Medium),
    ("1", Priority::Low),
    ("low", Priority::Low),
];

/// The Freshservice tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Freshservice;

impl Freshservice {
    /// The API key of the integration agent (Profile settings > API key).
    const CREDENTIALS: CredentialSets =
        CredentialSets { tool: ToolKind::Freshservice, sets: &[&["api_key"]], optional: &[] };
}

#[async_trait]
impl TicketingTool for Freshservice {
    fn kind(&self) -> ToolKind {
        ToolKind::Freshservice
    }

    fn validate_credentials(&self, credentials: &Credentials) -> Result<(), CredentialsError> {
        Self::CREDENTIALS.check(credentials)
    }

    fn verify(&self, req: &WebhookRequest<'_>, keys: &VerifyKeys<'_>) -> Result<(), VerifyError> {
        verify::verify(req, keys)
    }

    fn extract(&self, req: &WebhookRequest<'_>) -> Result<TicketEvent, ExtractError> {
        extract::extract(req)
    }

    async fn get_ticket(&self, api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError> {
        tickets::get_ticket(api, id).await
    }

    async fn post_note(&self, api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
        notes::post_note(api, id, note).await
    }

    async fn find_note(&self, api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
        notes::find_note(api, id, marker).await
    }
}
