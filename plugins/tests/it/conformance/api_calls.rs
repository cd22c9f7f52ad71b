//! API checks against the adapter's fake of the tool: each call's request (method, path, and what the route
//! expects: auth, content type, body shape), a posted note that is internal and carries its marker, and
//! `find_note` finding posted notes by marker (the worker's exactly-once check after a crash).

use enhancer_plugins::TicketingTool;
use enhancer_shared::domain::{Note, NoteRef};

use super::adapter::ToolAdapter;
use super::fake_api::FakeApi;
use super::report::{Findings, Outcome};
use crate::helpers::{MARKER, fast_http, note, ticket};

/// A second marker, for a second note on the same ticket.
const OTHER_MARKER: &str = "ticket-enhancer:0193a3b4-0000-7000-8000-000000000002";

pub async fn get_ticket_request(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let fake = FakeApi::start(adapter.api()).await;
    let (http, settings) = (fast_http(), adapter.settings());
    let spec = fake.spec();
    let mut findings = Findings::default();
    match tool.get_ticket(&fake.tool_api(&http, &settings), &ticket(spec.ticket)).await {
        Ok(found) => {
            findings.expect(found.id.as_str() == spec.ticket, || format!("get_ticket: ticket {:?}", found.id.as_str()));
            findings.expect(found.subject == spec.subject, || format!("get_ticket: subject {:?}", found.subject));
        }
        Err(err) => findings.fail(format!("get_ticket failed: {err}")),
    }
    findings.absorb(fake.check_route("get_ticket", &spec.get_ticket).await);
    stray(&fake, &mut findings).await;
    findings.outcome()
}

/// One note posted: internal, carrying its marker, and the returned reference is the tool's id for it.
pub async fn post_note_request(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let fake = FakeApi::start(adapter.api()).await;
    let (http, settings) = (fast_http(), adapter.settings());
    let api = fake.tool_api(&http, &settings);
    let mut findings = Findings::default();
    let posted = tool.post_note(&api, &ticket(fake.spec().ticket), &note()).await;
    findings.absorb(fake.check_route("post_note", &fake.spec().post_note).await);
    match (posted, fake.notes.all().as_slice()) {
        (Err(err), _) => findings.fail(format!("post_note failed: {err}")),
        (Ok(reference), [stored]) => {
            findings.expect(stored.internal, || "post_note: the note is not internal (requesters would see it)".into());
            findings.expect(stored.carries(MARKER), || "post_note: the posted note does not carry its marker".into());
            findings.expect(reference.0 == stored.id, || {
                format!("post_note: returned {:?}, the tool's id is {:?}", reference.0, stored.id)
            });
        }
        (Ok(_), stored) => findings.fail(format!("post_note: {} notes on the ticket, expected one", stored.len())),
    }
    stray(&fake, &mut findings).await;
    findings.outcome()
}

/// `find_note` on a ticket without our note: its request, and no note found.
pub async fn find_note_request(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let fake = FakeApi::start(adapter.api()).await;
    let (http, settings) = (fast_http(), adapter.settings());
    let mut findings = Findings::default();
    match tool.find_note(&fake.tool_api(&http, &settings), &ticket(fake.spec().ticket), MARKER).await {
        Ok(None) => {}
        Ok(Some(found)) => findings.fail(format!("find_note: found {:?} on a ticket without notes", found.0)),
        Err(err) => findings.fail(format!("find_note failed: {err}")),
    }
    findings.absorb(fake.check_route("find_note", &fake.spec().find_note).await);
    stray(&fake, &mut findings).await;
    findings.outcome()
}

/// Post a note, find it by its marker; post a second, find each by its own marker; an unknown marker finds
/// nothing.
pub async fn notes_found_by_marker(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let fake = FakeApi::start(adapter.api()).await;
    let (http, settings) = (fast_http(), adapter.settings());
    let api = fake.tool_api(&http, &settings);
    let id = ticket(fake.spec().ticket);
    let find = async |marker: &str| tool.find_note(&api, &id, marker).await.map_err(|err| format!("find_note: {err}"));
    let post = async |note: &Note| tool.post_note(&api, &id, note).await.map_err(|err| format!("post_note: {err}"));

    let first = post(&note()).await?;
    let mut findings = Findings::default();
    findings.absorb(found_as(find(MARKER).await?, &first, "the first note, right after posting it"));
    let second = post(&Note { marker: OTHER_MARKER.into(), ..note() }).await?;
    findings.absorb(found_as(find(OTHER_MARKER).await?, &second, "the second note"));
    findings.absorb(found_as(find(MARKER).await?, &first, "the first note, with a second one on the ticket"));
    let unknown = find("ticket-enhancer:0193a3b4-0000-7000-8000-00000000dead").await?;
    findings.expect(unknown.is_none(), || format!("find_note: a marker never posted found {unknown:?}"));
    findings.outcome()
}

fn found_as(found: Option<NoteRef>, posted: &NoteRef, what: &str) -> Outcome {
    match found {
        Some(found) if found == *posted => Ok(()),
        Some(found) => Err(format!("find_note: {what} was found as {:?}, posted as {:?}", found.0, posted.0)),
        None => Err(format!("find_note: {what} ({:?}) was not found by its marker", posted.0)),
    }
}

async fn stray(fake: &FakeApi, findings: &mut Findings) {
    if let Some(stray) = fake.stray_requests().await {
        findings.fail(format!("requests outside the tool's routes: {stray}"));
    }
}
