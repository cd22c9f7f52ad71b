//! Golden ADF output per Markdown construct, compared as whole JSON values.

use serde_json::json;

use super::to_adf;
use super::{doc, list_item, marked, paragraph, text};

#[test]
fn empty_input_is_an_empty_document() {
    assert_eq!(to_adf(""), doc(json!([])));
    assert_eq!(to_adf("  \n\n \n"), doc(json!([])));
}

#[test]
fn headings_keep_their_level() {
    for level in 1..=6 {
        let markdown = format!("{} Title", "#".repeat(level));
        let expected = doc(json!([
            {"type": "heading", "attrs": {"level": level}, "content": [text("Title")]}
        ]));
        assert_eq!(to_adf(&markdown), expected, "level {level}");
    }
}

#[test]
fn empty_heading_is_dropped() {
    assert_eq!(to_adf("#\n\nafter"), doc(json!([paragraph(json!([text("after")]))])));
}

#[test]
fn paragraphs_join_soft_breaks_with_a_space() {
    assert_eq!(
        to_adf("first line\nsame paragraph\n\nsecond"),
        doc(json!([paragraph(json!([text("first line same paragraph")])), paragraph(json!([text("second")])),]))
    );
}

#[test]
fn hard_breaks_become_hard_break_nodes() {
    let expected = doc(json!([paragraph(json!([text("one"), {"type": "hardBreak"}, text("two")]))]));
    assert_eq!(to_adf("one  \ntwo"), expected);
    assert_eq!(to_adf("one\\\ntwo"), expected);
    assert_eq!(to_adf("one<br>two"), expected);
}

#[test]
fn emphasis_becomes_marks() {
    assert_eq!(
        to_adf("**bold** *italic* ~~gone~~ `code` plain"),
        doc(json!([paragraph(json!([
            marked("bold", &["strong"]),
            text(" "),
            marked("italic", &["em"]),
            text(" "),
            marked("gone", &["strike"]),
            text(" "),
            marked("code", &["code"]),
            text(" plain"),
        ]))]))
    );
}

#[test]
fn nested_emphasis_combines_marks_without_duplicates() {
    assert_eq!(
        to_adf("**bold *both* and **still** bold**"),
        doc(json!([paragraph(json!([
            marked("bold ", &["strong"]),
            marked("both", &["strong", "em"]),
            marked(" and still bold", &["strong"]),
        ]))]))
    );
}

#[test]
fn code_mark_drops_emphasis_but_keeps_link() {
    assert_eq!(
        to_adf("**run `ipconfig` now** [`kb`](https://kb.example.com)"),
        doc(json!([paragraph(json!([
            marked("run ", &["strong"]),
            marked("ipconfig", &["code"]),
            marked(" now", &["strong"]),
            text(" "),
            marked("kb", &["code", "link:https://kb.example.com"]),
        ]))]))
    );
}

#[test]
fn links_become_link_marks() {
    assert_eq!(
        to_adf("see [the **KB** article](https://kb.example.com/42 \"title\")."),
        doc(json!([paragraph(json!([
            text("see "),
            marked("the ", &["link:https://kb.example.com/42"]),
            marked("KB", &["strong", "link:https://kb.example.com/42"]),
            marked(" article", &["link:https://kb.example.com/42"]),
            text("."),
        ]))]))
    );
}

#[test]
fn autolinks_show_their_target() {
    assert_eq!(
        to_adf("<https://status.example.com> or <ops@example.com>"),
        doc(json!([paragraph(json!([
            marked("https://status.example.com", &["link:https://status.example.com"]),
            text(" or "),
            marked("ops@example.com", &["link:mailto:ops@example.com"]),
        ]))]))
    );
}

#[test]
fn unsafe_link_keeps_its_text_without_the_link() {
    assert_eq!(
        to_adf("[click](javascript:alert(1)) and [data](data:text/html,x)"),
        doc(json!([paragraph(json!([text("click and data")]))]))
    );
}

#[test]
fn images_become_links() {
    assert_eq!(
        to_adf("![diagram](https://x.example/d.png) ![](https://x.example/e.png)"),
        doc(json!([paragraph(json!([
            marked("diagram", &["link:https://x.example/d.png"]),
            text(" "),
            marked("https://x.example/e.png", &["link:https://x.example/e.png"]),
        ]))]))
    );
}

#[test]
fn image_inside_a_link_uses_the_outer_link() {
    assert_eq!(
        to_adf("[![build](https://ci.example/badge.svg)](https://ci.example/run/7)"),
        doc(json!([paragraph(json!([marked("build", &["link:https://ci.example/run/7"])]))]))
    );
}

#[test]
fn bullet_list_with_tight_items_wraps_text_in_paragraphs() {
    assert_eq!(
        to_adf("- one\n- **two**"),
        doc(json!([{"type": "bulletList", "content": [
            list_item(json!([paragraph(json!([text("one")]))])),
            list_item(json!([paragraph(json!([marked("two", &["strong"])]))])),
        ]}]))
    );
}

#[test]
fn ordered_list_keeps_its_start_number() {
    assert_eq!(
        to_adf("3. three\n4. four"),
        doc(json!([{"type": "orderedList", "attrs": {"order": 3}, "content": [
            list_item(json!([paragraph(json!([text("three")]))])),
            list_item(json!([paragraph(json!([text("four")]))])),
        ]}]))
    );
    assert_eq!(to_adf("1. one")["content"][0]["attrs"], json!({"order": 1}));
}

#[test]
fn nested_lists_sit_inside_the_list_item() {
    assert_eq!(
        to_adf("1. parent\n   - child\n     1. grandchild\n2. next"),
        doc(json!([{"type": "orderedList", "attrs": {"order": 1}, "content": [
            list_item(json!([
                paragraph(json!([text("parent")])),
                {"type": "bulletList", "content": [list_item(json!([
                    paragraph(json!([text("child")])),
                    {"type": "orderedList", "attrs": {"order": 1}, "content": [
                        list_item(json!([paragraph(json!([text("grandchild")]))])),
                    ]},
                ]))]},
            ])),
            list_item(json!([paragraph(json!([text("next")]))])),
        ]}]))
    );
}

#[test]
fn loose_list_item_keeps_each_paragraph() {
    assert_eq!(
        to_adf("- first\n\n  more\n- second"),
        doc(json!([{"type": "bulletList", "content": [
            list_item(json!([paragraph(json!([text("first")])), paragraph(json!([text("more")]))])),
            list_item(json!([paragraph(json!([text("second")]))])),
        ]}]))
    );
}

#[test]
fn list_item_starting_with_a_block_gets_an_empty_paragraph_first() {
    assert_eq!(
        to_adf("- - inner\n-\n- ```\n  code\n  ```"),
        doc(json!([{"type": "bulletList", "content": [
            list_item(json!([
                paragraph(json!([])),
                {"type": "bulletList", "content": [list_item(json!([paragraph(json!([text("inner")]))]))]},
            ])),
            list_item(json!([paragraph(json!([]))])),
            list_item(json!([
                paragraph(json!([])),
                {"type": "codeBlock", "content": [text("code")]},
            ])),
        ]}]))
    );
}

#[test]
fn code_block_keeps_language_and_text_verbatim() {
    assert_eq!(
        to_adf("```bash title=fix.sh\nsystemctl restart   nginx\n  **not bold**\n```"),
        doc(json!([{"type": "codeBlock", "attrs": {"language": "bash"}, "content": [
            text("systemctl restart   nginx\n  **not bold**")
        ]}]))
    );
}

#[test]
fn code_block_without_language_or_text() {
    assert_eq!(
        to_adf("    indented code\n\n```\n```"),
        doc(json!([
            {"type": "codeBlock", "content": [text("indented code")]},
            {"type": "codeBlock", "content": []},
        ]))
    );
}

#[test]
fn blockquote_holds_paragraphs_and_lists() {
    assert_eq!(
        to_adf("> quoted *text*\n>\n> - item"),
        doc(json!([{"type": "blockquote", "content": [
            paragraph(json!([text("quoted "), marked("text", &["em"])])),
            {"type": "bulletList", "content": [list_item(json!([paragraph(json!([text("item")]))]))]},
        ]}]))
    );
}

#[test]
fn blockquote_flattens_what_adf_does_not_allow_inside() {
    assert_eq!(
        to_adf("> # Heading\n> > inner quote\n>\n> ---\n>\n> after"),
        doc(json!([{"type": "blockquote", "content": [
            paragraph(json!([text("Heading")])),
            paragraph(json!([text("inner quote")])),
            paragraph(json!([text("after")])),
        ]}]))
    );
}

#[test]
fn rule_is_a_rule_node() {
    assert_eq!(
        to_adf("above\n\n---\n\nbelow"),
        doc(json!([
            paragraph(json!([text("above")])),
            {"type": "rule"},
            paragraph(json!([text("below")])),
        ]))
    );
}

#[test]
fn table_has_a_header_row_and_paragraph_cells() {
    let cell = |kind: &str, content| json!({"type": kind, "content": [paragraph(content)]});
    assert_eq!(
        to_adf("| Check | Result |\n|---|:-:|\n| DNS | **ok** |\n| Disk |"),
        doc(json!([{"type": "table", "content": [
            {"type": "tableRow", "content": [
                cell("tableHeader", json!([text("Check")])),
                cell("tableHeader", json!([text("Result")])),
            ]},
            {"type": "tableRow", "content": [
                cell("tableCell", json!([text("DNS")])),
                cell("tableCell", json!([marked("ok", &["strong"])])),
            ]},
            {"type": "tableRow", "content": [
                cell("tableCell", json!([text("Disk")])),
                cell("tableCell", json!([])),
            ]},
        ]}]))
    );
}

#[test]
fn table_inside_a_list_becomes_one_paragraph_per_row() {
    assert_eq!(
        to_adf("- checks:\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |"),
        doc(json!([{"type": "bulletList", "content": [list_item(json!([
            paragraph(json!([text("checks:")])),
            paragraph(json!([text("a | b")])),
            paragraph(json!([text("1 | 2")])),
        ]))]}]))
    );
}

#[test]
fn inline_html_is_literal_text() {
    assert_eq!(
        to_adf("press <kbd>Ctrl</kbd> now"),
        doc(json!([paragraph(json!([text("press <kbd>Ctrl</kbd> now")]))]))
    );
}

#[test]
fn html_block_becomes_a_paragraph_of_literal_lines() {
    assert_eq!(
        to_adf("<div class=\"x\">\nhello <b>there</b>\n</div>"),
        doc(json!([paragraph(json!([
            text("<div class=\"x\">"),
            {"type": "hardBreak"},
            text("hello <b>there</b>"),
            {"type": "hardBreak"},
            text("</div>"),
        ]))]))
    );
}

#[test]
fn entities_and_brackets_do_not_split_text_nodes() {
    assert_eq!(to_adf("a &amp; b [not a link] c"), doc(json!([paragraph(json!([text("a & b [not a link] c")]))])));
}
