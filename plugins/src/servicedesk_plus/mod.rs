//! ManageEngine ServiceDesk Plus (on-prem and Cloud), REST API v3. SDP does not sign webhooks: the admin's
//! webhook action sends our payload template with a shared-secret header (or an HMAC header computed by a
//! custom script), and the request is re-fetched over the API before anything acts on it.

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

pub use client::ACCEPT_V3;
pub use verify::DEFAULT_SECRET_HEADER;

/// SDP priorities are admin-defined names; these are the common defaults (reference section 6).
pub const PRIORITIES: PriorityTable = &[
    ("urgent", Priority::Critical),
    ("critical", Priority::Critical),
    ("highest", Priority::Critical),
    ("high", Priority::High),
    ("medium", Priority::Medium),
    ("normal", Priority::Medium),
    ("low", Priority::Low),
    ("lowest", Priority::Low),
];

/// The ServiceDesk Plus tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServiceDeskPlus;

impl ServiceDeskPlus {
    /// On-prem `authtoken`, or a Zoho OAuth token for the cloud edition.
    const CREDENTIALS: CredentialSets =
        CredentialSets { tool: ToolKind::ServicedeskPlus, sets: &[&["authtoken"], &["oauth_token"]], optional: &[] };
}

#[async_trait]
impl TicketingTool for ServiceDeskPlus {
    fn kind(&self) -> ToolKind {
        ToolKind::ServicedeskPlus
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
