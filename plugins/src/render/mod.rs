//! Markdown renderers: one pure function per output format a tool accepts for notes.
//!
//! The worker's notes are Markdown written by an LLM (or the offline writer) and must be treated as
//! hostile. Every renderer shows raw HTML as literal text, turns images into links, and keeps a link only
//! when its target is in the note's [`AllowedLinks`] (URLs from the enhancement's context and the tenant's
//! own host); every other URL is shown as text. HTML output is additionally run through ammonia.

mod adf;
mod events;
mod href;
mod html;
mod links;
mod plain;
mod tree;

#[cfg(test)]
mod tests;

pub use links::AllowedLinks;

/// Markdown -> sanitized HTML (ServiceDesk Plus, Zendesk, Freshservice, ServiceNow journal HTML). Only
/// links `allowed` permits stay links; every other URL is text.
pub fn to_html(markdown: &str, allowed: &AllowedLinks) -> String {
    html::render(markdown, allowed)
}

/// Markdown -> Atlassian Document Format (Jira comments): a `{"type": "doc", "version": 1, ...}` value.
/// Only links `allowed` permits carry a link mark; every other URL is text.
pub fn to_adf(markdown: &str, allowed: &AllowedLinks) -> serde_json::Value {
    adf::render(markdown, allowed)
}

/// Markdown -> plain text (tools or fields that take no markup); links are `label (url)` either way.
pub fn to_plain(markdown: &str, allowed: &AllowedLinks) -> String {
    plain::render(markdown, allowed)
}
