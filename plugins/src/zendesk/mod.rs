//! Zendesk Support: webhooks (event subscriptions or trigger webhooks) signed with
//! `X-Zendesk-Webhook-Signature` over timestamp + body, REST API v2 with an API token or OAuth, and internal
//! notes as private HTML comments added through a ticket update.

mod client;
mod event_subscription;
mod extract;
mod notes;
mod tickets;
mod trigger;
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

pub use extract::INVOCATION_ID_HEADER;
pub use verify::{DEFAULT_TOLERANCE, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// Zendesk's fixed priorities: lower-case over REST, upper-case in event subscriptions, the display name
/// (`High`) in trigger placeholders; matched case-insensitively (reference section 6).
pub const PRIORITIES: PriorityTable =
    &[("urgent", Priority::Critical), ("high", Priority::High), ("normal", Priority::Medium), ("low", Priority::Low)];

/// The Zendesk tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Zendesk;

impl Zendesk {
    /// An agent's API token (basic auth `{email}/token:{api_token}`), or an OAuth access token.
    const CREDENTIALS: CredentialSets =
        CredentialSets { tool: ToolKind::Zendesk, sets: &[&["email", "api_token"], &["oauth_token"]], optional: &[] };
}

#[async_trait]
impl TicketingTool for Zendesk {
    fn kind(&self) -> ToolKind {
        ToolKind::Zendesk
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
