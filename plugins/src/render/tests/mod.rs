//! Renderer tests: golden output per construct for each renderer, a realistic note through all three,
//! hostile input, and property tests backed by an ADF structure validator.

mod adf_golden;
mod adf_validator;
mod hostile;
mod html_golden;
mod html_scan;
mod links;
mod plain_golden;
mod properties;
mod realistic;

use serde_json::{Value, json};

use crate::render::AllowedLinks;

// The construct tests render with every safe target kept (the behaviour before the link policy), so they
// keep describing Markdown; `links.rs` tests the policy itself.
fn to_html(markdown: &str) -> String {
    crate::render::to_html(markdown, &AllowedLinks::any_safe())
}

fn to_adf(markdown: &str) -> Value {
    crate::render::to_adf(markdown, &AllowedLinks::any_safe())
}

fn to_plain(markdown: &str) -> String {
    crate::render::to_plain(markdown, &AllowedLinks::any_safe())
}

/// `{"type": "doc", "version": 1, "content": content}`.
fn doc(content: Value) -> Value {
    with_content(json!({"type": "doc", "version": 1}), content)
}

/// A text node without marks.
fn text(text: &str) -> Value {
    json!({"type": "text", "text": text})
}

/// A text node with marks given by type name, or `link:<href>` for a link mark.
fn marked(text: &str, marks: &[&str]) -> Value {
    let marks: Vec<Value> = marks
        .iter()
        .map(|mark| match mark.strip_prefix("link:") {
            Some(href) => json!({"type": "link", "attrs": {"href": href}}),
            None => json!({"type": mark}),
        })
        .collect();
    json!({"type": "text", "text": text, "marks": marks})
}

fn paragraph(content: Value) -> Value {
    with_content(json!({"type": "paragraph"}), content)
}

fn list_item(content: Value) -> Value {
    with_content(json!({"type": "listItem"}), content)
}

fn with_content(mut node: Value, content: Value) -> Value {
    node["content"] = content;
    node
}
