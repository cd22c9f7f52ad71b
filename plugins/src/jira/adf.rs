//! Atlassian Document Format helpers: flatten an ADF document (issue descriptions, comment bodies) to plain
//! text, and build a comment body that ends with our marker paragraph.

use serde_json::{Value, json};

/// Block nodes whose end is a line break in the flattened text.
const BLOCKS: &[&str] =
    &["paragraph", "heading", "blockquote", "codeBlock", "listItem", "rule", "panel", "tableRow", "mediaSingle"];

/// Plain text of an ADF node (or a v2 wiki-markup string, returned as is). Unknown nodes contribute their
/// children's text, so a schema addition never loses words.
pub fn adf_to_text(node: &Value) -> String {
    let mut out = String::new();
    match node {
        Value::String(text) => out.push_str(text),
        Value::Object(_) => walk(node, &mut out),
        _ => {}
    }
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    lines.join("\n").trim().to_owned()
}

fn walk(node: &Value, out: &mut String) {
    let kind = node.get("type").and_then(Value::as_str).unwrap_or("");
    let attr = |name: &str| node.get("attrs").and_then(|attrs| attrs.get(name)).and_then(Value::as_str);
    match kind {
        "text" => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or("")),
        "hardBreak" => out.push('\n'),
        "mention" => out.push_str(attr("text").unwrap_or("@someone")),
        "emoji" => out.push_str(attr("text").or_else(|| attr("shortName")).unwrap_or("")),
        "inlineCard" | "blockCard" => out.push_str(attr("url").unwrap_or("")),
        "listItem" => out.push_str("- "),
        _ => {}
    }
    if let Some(children) = node.get("content").and_then(Value::as_array) {
        for child in children {
            walk(child, out);
        }
    }
    if BLOCKS.contains(&kind) && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// The rendered comment document with a final paragraph holding the marker text, which `find_note` looks
/// for. A renderer result that is not a `doc` with `content` is not trusted: the note then goes out as one
/// plain-text paragraph (`fallback_text`).
pub(super) fn with_marker(doc: Value, marker: &str, fallback_text: &str) -> Value {
    let paragraph = |text: &str| json!({"type": "paragraph", "content": [{"type": "text", "text": text}]});
    let is_doc =
        doc.get("type").and_then(Value::as_str) == Some("doc") && doc.get("content").is_some_and(Value::is_array);
    let mut doc = if is_doc {
        doc
    } else {
        let content: Vec<Value> =
            if fallback_text.trim().is_empty() { Vec::new() } else { vec![paragraph(fallback_text.trim())] };
        json!({"type": "doc", "version": 1, "content": content})
    };
    if let Some(content) = doc.get_mut("content").and_then(Value::as_array_mut) {
        content.push(paragraph(marker));
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_adf() {
        let doc = json!({"type": "doc", "version": 1, "content": [
            {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "AI triage"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "Ping "},
                {"type": "mention", "attrs": {"id": "1", "text": "@Ann"}},
                {"type": "hardBreak"},
                {"type": "text", "text": "now", "marks": [{"type": "strong"}]}
            ]},
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "one"}]}]},
                {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "two"}]}]}
            ]}
        ]});
        assert_eq!(adf_to_text(&doc), "AI triage\nPing @Ann\nnow\n- one\n- two");
        assert_eq!(adf_to_text(&json!("wiki *text*")), "wiki *text*");
        assert_eq!(adf_to_text(&json!(null)), "");
    }

    #[test]
    fn marker_is_the_last_paragraph() {
        let doc = json!({"type": "doc", "version": 1, "content": [{"type": "paragraph", "content": []}]});
        let out = with_marker(doc, "ticket-enhancer:1", "ignored");
        assert_eq!(out["content"][1]["content"][0]["text"], "ticket-enhancer:1");
        let out = with_marker(json!("not a doc"), "ticket-enhancer:1", "body");
        assert_eq!(out["type"], "doc");
        assert_eq!(out["content"][0]["content"][0]["text"], "body");
        assert_eq!(out["content"][1]["content"][0]["text"], "ticket-enhancer:1");
    }
}
