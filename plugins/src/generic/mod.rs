//! The generic tool: any in-house system that speaks Standard Webhooks inbound and a small JSON API
//! outbound (`GET {base}/tickets/{id}`, `POST {base}/notes`, `GET {base}/tickets/{id}/notes`). Also the
//! tool of the local demo. The wire format is documented in `docs/PLUGINS.md`.

mod api;
mod extract;
mod verify;
mod wire;

use async_trait::async_trait;
use enhancer_shared::domain::{Note, NoteRef, Ticket, TicketEvent, TicketId, ToolKind};

use enhancer_shared::tenant::Credentials;

use crate::api::ToolApi;
use crate::credential_sets::CredentialSets;
use crate::error::{CredentialsError, ExtractError, ToolError, VerifyError};
use crate::keys::VerifyKeys;
use crate::request::WebhookRequest;
use crate::tool::TicketingTool;

pub use verify::{TOLERANCE, key_material_len};
pub use wire::{NoteRequest, PRIORITIES, TicketResponse};

/// The generic Standard Webhooks tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Generic;

impl Generic {
    /// Nothing is required: the callback token is optional (the tool's API may be open on its network).
    const CREDENTIALS: CredentialSets =
        CredentialSets { tool: ToolKind::Generic, sets: &[&[]], optional: &["callback_token"] };
}

#[async_trait]
impl TicketingTool for Generic {
    fn kind(&self) -> ToolKind {
        ToolKind::Generic
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
        api::get_ticket(api, id).await
    }

    async fn post_note(&self, api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
        api::post_note(api, id, note).await
    }

    async fn find_note(&self, api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
        api::find_note(api, id, marker).await
    }
}
