//! [`Misbehaving`]: a plugin that delegates to a real one but breaks the contract in one chosen way, for the
//! kit's self-test. Each [`Fault`] is a mistake a plugin author could plausibly make.

use async_trait::async_trait;
use enhancer_plugins::generic::NoteRequest;
use enhancer_plugins::{CredentialsError, ExtractError, TicketingTool, ToolApi, ToolError, VerifyError, VerifyKeys};
use enhancer_plugins::{WebhookRequest, render};
use enhancer_shared::domain::{EventKind, Note, NoteRef, Ticket, TicketEvent, TicketId, ToolKind};
use enhancer_shared::tenant::Credentials;
use reqwest::Method;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `verify` always passes.
    AcceptsAnySignature,
    /// `verify` judges the timestamp against the send time it claims, not the receive time.
    IgnoresTimestamp,
    NeverSelfAuthored,
    AlwaysSelfAuthored,
    /// Updated events come out as commented ones.
    UpdatesAsComments,
    UnsupportedAsMalformed,
    /// Posts the note for requesters to see (generic tool only: the wrapper writes the request itself).
    PublicNotes,
    /// Posts the note without its marker.
    LosesMarker,
    /// `find_note` never finds anything (and never asks the tool).
    ForgetsNotes,
    /// Every API error is a timeout: retried forever, even a 401.
    EverythingTransient,
    /// Every API error is permanent: a 429 or a 503 drops the job.
    EverythingPermanent,
    /// The `Retry-After` of a 429 is lost.
    DropsRetryAfter,
    /// API calls fail with a permanent error before any request is sent.
    FailsWithoutCalling,
}

pub struct Misbehaving {
    pub inner: &'static dyn TicketingTool,
    pub fault: Fault,
}

impl std::fmt::Debug for Misbehaving {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Misbehaving").field("inner", &self.inner.kind()).field("fault", &self.fault).finish()
    }
}

impl Misbehaving {
    fn api_error(&self, err: ToolError) -> ToolError {
        match (self.fault, err) {
            (Fault::EverythingTransient, _) => ToolError::Timeout,
            (Fault::EverythingPermanent, err) => ToolError::Malformed(err.to_string()),
            (Fault::DropsRetryAfter, ToolError::Status { status, detail, .. }) => {
                ToolError::Status { status, retry_after: None, detail }
            }
            (_, err) => err,
        }
    }

    fn refuse_early(&self) -> Result<(), ToolError> {
        if self.fault == Fault::FailsWithoutCalling {
            return Err(ToolError::Credentials("gave up before calling".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl TicketingTool for Misbehaving {
    fn kind(&self) -> ToolKind {
        self.inner.kind()
    }

    fn validate_credentials(&self, credentials: &Credentials) -> Result<(), CredentialsError> {
        self.inner.validate_credentials(credentials)
    }

    fn verify(&self, req: &WebhookRequest<'_>, keys: &VerifyKeys<'_>) -> Result<(), VerifyError> {
        let claimed = req.header("webhook-timestamp").and_then(|sent| sent.parse().ok());
        match (self.fault, claimed.and_then(|sent| chrono::DateTime::from_timestamp(sent, 0))) {
            (Fault::AcceptsAnySignature, _) => Ok(()),
            (Fault::IgnoresTimestamp, Some(sent_at)) => self.inner.verify(&req.at(sent_at), keys),
            _ => self.inner.verify(req, keys),
        }
    }

    fn extract(&self, req: &WebhookRequest<'_>) -> Result<TicketEvent, ExtractError> {
        let mut event = match (self.fault, self.inner.extract(req)) {
            (Fault::UnsupportedAsMalformed, Err(ExtractError::Unsupported(what))) => {
                return Err(ExtractError::Malformed(what));
            }
            (_, outcome) => outcome?,
        };
        match self.fault {
            Fault::NeverSelfAuthored => event.self_authored = false,
            Fault::AlwaysSelfAuthored => event.self_authored = true,
            Fault::UpdatesAsComments if event.kind == EventKind::Updated => event.kind = EventKind::Commented,
            _ => {}
        }
        Ok(event)
    }

    async fn get_ticket(&self, api: &ToolApi<'_>, id: &TicketId) -> Result<Ticket, ToolError> {
        self.refuse_early()?;
        self.inner.get_ticket(api, id).await.map_err(|err| self.api_error(err))
    }

    async fn post_note(&self, api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
        self.refuse_early()?;
        let posted = match self.fault {
            Fault::PublicNotes => post_public_generic_note(api, id, note).await,
            Fault::LosesMarker => self.inner.post_note(api, id, &Note { marker: String::new(), ..note.clone() }).await,
            _ => self.inner.post_note(api, id, note).await,
        };
        posted.map_err(|err| self.api_error(err))
    }

    async fn find_note(&self, api: &ToolApi<'_>, id: &TicketId, marker: &str) -> Result<Option<NoteRef>, ToolError> {
        self.refuse_early()?;
        if self.fault == Fault::ForgetsNotes {
            return Ok(None);
        }
        self.inner.find_note(api, id, marker).await.map_err(|err| self.api_error(err))
    }
}

/// The generic tool's note request, right in every way but `internal: false`.
async fn post_public_generic_note(api: &ToolApi<'_>, id: &TicketId, note: &Note) -> Result<NoteRef, ToolError> {
    let marker = &note.marker;
    let request = NoteRequest {
        ticket_id: id.to_string(),
        marker: marker.clone(),
        internal: false,
        body_markdown: format!("{}\n\n{marker}\n", note.body_markdown),
        body_html: format!(
            "{}\n<p>{marker}</p>",
            render::to_html(&note.body_markdown, &render::AllowedLinks::of(note))
        ),
        body_text: format!("{}\n\n{marker}\n", render::to_plain(&note.body_markdown, &render::AllowedLinks::of(note))),
        allowed_links: note.allowed_links.clone(),
    };
    let mut builder = api
        .http
        .request(Method::POST, api.endpoint(&["notes"])?)
        .header("accept", "application/json")
        .header("idempotency-key", marker.as_str())
        .json(&request);
    if let Some(token) = api.credentials.get("callback_token") {
        builder = builder.bearer_auth(token);
    }
    let created: Value = api.http.send(builder).await?.error_for_status()?.json()?;
    created["id"].as_str().map(|id| NoteRef(id.to_owned())).ok_or_else(|| ToolError::Malformed("no id".into()))
}
