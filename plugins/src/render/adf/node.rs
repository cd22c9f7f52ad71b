//! The subset of Atlassian Document Format we emit, as typed serde structs. The types encode the
//! structural rules where they can: code blocks hold only unmarked text, list items and block quotes hold
//! only the blocks ADF allows there, and marks are a closed set.

use serde::Serialize;

/// The root node: `{"type": "doc", "version": 1, "content": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "doc")]
pub(crate) struct Doc {
    pub version: u8,
    pub content: Vec<Block>,
}

/// A top-level block node.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum Block {
    Paragraph(Paragraph),
    Heading(Heading),
    BulletList(BulletList),
    OrderedList(OrderedList),
    CodeBlock(CodeBlock),
    Blockquote(Blockquote),
    Rule,
    Table(Table),
}

/// What ADF allows inside a `listItem` or a `blockquote`: no headings, rules, tables or nested quotes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum Nested {
    Paragraph(Paragraph),
    BulletList(BulletList),
    OrderedList(OrderedList),
    CodeBlock(CodeBlock),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Paragraph {
    pub content: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Heading {
    pub attrs: HeadingAttrs,
    pub content: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HeadingAttrs {
    /// 1 to 6.
    pub level: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct BulletList {
    pub content: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OrderedList {
    pub attrs: OrderedListAttrs,
    pub content: Vec<ListItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OrderedListAttrs {
    /// The number of the first item, as written in the Markdown.
    pub order: u64,
}

/// Invariant (kept by the writer): `content` is non-empty and starts with a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "listItem")]
pub(crate) struct ListItem {
    pub content: Vec<Nested>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CodeBlock {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attrs: Option<CodeBlockAttrs>,
    pub content: Vec<CodeText>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CodeBlockAttrs {
    pub language: String,
}

/// A text node that cannot carry marks, the only child a code block may have.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "text")]
pub(crate) struct CodeText {
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Blockquote {
    pub content: Vec<Nested>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Table {
    pub content: Vec<TableRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "tableRow")]
pub(crate) struct TableRow {
    pub content: Vec<TableCell>,
}

/// Invariant (kept by the writer): every cell holds exactly one paragraph, since ADF requires at least
/// one block and GFM cells hold only inline content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum TableCell {
    TableHeader { content: Vec<Nested> },
    TableCell { content: Vec<Nested> },
}

/// An inline node.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum Inline {
    /// Invariant (kept by the writer): `text` is never empty.
    Text(Text),
    HardBreak,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Text {
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub marks: Vec<Mark>,
}

/// Text marks. Invariant (kept by the writer): `Code` is combined with nothing but `Link`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub(crate) enum Mark {
    Code,
    Strong,
    Em,
    Strike,
    Link { attrs: LinkAttrs },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct LinkAttrs {
    pub href: String,
}
