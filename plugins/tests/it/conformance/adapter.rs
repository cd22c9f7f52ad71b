//! [`ToolAdapter`]: what the conformance kit needs to know about one tool (how it signs webhooks, what its
//! payloads look like, what its API expects and answers), and the plain data types an adapter returns.

use chrono::{DateTime, Utc};
use enhancer_plugins::VerifyKeys;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use reqwest::header::HeaderMap;
use serde_json::Value;
use wiremock::{Request, ResponseTemplate};

/// The conformance kit's view of one ticketing tool. Every check in `conformance/` is written against this
/// trait only; adding a tool to the kit means writing one adapter file and one `conformance!` line.
///
/// # Writing an adapter for a new tool
///
/// Copy `conformance/generic.rs` (the smallest) to `conformance/<tool>.rs`; keep its
/// `conformance!(<Tool>Adapter);` line (it generates one test per check); add `mod <tool>;` and the adapter to
/// `ADAPTERS` in `conformance/mod.rs`. Then fill in:
///
/// 1. [`kind`](ToolAdapter::kind): the tool's [`ToolKind`]. The kit tests the plugin the registry returns for
///    it (`Plugins::get`), so the plugin must be registered.
/// 2. Webhooks in. [`keys`](ToolAdapter::keys) is the tenant's verification material (a webhook secret, plus
///    any header names the tool's mode needs); [`sign`](ToolAdapter::sign) computes the headers the tool
///    would send for a body: with the tenant's secret, or with another one for [`Secret::Wrong`]. Use the
///    tool's strongest mode, the one that signs the body: the kit changes one byte and expects a rejection.
///    Return only the headers verification reads (no delivery ids): the kit drops each one in turn and
///    expects a rejection every time. If the signature covers a send time, [`stale`](ToolAdapter::stale)
///    returns a send time outside the tool's window; otherwise `None`.
/// 3. Payloads. [`samples`](ToolAdapter::samples): one created, updated and commented event by a person (not
///    self-authored), one caused by our own integration (by the integration account in
///    [`settings`](ToolAdapter::settings), or carrying our note marker), and one well-formed event type the
///    plugin ignores. Reuse `plugins/tests/fixtures/<tool>/` where a fixture fits; derive variants from a
///    fixture (`serde_json` edits) rather than copying it.
/// 4. The API out. [`api`](ToolAdapter::api) describes a fake of the tool's REST API that the kit serves on a
///    wiremock server: the tenant's credentials, a ticket, the three routes the plugin calls (method, path, and
///    a function checking auth, content type and body shape), how the tool would read a posted note (its
///    text and whether it is internal) and how it answers a created note and a note list. The kit keeps the
///    posted notes, so `find_note` sees what `post_note` wrote; the adapter only translates to and from the
///    tool's JSON (or form) shapes. `conformance/request_checks.rs` has helpers for the route checks.
///
/// The kit then checks: signatures (valid, wrong secret, a changed body byte, each missing header, a stale
/// timestamp), extraction (each event kind and ticket id, unsupported, self-authored), each API call's
/// request, notes found by their marker, and the retry class of 401, 404, 429 with `Retry-After`, 5xx and a
/// malformed body on every call.
pub trait ToolAdapter: Send + Sync {
    /// The tool under test.
    fn kind(&self) -> ToolKind;

    /// The tenant's verification material, as `VerifyKeys::new` would build it from its secrets and settings.
    fn keys(&self) -> VerifyKeys<'static>;

    /// The tenant settings every webhook is received with and every API call made under. Name the
    /// integration account here when the tool recognises its own events by account.
    fn settings(&self) -> TenantSettings {
        TenantSettings::default()
    }

    /// The headers the tool sends to sign `body`, sent at `sent_at`, under the tenant's secret or another.
    /// Only the headers verification reads: each is required.
    fn sign(&self, body: &[u8], secret: Secret, sent_at: DateTime<Utc>) -> HeaderMap;

    /// For a timestamped signature, a send time the plugin must refuse as too old when the webhook is received
    /// at `received`; `None` when the signature covers no time.
    fn stale(&self, received: DateTime<Utc>) -> Option<DateTime<Utc>>;

    /// Webhook bodies the tool sends.
    fn samples(&self) -> Samples;

    /// The tool's API, as the kit's fake serves it.
    fn api(&self) -> Api;
}

/// Which secret [`ToolAdapter::sign`] signs with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    /// The tenant's, the one in [`ToolAdapter::keys`].
    Tenant,
    /// Any other secret of the right form (a whsec_ secret for Standard Webhooks, etc.).
    Wrong,
}

/// One webhook body and the ticket it is about.
#[derive(Debug, Clone)]
pub struct Sample {
    pub body: Vec<u8>,
    /// The ticket id `extract` must return, as the tool spells it.
    pub ticket: &'static str,
}

/// The webhook bodies the kit extracts; see [`ToolAdapter::samples`].
#[derive(Debug, Clone)]
pub struct Samples {
    /// Each must extract to its kind, with `self_authored == false`.
    pub created: Sample,
    pub updated: Sample,
    pub commented: Sample,
    /// An event our own integration caused (any kind): must extract with `self_authored == true`.
    pub self_authored: Sample,
    /// A well-formed event type the plugin does not handle: `ExtractError::Unsupported`.
    pub unsupported: Vec<u8>,
}

/// The fake of the tool's API; see [`ToolAdapter::api`].
#[derive(Debug, Clone)]
pub struct Api {
    /// The tenant's credentials, keys as the plugin's `validate_credentials` accepts them.
    pub credentials: &'static [(&'static str, &'static str)],
    /// The ticket every call is about.
    pub ticket: &'static str,
    /// The subject `get_ticket` must return for it.
    pub subject: &'static str,
    /// `get_ticket`'s request, and [`Api::ticket_answer`] its answer.
    pub get_ticket: Route,
    /// `post_note`'s request: read by [`Api::read_note`], answered by [`Api::note_created`].
    pub post_note: Route,
    /// `find_note`'s request (every page of it), answered by [`Api::note_list`].
    pub find_note: Route,
    /// The tool's answer to `get_ticket` for [`Api::ticket`].
    pub ticket_answer: fn() -> ResponseTemplate,
    /// The note a `post_note` request creates, as the tool would keep it; `Err` (answered 400) when the body
    /// is not the tool's shape.
    pub read_note: fn(&Request) -> Result<PostedNote, String>,
    /// The tool's answer to a note it created.
    pub note_created: fn(&StoredNote) -> ResponseTemplate,
    /// The tool's answer listing the ticket's notes, oldest first, all on one page.
    pub note_list: fn(&[StoredNote]) -> ResponseTemplate,
    /// Fixed routes a call needs besides its own (a lookup of an internal id, say); most tools have none.
    pub extra: &'static [ExtraRoute],
}

/// A route served with a fixed answer; its requests are held to [`Route::expect`] like the others'.
#[derive(Debug, Clone)]
pub struct ExtraRoute {
    pub route: Route,
    pub answer: fn() -> ResponseTemplate,
}

/// One API route: the kit serves it by method and path, then holds every request that reached it to
/// [`Route::expect`].
#[derive(Debug, Clone)]
pub struct Route {
    /// `GET`, `POST`, ...
    pub method: &'static str,
    /// The exact request path (no query).
    pub path: &'static str,
    /// Everything else the request must carry: auth, `Accept`, content type, query, body shape.
    pub expect: fn(&Request) -> Result<(), String>,
}

/// A note as the tool would keep it after a `post_note` request.
#[derive(Debug, Clone)]
pub struct PostedNote {
    /// Whether agents only see it (the tool's internal/private flag as sent).
    pub internal: bool,
    /// What the tool keeps and shows (HTML, an ADF document, the JSON fields); the kit looks for the marker
    /// in it and hands it back to [`Api::note_created`] and [`Api::note_list`].
    pub content: Value,
}

/// A posted note with the id the fake tool gave it.
#[derive(Debug, Clone)]
pub struct StoredNote {
    pub id: String,
    pub internal: bool,
    pub content: Value,
}

impl StoredNote {
    /// Whether the marker appears anywhere in the kept content.
    pub fn carries(&self, marker: &str) -> bool {
        match &self.content {
            Value::String(text) => text.contains(marker),
            other => other.to_string().contains(marker),
        }
    }
}
