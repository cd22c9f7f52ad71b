//! A realistic triage note through all three renderers.

use serde_json::json;

use super::adf_validator::validate;
use super::{doc, list_item, marked, paragraph, text};
use super::{to_adf, to_html, to_plain};

const NOTE: &str = r#"## Summary

User **cannot open Outlook** since the *January* update; see [KB-1042](https://kb.example.com/articles/1042).

## Likely cause

A corrupted navigation pane file (`profile.xml`).

## Suggested next steps

1. Reset the navigation pane:
   - close Outlook
   - run the command below
2. Rebuild the profile if that fails.

```bash
outlook.exe /resetnavpane
```

| Check | Result |
|-------|--------|
| Disk space | ok |
| Mailbox size | **48 GB** |
"#;

#[test]
fn html() {
    let expected = r#"<h2>Summary</h2>
<p>User <strong>cannot open Outlook</strong> since the <em>January</em> update; see <a href="https://kb.example.com/articles/1042" rel="noopener noreferrer">KB-1042</a>.</p>
<h2>Likely cause</h2>
<p>A corrupted navigation pane file (<code>profile.xml</code>).</p>
<h2>Suggested next steps</h2>
<ol>
<li>Reset the navigation pane:
<ul>
<li>close Outlook</li>
<li>run the command below</li>
</ul>
</li>
<li>Rebuild the profile if that fails.</li>
</ol>
<pre><code>outlook.exe /resetnavpane
</code></pre>
<table><thead><tr><th>Check</th><th>Result</th></tr></thead><tbody>
<tr><td>Disk space</td><td>ok</td></tr>
<tr><td>Mailbox size</td><td><strong>48 GB</strong></td></tr>
</tbody></table>
"#;
    assert_eq!(to_html(NOTE), expected);
}

#[test]
fn adf() {
    let heading = |title| json!({"type": "heading", "attrs": {"level": 2}, "content": [text(title)]});
    let cell = |kind: &str, content| json!({"type": kind, "content": [paragraph(content)]});
    let expected = doc(json!([
        heading("Summary"),
        paragraph(json!([
            text("User "),
            marked("cannot open Outlook", &["strong"]),
            text(" since the "),
            marked("January", &["em"]),
            text(" update; see "),
            marked("KB-1042", &["link:https://kb.example.com/articles/1042"]),
            text("."),
        ])),
        heading("Likely cause"),
        paragraph(json!([
            text("A corrupted navigation pane file ("),
            marked("profile.xml", &["code"]),
            text(")."),
        ])),
        heading("Suggested next steps"),
        {"type": "orderedList", "attrs": {"order": 1}, "content": [
            list_item(json!([
                paragraph(json!([text("Reset the navigation pane:")])),
                {"type": "bulletList", "content": [
                    list_item(json!([paragraph(json!([text("close Outlook")]))])),
                    list_item(json!([paragraph(json!([text("run the command below")]))])),
                ]},
            ])),
            list_item(json!([paragraph(json!([text("Rebuild the profile if that fails.")]))])),
        ]},
        {"type": "codeBlock", "attrs": {"language": "bash"}, "content": [text("outlook.exe /resetnavpane")]},
        {"type": "table", "content": [
            {"type": "tableRow", "content": [
                cell("tableHeader", json!([text("Check")])),
                cell("tableHeader", json!([text("Result")])),
            ]},
            {"type": "tableRow", "content": [
                cell("tableCell", json!([text("Disk space")])),
                cell("tableCell", json!([text("ok")])),
            ]},
            {"type": "tableRow", "content": [
                cell("tableCell", json!([text("Mailbox size")])),
                cell("tableCell", json!([marked("48 GB", &["strong"])])),
            ]},
        ]},
    ]));
    let adf = to_adf(NOTE);
    assert_eq!(adf, expected);
    assert_eq!(validate(&adf), Ok(()));
}

#[test]
fn plain() {
    let expected = "Summary

User cannot open Outlook since the January update; see KB-1042 (https://kb.example.com/articles/1042).

Likely cause

A corrupted navigation pane file (profile.xml).

Suggested next steps

1. Reset the navigation pane:
   - close Outlook
   - run the command below
2. Rebuild the profile if that fails.

outlook.exe /resetnavpane

Check        | Result
-------------+-------
Disk space   | ok
Mailbox size | 48 GB";
    assert_eq!(to_plain(NOTE), expected);
}

/// A note whose context had nothing relevant: the two sections say so, and every renderer keeps the
/// heading and the sentence (an empty section must read as a finding, not disappear).
const NOTHING_FOUND: &str = "## Similar tickets\n\nNo similar past ticket found.\n\n## Knowledge base\n\n\
                             No related article found.\n\n## Related assets\n\nNone found.\n";

#[test]
fn empty_sections_keep_their_heading_and_sentence() {
    assert_eq!(
        to_html(NOTHING_FOUND),
        "<h2>Similar tickets</h2>\n<p>No similar past ticket found.</p>\n<h2>Knowledge base</h2>\n\
         <p>No related article found.</p>\n<h2>Related assets</h2>\n<p>None found.</p>\n"
    );
    let heading = |title| json!({"type": "heading", "attrs": {"level": 2}, "content": [text(title)]});
    let adf = to_adf(NOTHING_FOUND);
    assert_eq!(
        adf,
        doc(json!([
            heading("Similar tickets"),
            paragraph(json!([text("No similar past ticket found.")])),
            heading("Knowledge base"),
            paragraph(json!([text("No related article found.")])),
            heading("Related assets"),
            paragraph(json!([text("None found.")])),
        ]))
    );
    assert_eq!(validate(&adf), Ok(()));
    let plain = to_plain(NOTHING_FOUND);
    assert!(plain.contains("Knowledge base\n\nNo related article found."), "{plain}");
    assert!(plain.contains("Similar tickets\n\nNo similar past ticket found."), "{plain}");
}
