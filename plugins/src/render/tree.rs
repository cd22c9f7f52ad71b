//! A small typed Markdown tree built from parser events: what the ADF and plain-text renderers walk.
//!
//! Building a tree first (instead of rendering straight from events) puts the decisions the two renderers
//! must agree on in one place: loose text in tight list items becomes a paragraph, raw HTML becomes literal
//! text, images become links and unsafe link targets are dropped.

use std::mem;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Tag};

use super::links::AllowedLinks;
use super::{events, href};

/// A block-level node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Paragraph(Vec<Inline>),
    Heading {
        level: u8,
        content: Vec<Inline>,
    },
    Quote(Vec<Block>),
    /// `start` is `Some` for ordered lists; every item is a list of blocks.
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    Code {
        language: Option<String>,
        text: String,
    },
    Rule,
    Table {
        head: Vec<Cell>,
        rows: Vec<Vec<Cell>>,
    },
}

/// The inline content of one table cell.
pub(crate) type Cell = Vec<Inline>;

/// An inline node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inline {
    Text(String),
    Code(String),
    SoftBreak,
    HardBreak,
    Strong(Vec<Inline>),
    Emphasis(Vec<Inline>),
    Strike(Vec<Inline>),
    /// `href` passed [`href::is_safe`]; `content` is never empty.
    Link {
        href: String,
        content: Vec<Inline>,
    },
}

/// Parse `markdown` into blocks.
pub(crate) fn parse(markdown: &str, allowed: &AllowedLinks) -> Vec<Block> {
    blocks(nest(events::parse(markdown, allowed)), false)
}

/// Parser events as an untyped element tree, before any interpretation.
#[derive(Debug)]
enum Raw<'a> {
    Element(Tag<'a>, Vec<Raw<'a>>),
    Leaf(Event<'a>),
}

/// Pair up start and end events into elements. Nesting depth is already capped by [`events::parse`],
/// which bounds recursion everywhere downstream.
fn nest<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Raw<'a>> {
    let mut root = Vec::new();
    let mut open: Vec<(Tag<'a>, Vec<Raw<'a>>)> = Vec::new();
    for event in events {
        match event {
            Event::Start(tag) => open.push((tag, Vec::new())),
            Event::End(_) => {
                if let Some((tag, children)) = open.pop() {
                    attach(&mut root, &mut open, Raw::Element(tag, children));
                }
            }
            leaf => attach(&mut root, &mut open, Raw::Leaf(leaf)),
        }
    }
    // The parser always closes what it opens; this only guards against a future change there.
    while let Some((tag, children)) = open.pop() {
        attach(&mut root, &mut open, Raw::Element(tag, children));
    }
    root
}

fn attach<'a>(root: &mut Vec<Raw<'a>>, open: &mut [(Tag<'a>, Vec<Raw<'a>>)], node: Raw<'a>) {
    match open.last_mut() {
        Some((_, children)) => children.push(node),
        None => root.push(node),
    }
}

fn is_inline(node: &Raw<'_>) -> bool {
    match node {
        Raw::Leaf(event) => !matches!(event, Event::Rule),
        Raw::Element(tag, _) => matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
    }
}

/// Block children; runs of inline nodes (tight list items) are wrapped in a paragraph.
fn blocks(nodes: Vec<Raw<'_>>, in_link: bool) -> Vec<Block> {
    let mut out = Vec::new();
    let mut loose = Vec::new();
    for node in nodes {
        if is_inline(&node) {
            loose.push(node);
            continue;
        }
        push_paragraph(&mut out, inlines(mem::take(&mut loose), in_link));
        block(node, &mut out);
    }
    push_paragraph(&mut out, inlines(loose, in_link));
    out
}

fn push_paragraph(out: &mut Vec<Block>, content: Vec<Inline>) {
    if !content.is_empty() {
        out.push(Block::Paragraph(content));
    }
}

fn block(node: Raw<'_>, out: &mut Vec<Block>) {
    let (tag, children) = match node {
        Raw::Element(tag, children) => (tag, children),
        Raw::Leaf(Event::Rule) => return out.push(Block::Rule),
        Raw::Leaf(_) => return,
    };
    match tag {
        Tag::Paragraph => push_paragraph(out, inlines(children, false)),
        Tag::Heading { level, .. } => {
            out.push(Block::Heading { level: level as u8, content: inlines(children, false) });
        }
        Tag::BlockQuote(_) => out.push(Block::Quote(blocks(children, false))),
        Tag::CodeBlock(kind) => out.push(code_block(&kind, children)),
        Tag::HtmlBlock => push_paragraph(out, html_lines(children)),
        Tag::List(start) => out.push(Block::List { start, items: list_items(children) }),
        Tag::Table(_) => out.push(table(children)),
        // Item outside a list, footnotes, definition lists: not produced with our options, but their
        // words still count, so keep the content.
        _ => out.extend(blocks(children, false)),
    }
}

fn code_block(kind: &CodeBlockKind<'_>, children: Vec<Raw<'_>>) -> Block {
    // The info string may carry more than the language (`bash title=x`); the first word is the language.
    let language = match kind {
        CodeBlockKind::Fenced(info) => info.split_whitespace().next().map(str::to_owned),
        CodeBlockKind::Indented => None,
    };
    let mut text = leaf_text(children);
    // The parser ends every code line with '\n'; the last one is not part of the code.
    if text.ends_with('\n') {
        text.pop();
    }
    Block::Code { language, text }
}

/// Raw HTML block: shown as literal text, one hard-broken line per source line.
fn html_lines(children: Vec<Raw<'_>>) -> Vec<Inline> {
    let text = leaf_text(children);
    let mut out = Vec::new();
    for (i, line) in text.trim_end().lines().enumerate() {
        if i > 0 {
            out.push(Inline::HardBreak);
        }
        out.push(Inline::Text(line.to_owned()));
    }
    out
}

fn leaf_text(children: Vec<Raw<'_>>) -> String {
    let mut text = String::new();
    for child in children {
        if let Raw::Leaf(Event::Text(s) | Event::Html(s) | Event::Code(s)) = child {
            text.push_str(&s);
        }
    }
    text
}

fn list_items(children: Vec<Raw<'_>>) -> Vec<Vec<Block>> {
    let mut items: Vec<Vec<Block>> = Vec::new();
    for child in children {
        match child {
            Raw::Element(Tag::Item, content) => items.push(blocks(content, false)),
            // Only reachable when the depth cap removed the item element: keep the words in the
            // previous item rather than inventing list items.
            other => {
                let content = blocks(vec![other], false);
                match items.last_mut() {
                    Some(last) => last.extend(content),
                    None => items.push(content),
                }
            }
        }
    }
    items
}

fn table(children: Vec<Raw<'_>>) -> Block {
    let mut head = Vec::new();
    let mut rows = Vec::new();
    for child in children {
        match child {
            Raw::Element(Tag::TableHead, cells) => head = table_cells(cells),
            Raw::Element(_, cells) => rows.push(table_cells(cells)),
            leaf => rows.push(vec![inlines(vec![leaf], false)]),
        }
    }
    Block::Table { head, rows }
}

fn table_cells(children: Vec<Raw<'_>>) -> Vec<Cell> {
    children
        .into_iter()
        .map(|child| match child {
            Raw::Element(Tag::TableCell, content) => inlines(content, false),
            other => inlines(vec![other], false),
        })
        .collect()
}

/// Inline children. `in_link` is set inside a link, where an image must not start a second link.
fn inlines(nodes: Vec<Raw<'_>>, in_link: bool) -> Vec<Inline> {
    let mut out = Vec::new();
    for node in nodes {
        match node {
            Raw::Leaf(event) => out.extend(leaf_inline(event)),
            Raw::Element(tag, children) => element_inline(tag, children, in_link, &mut out),
        }
    }
    out
}

fn leaf_inline(event: Event<'_>) -> Option<Inline> {
    Some(match event {
        // Raw HTML is shown as the literal text the model wrote: never interpreted, never dropped.
        Event::Text(s) | Event::Html(s) | Event::InlineHtml(s) => Inline::Text(s.into_string()),
        Event::Code(s) | Event::InlineMath(s) | Event::DisplayMath(s) => Inline::Code(s.into_string()),
        Event::FootnoteReference(s) => Inline::Text(format!("[^{s}]")),
        Event::TaskListMarker(done) => Inline::Text(if done { "[x] " } else { "[ ] " }.to_owned()),
        Event::SoftBreak => Inline::SoftBreak,
        Event::HardBreak => Inline::HardBreak,
        Event::Rule | Event::Start(_) | Event::End(_) => return None,
    })
}

fn element_inline(tag: Tag<'_>, children: Vec<Raw<'_>>, in_link: bool, out: &mut Vec<Inline>) {
    match tag {
        Tag::Emphasis => out.push(Inline::Emphasis(inlines(children, in_link))),
        Tag::Strong => out.push(Inline::Strong(inlines(children, in_link))),
        Tag::Strikethrough => out.push(Inline::Strike(inlines(children, in_link))),
        Tag::Link { link_type, dest_url, .. } => {
            // Email autolinks carry the bare address; the scheme is implied.
            let href = match link_type {
                LinkType::Email => format!("mailto:{dest_url}"),
                _ => dest_url.into_string(),
            };
            let content = inlines(children, true);
            out.extend(link(href, content, in_link));
        }
        // ADF media needs an upload, and a remote image in a note is a tracking pixel: link to it instead.
        Tag::Image { dest_url, .. } => {
            let content = inlines(children, true);
            out.extend(link(dest_url.into_string(), content, in_link));
        }
        Tag::Superscript | Tag::Subscript => out.extend(inlines(children, in_link)),
        // Block content in inline position cannot come from the parser; keep its words on a new line.
        _ => {
            if !out.is_empty() {
                out.push(Inline::SoftBreak);
            }
            out.extend(inlines(children, in_link));
        }
    }
}

/// A link, or just its content when it is nested in another link or its target is unsafe. A link without
/// text shows its target, so an empty `[](url)` or `![](url)` still leaves something to click.
fn link(href: String, content: Vec<Inline>, in_link: bool) -> Vec<Inline> {
    if in_link || href.is_empty() || !href::is_safe(&href) {
        return content;
    }
    let content = if content.is_empty() { vec![Inline::Text(href.clone())] } else { content };
    vec![Inline::Link { href, content }]
}
