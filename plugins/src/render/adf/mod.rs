//! Markdown -> Atlassian Document Format, for Jira comments. ADF is a JSON tree with strict rules about
//! which node may appear where; no maintained crate writes it, so this one does: the Markdown tree is
//! lowered into typed nodes (`node`) by `writer`, which reshapes anything ADF does not allow.

mod node;
mod writer;

use super::links::AllowedLinks;
use super::tree;

/// Render to a `{"type": "doc", "version": 1, "content": [...]}` value.
pub(super) fn render(markdown: &str, allowed: &AllowedLinks) -> serde_json::Value {
    let doc = writer::doc(tree::parse(markdown, allowed));
    // Serializing these plain structs cannot fail (no maps with non-string keys, no custom serializers);
    // an empty document is still a valid one should that ever change.
    serde_json::to_value(&doc).unwrap_or_else(|_| serde_json::json!({"type": "doc", "version": 1, "content": []}))
}
