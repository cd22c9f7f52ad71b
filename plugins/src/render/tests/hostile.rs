//! Hostile Markdown, as a prompt-injected LLM might write it: nothing may come out active.

use serde_json::Value;

use super::adf_validator::validate;
use super::html_scan::assert_inert;
use super::{to_adf, to_html, to_plain};
use crate::render::href;

const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "text <script>alert(1)</script> more",
    "<img src=x onerror=alert(1)>",
    "see <IMG SRC=x OnError=alert(1)> here",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1)) [y](java&#x09;script:alert(1)) [z]( javascript:alert(1))",
    "<javascript:alert(1)>",
    "<a href=\"x\" onclick=\"y\">link</a>",
    "![x](javascript:alert(1)) ![y](data:image/svg+xml;base64,PHN2Zz4=)",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<style>body{display:none}</style>",
    "<svg onload=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<scr<script>ipt>alert(1)</script>",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    "> <a href=javascript:alert(1)>x</a>",
];

#[test]
fn script_block_is_shown_as_text() {
    let html = to_html("<script>alert(1)</script>");
    assert_eq!(html, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
}

#[test]
fn img_with_event_handler_is_shown_as_text() {
    let html = to_html("<img src=x onerror=alert(1)>");
    assert_eq!(html, "<p>&lt;img src=x onerror=alert(1)&gt;</p>\n");
}

#[test]
fn javascript_link_loses_its_target() {
    let html = to_html("[x](javascript:alert(1))");
    assert_eq!(html, "<p>x</p>\n", "not even an empty anchor is left");
    assert!(!html.contains("javascript:"));
}

#[test]
fn anchor_with_onclick_is_shown_as_text() {
    let html = to_html("<a href=\"x\" onclick=\"y\">link</a>");
    assert_eq!(html, "<p>&lt;a href=\"x\" onclick=\"y\"&gt;link&lt;/a&gt;</p>\n");
}

#[test]
fn every_hostile_input_renders_inert_html() {
    for markdown in HOSTILE {
        assert_inert(&to_html(markdown));
    }
}

#[test]
fn every_hostile_input_renders_valid_adf_with_safe_links_only() {
    for markdown in HOSTILE {
        let adf = to_adf(markdown);
        assert_eq!(validate(&adf), Ok(()), "{markdown}");
        for href in hrefs(&adf) {
            assert!(href::is_safe(&href), "{href} from {markdown}");
        }
    }
}

#[test]
fn raw_html_keeps_its_words_in_adf_and_plain_text() {
    let markdown = "<a href=\"x\" onclick=\"y\">link</a>";
    assert_eq!(to_adf(markdown)["content"][0]["content"][0]["text"], "<a href=\"x\" onclick=\"y\">link</a>");
    assert_eq!(to_plain(markdown), markdown);
    assert_eq!(to_plain("[x](javascript:alert(1))"), "x");
}

fn hrefs(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    match value {
        Value::Object(map) => {
            if map.get("type") == Some(&Value::from("link"))
                && let Some(href) = map.get("attrs").and_then(|a| a.get("href")).and_then(Value::as_str)
            {
                found.push(href.to_owned());
            }
            map.values().for_each(|v| found.extend(hrefs(v)));
        }
        Value::Array(items) => items.iter().for_each(|v| found.extend(hrefs(v))),
        _ => {}
    }
    found
}

/// Tens of thousands of nesting levels: no stack overflow in the recursive renderers, no quadratic
/// blow-up in the sanitizer's parser, and the innermost words survive.
#[test]
fn deep_nesting_is_flattened_not_fatal() {
    let inputs = [
        format!("{}deep", "> ".repeat(20_000)),
        format!("{}deep", "- ".repeat(10_000)),
        format!("{}deep", "1. ".repeat(10_000)),
        format!("{}deep{}", "*a ".repeat(10_000), " b*".repeat(10_000)),
        format!("{}deep{}", "[".repeat(10_000), "](https://x.example)".repeat(10_000)),
    ];
    for markdown in &inputs {
        let html = to_html(markdown);
        assert_inert(&html);
        assert!(html.contains("deep"));
        let adf = to_adf(markdown);
        assert_eq!(validate(&adf), Ok(()));
        assert!(adf.to_string().contains("deep"));
        assert!(to_plain(markdown).contains("deep"));
    }
}
