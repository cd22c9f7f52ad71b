//! The offline writer: a deterministic note built from the ticket and its gathered context, with no network.
//! It leads with what an agent needs first (what is wrong, what probably caused it, what to do), then the
//! evidence (similar tickets, knowledge base, assets). Ticket and corpus text is made inert on the way in.

mod diagnosis;
mod text;

use std::fmt::Write as _;

use async_trait::async_trait;
use enhancer_shared::domain::Ticket;
use enhancer_shared::tenant::TenantSettings;

use super::empty::{NO_ARTICLE, NO_SIMILAR_TICKET};
use super::{Enhancement, OFFLINE_MODEL, Writer};
use crate::context::{SimilarTicket, TicketContext};
use crate::stages::StageError;
use diagnosis::{GENERIC_STEPS, Kind, kind_of};
use text::{clip, inert, leading_sentences, one_line, safe_url, steps};

/// The summary's length, in characters.
const SUMMARY_CHARS: usize = 400;
/// A resolution quoted in the list of similar tickets.
const RESOLUTION_CHARS: usize = 200;
/// From this score on, a resolved look-alike is called "most likely" the same problem rather than "possibly".
const CONFIDENT_SCORE: f32 = 0.45;

/// Deterministic and offline: the note is built from the ticket and the gathered context only.
#[derive(Debug, Clone, Copy, Default)]
pub struct OfflineWriter;

#[async_trait]
impl Writer for OfflineWriter {
    /// The tenant's settings change nothing here: they are LLM knobs.
    async fn write(
        &self,
        ticket: &Ticket,
        context: &TicketContext,
        _settings: &TenantSettings,
    ) -> Result<Enhancement, StageError> {
        Ok(Enhancement {
            markdown: render(ticket, context),
            model: OFFLINE_MODEL.into(),
            prompt_tokens: None,
            completion_tokens: None,
        })
    }
}

/// The note's Markdown, without the footer (the job appends it).
fn render(ticket: &Ticket, context: &TicketContext) -> String {
    let kind = kind_of(&format!("{}\n{}", ticket.subject, ticket.description));
    let resolved = context.similar_tickets.iter().find(|t| t.resolution.is_some());
    let mut md = String::new();
    summary(&mut md, ticket, context);
    likely_cause(&mut md, resolved, kind);
    next_steps(&mut md, resolved, kind, context);
    similar_tickets(&mut md, context);
    knowledge_base(&mut md, context);
    related_assets(&mut md, context);
    md.truncate(md.trim_end().len());
    md.push('\n');
    md
}

fn summary(md: &mut String, ticket: &Ticket, context: &TicketContext) {
    md.push_str("## Summary\n\n");
    let subject = inert(&ticket.subject);
    let lead = inert(&leading_sentences(&ticket.description, SUMMARY_CHARS));
    match (subject.is_empty(), lead.is_empty()) {
        (false, false) => writeln!(md, "**{subject}**: {lead}\n"),
        (false, true) => writeln!(md, "**{subject}** (no description given)\n"),
        (true, _) => writeln!(md, "{lead}\n"),
    }
    .ok();
    write!(md, "Priority: {}", ticket.priority).ok();
    if let Some(requester) = &ticket.requester {
        write!(md, " · Requester: {}", inert(requester)).ok();
    }
    if let Some(status) = &ticket.status {
        write!(md, " · Status: {}", inert(status)).ok();
    }
    if !context.addresses.is_empty() {
        write!(md, " · Addresses mentioned: {}", addresses(&context.addresses)).ok();
    }
    md.push_str("\n\n");
}

fn likely_cause(md: &mut String, resolved: Option<&SimilarTicket>, kind: Option<&Kind>) {
    md.push_str("## Likely cause\n\n");
    match (resolved, kind) {
        (Some(similar), _) => {
            let hedge = if similar.score >= CONFIDENT_SCORE { "Most likely" } else { "Possibly" };
            let resolution = similar.resolution.as_deref().unwrap_or_default();
            let first = steps(resolution).into_iter().next().unwrap_or_else(|| one_line(resolution));
            writeln!(
                md,
                "{hedge} the same problem as ticket {} (\"{}\"), which was resolved: {}",
                inert(&similar.ticket_id),
                inert(&similar.subject),
                inert(&first)
            )
            .ok();
            if let Some(kind) = kind {
                writeln!(md, "\nOtherwise, common causes of {} are {}.", kind.looks_like, kind.causes).ok();
            }
        }
        (None, Some(kind)) => {
            writeln!(
                md,
                "No resolved look-alike in the corpus. From the wording, this looks like {}; common causes are {}.",
                kind.looks_like, kind.causes
            )
            .ok();
        }
        (None, None) => md.push_str(
            "Not clear from the ticket, and no similar resolved ticket was found. What changed just before the \
             problem started is the best first question.\n",
        ),
    }
    md.push('\n');
}

fn next_steps(md: &mut String, resolved: Option<&SimilarTicket>, kind: Option<&Kind>, context: &TicketContext) {
    md.push_str("## Suggested next steps\n\n");
    let mut list: Vec<String> = Vec::new();
    let resolution_steps = resolved.map(|t| steps(t.resolution.as_deref().unwrap_or_default())).unwrap_or_default();
    if let (Some(similar), false) = (resolved, resolution_steps.is_empty()) {
        writeln!(
            md,
            "Ticket {} was resolved like this; check whether each step applies here:\n",
            inert(&similar.ticket_id)
        )
        .ok();
        list.extend(resolution_steps.iter().map(|s| inert(s)));
    } else {
        let generic = kind.map_or(GENERIC_STEPS, |k| k.steps);
        list.extend(generic.iter().map(|s| (*s).to_owned()));
    }
    if let Some(article) = context.kb_articles.first() {
        list.push(format!("Read \"{}\" in the knowledge base (linked below).", inert(&article.title)));
    }
    let critical = context.assets.iter().find(|a| matches!(a.criticality.as_deref(), Some("critical" | "high")));
    if let Some(asset) = critical {
        let name = asset.hostname.as_deref().map_or_else(|| asset.address.clone(), inert);
        let owner = asset.owner.as_deref().map(|o| format!(" and tell its owner, {}", inert(o))).unwrap_or_default();
        list.push(format!(
            "{name} is a {} asset: raise the priority if it is affected{owner}.",
            asset.criticality.as_deref().unwrap_or_default()
        ));
    }
    for (i, step) in list.iter().enumerate() {
        writeln!(md, "{}. {step}", i + 1).ok();
    }
    md.push('\n');
}

fn similar_tickets(md: &mut String, context: &TicketContext) {
    md.push_str("## Similar tickets\n\n");
    if context.similar_tickets.is_empty() {
        writeln!(md, "{NO_SIMILAR_TICKET}\n").ok();
        return;
    }
    for similar in &context.similar_tickets {
        let id = inert(&similar.ticket_id);
        let id = match similar.url.as_deref().and_then(safe_url) {
            Some(url) => format!("[{id}]({url})"),
            None => format!("**{id}**"),
        };
        let outcome = match &similar.resolution {
            Some(resolution) => format!("resolved: {}", inert(&clip(&one_line(resolution), RESOLUTION_CHARS))),
            None => match similar.status.as_deref() {
                Some(status) => format!("{}, no resolution recorded", inert(status)),
                None => "no resolution recorded".to_owned(),
            },
        };
        writeln!(md, "- {id} {} ({:.0}% match): {outcome}", inert(&similar.subject), similar.score.min(1.0) * 100.0)
            .ok();
    }
    md.push('\n');
}

fn knowledge_base(md: &mut String, context: &TicketContext) {
    md.push_str("## Knowledge base\n\n");
    if context.kb_articles.is_empty() {
        writeln!(md, "{NO_ARTICLE}\n").ok();
        return;
    }
    for article in &context.kb_articles {
        let title = inert(&article.title);
        let title = match article.url.as_deref().and_then(safe_url) {
            Some(url) => format!("[{title}]({url})"),
            None => format!("**{title}**"),
        };
        let excerpt = inert(&article.excerpt);
        if excerpt.is_empty() {
            writeln!(md, "- {title}").ok();
        } else {
            writeln!(md, "- {title}: {excerpt}").ok();
        }
    }
    md.push('\n');
}

fn related_assets(md: &mut String, context: &TicketContext) {
    md.push_str("## Related assets\n\n");
    if context.addresses.is_empty() {
        md.push_str("The ticket mentions no IP addresses.\n\n");
        return;
    }
    if context.assets.is_empty() {
        writeln!(md, "{} not in the asset inventory.\n", addresses(&context.addresses)).ok();
    } else {
        md.push_str("| Address | Hostname | Owner | Location | Criticality |\n|---|---|---|---|---|\n");
        let cell = |value: &Option<String>| value.as_deref().map_or_else(|| "–".to_owned(), inert);
        for asset in &context.assets {
            let own = asset.address.trim_end_matches("/32").trim_end_matches("/128");
            let address = if asset.matched == own {
                format!("`{own}`")
            } else {
                format!("`{}` (in `{}`)", asset.matched, asset.address)
            };
            writeln!(
                md,
                "| {address} | {} | {} | {} | {} |",
                cell(&asset.hostname),
                cell(&asset.owner),
                cell(&asset.location),
                cell(&asset.criticality)
            )
            .ok();
        }
        md.push('\n');
    }
    if !context.related_tickets.is_empty() {
        md.push_str("Other recent tickets about these addresses:\n\n");
        for related in &context.related_tickets {
            let status = related.status.as_deref().map(|s| format!(", {}", inert(s))).unwrap_or_default();
            writeln!(
                md,
                "- **{}** {} (`{}`{status})",
                inert(&related.ticket_id),
                inert(&related.subject),
                related.address
            )
            .ok();
        }
        md.push('\n');
    }
}

/// Addresses as code spans; they come from the extractor, so they hold no backticks.
fn addresses(list: &[String]) -> String {
    list.iter().map(|a| format!("`{}`", a.replace('`', ""))).collect::<Vec<_>>().join(", ")
}
