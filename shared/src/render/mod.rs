//! Markdown renderers: one pure function per output format a tool accepts for notes.

/// Markdown -> sanitized HTML (ServiceDesk Plus, Zendesk, Freshservice, ServiceNow journal HTML).
pub fn to_html(markdown: &str) -> String {
    ammonia::clean(markdown)
}

/// Markdown -> Atlassian Document Format (Jira comments): a `{"type": "doc", "version": 1, ...}` value.
pub fn to_adf(markdown: &str) -> serde_json::Value {
    serde_json::json!({"type": "doc", "version": 1, "content": [
        {"type": "paragraph", "content": [{"type": "text", "text": markdown}]}
    ]})
}

/// Markdown -> plain text (tools or fields that take no markup).
pub fn to_plain(markdown: &str) -> String {
    markdown.to_owned()
}
