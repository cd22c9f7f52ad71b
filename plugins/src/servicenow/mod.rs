//! ServiceNow (Table API). ServiceNow has no signed webhook of its own: the tenant installs the Business Rule
//! we publish (docs/PLUGINS.md), which posts our payload signed with `X-SN-Timestamp`/`X-SN-Signature`, or,
//! on instances that cannot sign, with a shared token in a header. Tickets are records of a table
//! (`incident` unless the tenant's settings name another); notes are `work_notes` journal entries, never
//! `comments`, which the caller sees.

mod auth;
mod client;
mod extract;
mod notes;
mod oauth;
mod records;
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

pub use notes::work_note;
pub use verify::{SIGNATURE_HEADER, TIMESTAMP_HEADER, TOLERANCE};

/// The raw `priority` values `"1"`..`"5"` (reference section 6), and their out-of-the-box labels for
/// scripts that send display values.
pub const PRIORITIES: PriorityTable = &[
    ("1", Priority::Critical),
    ("1 - critical", Priority::Critical),
    ("2", Priority::High),
    ("2 - high", Priority::High),
    ("3", Priority::Medium),
    ("3 - moderate", Priority::Medium),
    ("4", Priority::Low),
    ("4 - low", Priority::Low),
    ("5", Priority::Low),
    ("5 - planning", Priority::Low),
];

/// The ServiceNow tool.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServiceNow;

impl ServiceNow {
    /// Basic auth, or OAuth 2.0 with the password grant or the refresh-token grant (see `auth.rs`).
    pub const CREDENTIALS: CredentialSets = CredentialSets {
        tool: ToolKind::ServiceNow,
        sets: &[
            &["username", "password"],
            &["client_id", "client_secret", "username", "password"],
            &["client_id", "client_secret", "refresh_token"],
        ],
        optional: &[],
    };
}

#[async_trait]
impl TicketingTool for ServiceNow {
    fn kind(&self) -> ToolKind {
        ToolKind::ServiceNow
    }

    fn validate_credentials(&self, credentials: &Credentials) -> Result<(), CredentialsError> {
        auth::validate(&Self::CREDENTIALS, credentials)
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
