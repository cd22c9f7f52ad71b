//! Jira Service Management Cloud: admin webhooks signed with `X-Hub-Signature`, Atlassian Connect webhooks
//! signed with an HS256 JWT, REST v3 with basic auth, and internal comments in ADF.

mod adf;
mod client;
mod comments;
mod connect_jwt;
mod extract;
mod issues;
mod qsh;
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

pub use adf::adf_to_text;
pub use connect_jwt::JWT_LEEWAY;
pub use qsh::{canonical_request, query_string_hash};

/// Jira's default scheme (Highest..Lowest) plus the older Blocker..Trivial names (reference section 6).
pub const PRIORITIES: PriorityTable = &[
    ("highest", Priority::Critical),
    ("blocker", Priority::Critical),
    ("critical", Priority::Critical),
    ("high", Priority::High),
    ("major", Priority::High),
    ("medium", Priority::Medium),
    ("low", Priority::Low),
    ("lowest", Priority::Low),
    ("minor", Priority::Low),
    ("trivial", Priority::Low),
];

/// The Jira Service Management tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct Jira;

impl Jira {
    /// Admin webhooks with REST basic auth, or an Atlassian Connect app (JWT); a Connect app may hold both.
    const CREDENTIALS: CredentialSets = CredentialSets {
        tool: ToolKind::Jira,
        sets: &[&["email", "api_token"], &["shared_secret", "client_key"]],
        optional: &[],
    };
}

#[async_trait]
impl TicketingTool for Jira {
    fn kind(&self) -> ToolKind {
        ToolKind::Jira
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
        issues::get_ticket(api, id).await
    }

    async fn post_note(&self, api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
        comments::post_note(api, id, note).await
    }

    async fn find_note(&self, api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
        comments::find_note(api, id, marker).await
    }
}
