//! Extraction checks: each event kind with its ticket id and not self-authored, the tool's unsupported
//! events as `ExtractError::Unsupported`, and our own events marked `self_authored`. Every sample is
//! extracted with its valid signature headers, as ingest would after `verify`.

use enhancer_plugins::{ExtractError, TicketingTool};
use enhancer_shared::domain::{EventKind, TicketEvent};

use super::adapter::{Sample, Secret, ToolAdapter};
use super::report::{Findings, Outcome};
use crate::helpers::{now, webhook};

/// Created, updated and commented samples: the right kind and ticket, `self_authored == false`.
pub fn events_extracted(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let samples = adapter.samples();
    let mut findings = Findings::default();
    for (sample, kind) in [
        (samples.created, EventKind::Created),
        (samples.updated, EventKind::Updated),
        (samples.commented, EventKind::Commented),
    ] {
        let name = kind.as_str();
        match extract(adapter, tool, &sample.body) {
            Ok(event) => {
                findings.expect(event.kind == kind, || format!("{name} sample: extracted as {}", event.kind.as_str()));
                findings.absorb(same_ticket(name, &event, &sample));
                findings.expect(!event.self_authored, || format!("{name} sample: marked self-authored"));
            }
            Err(err) => findings.fail(format!("{name} sample: not extracted: {err}")),
        }
    }
    findings.outcome()
}

pub fn unsupported_reported(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    match extract(adapter, tool, &adapter.samples().unsupported) {
        Err(ExtractError::Unsupported(_)) => Ok(()),
        Err(other) => Err(format!("unsupported sample: {other:?}, expected ExtractError::Unsupported")),
        Ok(event) => Err(format!("unsupported sample: extracted as a {} event", event.kind.as_str())),
    }
}

pub fn self_authored_detected(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool) -> Outcome {
    let sample = adapter.samples().self_authored;
    let event = extract(adapter, tool, &sample.body).map_err(|err| format!("self-authored sample: {err}"))?;
    let mut findings = Findings::default();
    findings.expect(event.self_authored, || "self-authored sample: self_authored is false".into());
    findings.absorb(same_ticket("self-authored", &event, &sample));
    findings.outcome()
}

fn extract(adapter: &dyn ToolAdapter, tool: &dyn TicketingTool, body: &[u8]) -> Result<TicketEvent, ExtractError> {
    let settings = adapter.settings();
    let headers = adapter.sign(body, Secret::Tenant, now());
    tool.extract(&webhook(&headers, body, &settings))
}

fn same_ticket(name: &str, event: &TicketEvent, sample: &Sample) -> Outcome {
    if event.ticket_id.as_str() == sample.ticket {
        Ok(())
    } else {
        Err(format!("{name} sample: ticket {:?}, expected {:?}", event.ticket_id.as_str(), sample.ticket))
    }
}
