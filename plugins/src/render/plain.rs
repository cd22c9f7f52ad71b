//! Markdown -> plain text, for tools or fields that take no markup. The aim is what a person would type
//! in a plain-text note: headings and paragraphs as lines, `- ` and `1. ` lists indented under their
//! item, code verbatim, links as `text (url)`, and no emphasis characters left behind.

use super::links::AllowedLinks;
use super::tree::{self, Block, Inline};

/// Render to text without a trailing newline.
pub(super) fn render(markdown: &str, allowed: &AllowedLinks) -> String {
    blocks(&tree::parse(markdown, allowed), "\n\n")
}

fn blocks(blocks: &[Block], separator: &str) -> String {
    let rendered: Vec<String> = blocks.iter().map(block).filter(|b| !b.is_empty()).collect();
    rendered.join(separator)
}

fn block(node: &Block) -> String {
    match node {
        Block::Paragraph(content) | Block::Heading { content, .. } => inline_text(content),
        Block::Quote(children) => prefix_lines(&blocks(children, "\n\n"), "> ", "> "),
        Block::List { start, items } => list(*start, items),
        Block::Code { text, .. } => text.clone(),
        Block::Rule => "----".to_owned(),
        Block::Table { head, rows } => table(head, rows),
    }
}

/// Items on consecutive lines; an item's own paragraphs and nested lists are indented under its text
/// by the width of its marker, so nesting reads the way it was written.
fn list(start: Option<u64>, items: &[Vec<Block>]) -> String {
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let marker = match start {
            Some(first) => format!("{}. ", first.saturating_add(i as u64)),
            None => "- ".to_owned(),
        };
        let body = blocks(item, "\n");
        if body.is_empty() {
            out.push(marker.trim_end().to_owned());
        } else {
            out.push(prefix_lines(&body, &marker, &" ".repeat(marker.len())));
        }
    }
    out.join("\n")
}

/// Prefix the first line with `first` and every other line with `rest`; blank lines get the prefix
/// without its trailing space, so no line ends in whitespace.
fn prefix_lines(text: &str, first: &str, rest: &str) -> String {
    let mut out = String::with_capacity(text.len() + first.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let prefix = if i == 0 { first } else { rest };
        if line.is_empty() {
            out.push_str(prefix.trim_end());
        } else {
            out.push_str(prefix);
            out.push_str(line);
        }
    }
    out
}

/// Columns padded to a common width, with a dashed rule under the header:
///
/// ```text
/// Check | Result
/// ------+-------
/// DNS   | ok
/// ```
fn table(head: &[tree::Cell], rows: &[Vec<tree::Cell>]) -> String {
    // A cell is one line: hard breaks (`<br>` in a cell) become spaces.
    let cell_text = |cell: &tree::Cell| inline_text(cell).replace('\n', " ");
    let head: Vec<String> = head.iter().map(cell_text).collect();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| r.iter().map(cell_text).collect()).collect();
    let columns = rows.iter().map(Vec::len).chain([head.len()]).max().unwrap_or(0);
    let width = |i: usize| {
        std::iter::once(&head).chain(&rows).filter_map(|r| r.get(i)).map(|c| c.chars().count()).max().unwrap_or(0)
    };
    let widths: Vec<usize> = (0..columns).map(width).collect();
    let line = |cells: &[String]| {
        // Trailing empty cells would only leave a dangling `|`.
        let used = cells.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
        let padded: Vec<String> = cells[..used].iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        padded.join(" | ").trim_end().to_owned()
    };
    let mut out = Vec::with_capacity(rows.len() + 2);
    if !head.is_empty() {
        out.push(line(&head));
        let dashes: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push(dashes.join("-+-"));
    }
    out.extend(rows.iter().map(|r| line(r)));
    out.join("\n")
}

fn inline_text(nodes: &[Inline]) -> String {
    let mut out = String::new();
    push_inline_text(nodes, &mut out);
    out
}

fn push_inline_text(nodes: &[Inline], out: &mut String) {
    for node in nodes {
        match node {
            Inline::Text(text) | Inline::Code(text) => out.push_str(text),
            // Keep the author's line structure: in plain text a line break is all the layout there is.
            Inline::SoftBreak | Inline::HardBreak => out.push('\n'),
            Inline::Strong(children) | Inline::Emphasis(children) | Inline::Strike(children) => {
                push_inline_text(children, out);
            }
            Inline::Link { href, content } => {
                let text = inline_text(content);
                // An autolink's text is its URL already; saying it twice is noise.
                let same = text == *href || href.strip_prefix("mailto:") == Some(text.as_str());
                out.push_str(&text);
                if !same {
                    out.push_str(" (");
                    out.push_str(href);
                    out.push(')');
                }
            }
        }
    }
}
