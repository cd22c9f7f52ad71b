//! Lowers the Markdown tree to ADF nodes, reshaping whatever ADF does not allow where it appears instead
//! of dropping it: a heading inside a list becomes a paragraph, a quote inside a quote is unwrapped, a
//! table inside a list becomes one paragraph per row.

use super::node::{
    Block, Blockquote, BulletList, CodeBlock, CodeBlockAttrs, CodeText, Doc, Heading, HeadingAttrs, Inline, LinkAttrs,
    ListItem, Mark, Nested, OrderedList, OrderedListAttrs, Paragraph, Table, TableCell, TableRow, Text,
};
use crate::render::tree;

/// The whole document.
pub(crate) fn doc(blocks: Vec<tree::Block>) -> Doc {
    Doc { version: 1, content: top_level(blocks) }
}

/// Blocks directly under `doc`, where every node type we emit is allowed.
fn top_level(blocks: Vec<tree::Block>) -> Vec<Block> {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            tree::Block::Heading { level, content } => {
                let content = inlines(&content);
                // An empty heading (`#` alone) has no words to keep.
                if !content.is_empty() {
                    out.push(Block::Heading(Heading { attrs: HeadingAttrs { level: level.clamp(1, 6) }, content }));
                }
            }
            tree::Block::Quote(children) => {
                let content = nested(children);
                if !content.is_empty() {
                    out.push(Block::Blockquote(Blockquote { content }));
                }
            }
            tree::Block::Rule => out.push(Block::Rule),
            tree::Block::Table { head, rows } => out.extend(table(&head, &rows)),
            other => out.extend(nested(vec![other]).into_iter().map(Block::from)),
        }
    }
    out
}

/// Blocks inside a `listItem` or `blockquote`: paragraphs, lists and code blocks only.
fn nested(blocks: Vec<tree::Block>) -> Vec<Nested> {
    let mut out = Vec::new();
    for block in blocks {
        match block {
            // ADF has no heading here; its words stay as a paragraph.
            tree::Block::Paragraph(content) | tree::Block::Heading { content, .. } => {
                push_paragraph(&mut out, inlines(&content));
            }
            // ADF does not nest quotes (nor quotes in list items): keep the content, drop the frame.
            tree::Block::Quote(children) => out.extend(nested(children)),
            tree::Block::List { start, items } => out.push(list(start, items)),
            tree::Block::Code { language, text } => out.push(Nested::CodeBlock(code_block(language, text))),
            // A rule carries no words and has no place here.
            tree::Block::Rule => {}
            tree::Block::Table { head, rows } => {
                for row in std::iter::once(&head).chain(&rows) {
                    push_paragraph(&mut out, inlines(&row_as_line(row)));
                }
            }
        }
    }
    out
}

fn push_paragraph(out: &mut Vec<Nested>, content: Vec<Inline>) {
    if !content.is_empty() {
        out.push(Nested::Paragraph(Paragraph { content }));
    }
}

fn list(start: Option<u64>, items: Vec<Vec<tree::Block>>) -> Nested {
    let content = items.into_iter().map(list_item).collect();
    match start {
        Some(order) => Nested::OrderedList(OrderedList { attrs: OrderedListAttrs { order }, content }),
        None => Nested::BulletList(BulletList { content }),
    }
}

/// ADF requires a list item to open with a paragraph; an item that starts with a nested list or a code
/// block (or is empty) gets an empty one.
fn list_item(blocks: Vec<tree::Block>) -> ListItem {
    let mut content = nested(blocks);
    if !matches!(content.first(), Some(Nested::Paragraph(_))) {
        content.insert(0, Nested::Paragraph(Paragraph { content: Vec::new() }));
    }
    ListItem { content }
}

fn code_block(language: Option<String>, text: String) -> CodeBlock {
    CodeBlock {
        attrs: language.filter(|l| !l.is_empty()).map(|language| CodeBlockAttrs { language }),
        // Text nodes must not be empty; an empty code block simply has no content.
        content: if text.is_empty() { Vec::new() } else { vec![CodeText { text }] },
    }
}

/// A table with a header row. Rows are padded to the widest row, since ADF tables are rectangular.
fn table(head: &[tree::Cell], rows: &[Vec<tree::Cell>]) -> Option<Block> {
    let columns = rows.iter().map(Vec::len).chain([head.len()]).max().unwrap_or(0);
    if columns == 0 {
        return None;
    }
    let row = |cells: &[tree::Cell], header: bool| {
        let content = (0..columns)
            .map(|i| {
                let content = cells.get(i).map(|cell| inlines(cell)).unwrap_or_default();
                let content = vec![Nested::Paragraph(Paragraph { content })];
                if header { TableCell::TableHeader { content } } else { TableCell::TableCell { content } }
            })
            .collect();
        TableRow { content }
    };
    let header = (!head.is_empty()).then(|| row(head, true));
    let body = rows.iter().map(|cells| row(cells, false));
    Some(Block::Table(Table { content: header.into_iter().chain(body).collect() }))
}

/// A table row flattened to one line, `a | b | c`, for places where ADF allows no table.
fn row_as_line(cells: &[tree::Cell]) -> Vec<tree::Inline> {
    let mut line = Vec::new();
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            line.push(tree::Inline::Text(" | ".to_owned()));
        }
        line.extend(cell.iter().cloned());
    }
    line
}

/// The marks in force at a point of the inline tree.
#[derive(Debug, Clone, Copy, Default)]
struct Style<'a> {
    strong: bool,
    em: bool,
    strike: bool,
    link: Option<&'a str>,
}

impl Style<'_> {
    /// ADF lets `code` combine only with `link`, so inline code inside bold or italic text loses the
    /// emphasis and keeps the code mark: the code is what the reader needs to copy.
    fn marks(&self, code: bool) -> Vec<Mark> {
        let mut marks = Vec::new();
        if code {
            marks.push(Mark::Code);
        } else {
            let flags = [(self.strong, Mark::Strong), (self.em, Mark::Em), (self.strike, Mark::Strike)];
            marks.extend(flags.into_iter().filter(|(on, _)| *on).map(|(_, mark)| mark));
        }
        if let Some(href) = self.link {
            marks.push(Mark::Link { attrs: LinkAttrs { href: href.to_owned() } });
        }
        marks
    }
}

/// Inline nodes with nested emphasis flattened into marks on text nodes.
fn inlines(nodes: &[tree::Inline]) -> Vec<Inline> {
    let mut out = Vec::new();
    push_inlines(nodes, Style::default(), &mut out);
    out
}

fn push_inlines<'a>(nodes: &'a [tree::Inline], style: Style<'a>, out: &mut Vec<Inline>) {
    for node in nodes {
        match node {
            tree::Inline::Text(text) => push_text(out, text, style.marks(false)),
            tree::Inline::Code(code) => push_text(out, code, style.marks(true)),
            // Jira reflows paragraphs itself; a source line break inside a paragraph is a space.
            tree::Inline::SoftBreak => push_text(out, " ", style.marks(false)),
            tree::Inline::HardBreak => out.push(Inline::HardBreak),
            tree::Inline::Strong(children) => {
                push_inlines(children, Style { strong: true, ..style }, out);
            }
            tree::Inline::Emphasis(children) => {
                push_inlines(children, Style { em: true, ..style }, out);
            }
            tree::Inline::Strike(children) => {
                push_inlines(children, Style { strike: true, ..style }, out);
            }
            tree::Inline::Link { href, content } => {
                push_inlines(content, Style { link: Some(href), ..style }, out);
            }
        }
    }
}

/// Append text, merging with the previous text node when the marks match (the parser splits text at
/// entities and brackets, which would otherwise leave runs of tiny nodes). Empty text is never emitted.
fn push_text(out: &mut Vec<Inline>, text: &str, marks: Vec<Mark>) {
    if text.is_empty() {
        return;
    }
    if let Some(Inline::Text(last)) = out.last_mut()
        && last.marks == marks
    {
        last.text.push_str(text);
        return;
    }
    out.push(Inline::Text(Text { text: text.to_owned(), marks }));
}

impl From<Nested> for Block {
    fn from(node: Nested) -> Self {
        match node {
            Nested::Paragraph(p) => Block::Paragraph(p),
            Nested::BulletList(l) => Block::BulletList(l),
            Nested::OrderedList(l) => Block::OrderedList(l),
            Nested::CodeBlock(c) => Block::CodeBlock(c),
        }
    }
}
