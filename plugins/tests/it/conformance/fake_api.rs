//! [`FakeApi`]: a wiremock server serving an adapter's [`Api`] with memory. Posted notes are kept in a
//! [`NoteStore`], so a later `find_note` lists what `post_note` wrote; the adapter's functions only translate
//! between the store and the tool's wire shapes.

use std::sync::{Arc, Mutex, PoisonError};

use enhancer_plugins::{HttpClient, ToolApi};
use enhancer_shared::tenant::TenantSettings;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use super::adapter::{Api, PostedNote, Route, StoredNote};
use crate::helpers::api;

/// The fake tool's ids for created notes start here (numeric, as most tools' ids are).
const FIRST_NOTE_ID: u64 = 9001;

/// The notes posted to one fake ticket, oldest first.
#[derive(Debug, Clone, Default)]
pub struct NoteStore(Arc<Mutex<Vec<StoredNote>>>);

impl NoteStore {
    fn add(&self, posted: PostedNote) -> StoredNote {
        let mut notes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let id = (FIRST_NOTE_ID + notes.len() as u64).to_string();
        let stored = StoredNote { id, internal: posted.internal, content: posted.content };
        notes.push(stored.clone());
        stored
    }

    pub fn all(&self) -> Vec<StoredNote> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

/// Answers `post_note`: reads the note as the tool would, keeps it, answers with its id.
struct CreateNote {
    store: NoteStore,
    read: fn(&Request) -> Result<PostedNote, String>,
    answer: fn(&StoredNote) -> ResponseTemplate,
}

impl Respond for CreateNote {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match (self.read)(request) {
            Ok(posted) => (self.answer)(&self.store.add(posted)),
            // What a tool does with a body it cannot read; the reason reaches the check's findings through the
            // plugin's error.
            Err(reason) => ResponseTemplate::new(400).set_body_string(format!("conformance kit: {reason}")),
        }
    }
}

/// Answers `find_note`: every kept note, in the tool's list shape.
struct ListNotes {
    store: NoteStore,
    answer: fn(&[StoredNote]) -> ResponseTemplate,
}

impl Respond for ListNotes {
    fn respond(&self, _request: &Request) -> ResponseTemplate {
        (self.answer)(&self.store.all())
    }
}

/// A running fake of one tool's API.
pub struct FakeApi {
    pub server: MockServer,
    pub notes: NoteStore,
    spec: Api,
}

impl FakeApi {
    /// Serves `spec`'s three routes; any other request gets wiremock's 404.
    pub async fn start(spec: Api) -> Self {
        let server = MockServer::start().await;
        let notes = NoteStore::default();
        let ticket_answer = spec.ticket_answer;
        route(&spec.get_ticket).respond_with(move |_: &Request| ticket_answer()).mount(&server).await;
        route(&spec.post_note)
            .respond_with(CreateNote { store: notes.clone(), read: spec.read_note, answer: spec.note_created })
            .mount(&server)
            .await;
        route(&spec.find_note)
            .respond_with(ListNotes { store: notes.clone(), answer: spec.note_list })
            .mount(&server)
            .await;
        for extra in spec.extra {
            let answer = extra.answer;
            route(&extra.route).respond_with(move |_: &Request| answer()).mount(&server).await;
        }
        Self { server, notes, spec }
    }

    pub fn spec(&self) -> &Api {
        &self.spec
    }

    /// The tenant's API handle for this server.
    pub fn tool_api<'a>(&self, http: &'a HttpClient, settings: &'a TenantSettings) -> ToolApi<'a> {
        api(http, &self.server.uri(), self.spec.credentials, settings)
    }

    /// Holds every request that reached `route` to its expectations; at least one must have. Requests to the
    /// extra routes are held to theirs.
    pub async fn check_route(&self, name: &str, route: &Route) -> Result<(), String> {
        let all = self.server.received_requests().await.unwrap_or_default();
        let hits: Vec<&Request> = all.iter().filter(|req| reached(req, route)).collect();
        if hits.is_empty() {
            let sent = describe(&all);
            return Err(format!("{name}: no request reached {} {}; the plugin sent {sent}", route.method, route.path));
        }
        for req in hits {
            (route.expect)(req).map_err(|finding| format!("{name}: {} {}: {finding}", route.method, route.path))?;
        }
        for extra in self.spec.extra {
            for req in all.iter().filter(|req| reached(req, &extra.route)) {
                let (method, path) = (extra.route.method, extra.route.path);
                (extra.route.expect)(req).map_err(|finding| format!("{name}: {method} {path}: {finding}"))?;
            }
        }
        Ok(())
    }

    /// The requests that matched none of the routes, described for a finding.
    pub async fn stray_requests(&self) -> Option<String> {
        let all = self.server.received_requests().await.unwrap_or_default();
        let mut routes = vec![&self.spec.get_ticket, &self.spec.post_note, &self.spec.find_note];
        routes.extend(self.spec.extra.iter().map(|extra| &extra.route));
        let stray: Vec<Request> =
            all.into_iter().filter(|req| !routes.iter().any(|route| reached(req, route))).collect();
        (!stray.is_empty()).then(|| describe(&stray))
    }
}

fn route(route: &Route) -> wiremock::MockBuilder {
    Mock::given(method(route.method)).and(path(route.path))
}

fn reached(req: &Request, route: &Route) -> bool {
    req.method.as_str().eq_ignore_ascii_case(route.method) && req.url.path() == route.path
}

/// `GET /a, POST /b` (methods and paths only: queries and bodies may carry tokens).
pub fn describe(requests: &[Request]) -> String {
    if requests.is_empty() {
        return "no request at all".into();
    }
    requests.iter().map(|req| format!("{} {}", req.method, req.url.path())).collect::<Vec<_>>().join(", ")
}
