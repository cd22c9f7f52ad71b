//! Markdown renderers: one pure function per output format a tool accepts for notes.
//!
//! The worker's notes are Markdown written by an LLM (or the offline writer) and must be treated as
//! hostile. Every renderer shows raw HTML as literal text, turns images into links, and keeps only safe
//! link targets; HTML output is additionally run through ammonia.

mod adf;
mod events;
mod href;
mod html;
mod plain;
mod tree;

#[cfg(test)]
mod tests;

/// Markdown -> sanitized HTML (ServiceDesk Plus, Zendesk, Freshservice, ServiceNow journal HTML).
pub fn to_html(markdown: &str) -> String {
    html::render(markdown)
}

/// Markdown -> Atlassian Document Format (Jira comments): a `{"type": "doc", "version": 1, ...}` value.
pub fn to_adf(markdown: &str) -> serde_json::Value {
    adf::render(markdown)
}

/// Markdown -> plain text (tools or fields that take no markup).
pub fn to_plain(markdown: &str) -> String {
    plain::render(markdown)
}
