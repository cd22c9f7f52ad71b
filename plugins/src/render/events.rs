//! The one Markdown dialect every renderer reads: parser options plus the small event rewrites they share.

use pulldown_cmark::{Event, Options, Parser, TagEnd};

use super::links::{AllowedLinks, LinkDefuser};

/// Deeper nesting of block quotes, lists or emphasis than this is flattened into the enclosing element.
/// Nobody writes a note nested this deep (a list level counts twice: list and item), but hostile input
/// can nest tens of thousands of levels: the ADF and plain renderers recurse, and the HTML sanitizer's
/// parser slows down quadratically with depth (50 000 nested quotes took over a minute).
const MAX_DEPTH: usize = 32;

/// Tables and strikethrough are what LLM triage notes actually use. Everything else stays off on purpose:
/// task lists would render `<input>` elements, footnotes and heading attributes add syntax nobody writes
/// in a ticket note, and smart punctuation would change commands quoted outside code spans.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// Parse `markdown` into events, with nesting capped at [`MAX_DEPTH`] and `<br>` tags already turned
/// into hard breaks.
///
/// LLMs write `<br>` inside table cells because a cell cannot hold a newline. It is the one piece of raw
/// HTML whose intent is unambiguous, so every renderer honours it as a line break; all other raw HTML is
/// shown as literal text by the renderers themselves.
///
/// Links and images whose target `allowed` does not permit are already turned into text (see
/// [`LinkDefuser`]), so no renderer can make them clickable.
pub(crate) fn parse<'a>(markdown: &'a str, allowed: &'a AllowedLinks) -> impl Iterator<Item = Event<'a>> {
    let mut cap = DepthCap::default();
    let mut links = LinkDefuser::new(allowed);
    Parser::new_ext(markdown, options())
        .filter_map(move |event| cap.admit(event))
        .map(|event| match event {
            Event::InlineHtml(ref html) if is_line_break(html) => Event::HardBreak,
            other => other,
        })
        .flat_map(move |event| links.rewrite(event))
}

/// Drops the start and end events of self-nesting elements past [`MAX_DEPTH`]; their content stays and
/// lands in the nearest kept ancestor.
#[derive(Debug, Default)]
struct DepthCap {
    /// One entry per open self-nesting element: whether its start event was kept.
    open: Vec<bool>,
    kept: usize,
}

impl DepthCap {
    fn admit<'a>(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        match &event {
            Event::Start(tag) if nests_itself(tag.to_end()) => {
                let keep = self.kept < MAX_DEPTH;
                self.open.push(keep);
                self.kept += usize::from(keep);
                keep.then_some(event)
            }
            Event::End(end) if nests_itself(*end) => match self.open.pop() {
                Some(false) => None,
                Some(true) => {
                    self.kept -= 1;
                    Some(event)
                }
                None => Some(event),
            },
            _ => Some(event),
        }
    }
}

/// Elements that can contain themselves and so nest without bound. Paragraphs, headings, code blocks
/// and tables cannot, so they add at most a few levels.
fn nests_itself(end: TagEnd) -> bool {
    !matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::MetadataBlock(_)
    )
}

/// `<br>`, `<br/>`, `<br />`, any case.
fn is_line_break(html: &str) -> bool {
    let Some(inner) = html.strip_prefix('<').and_then(|s| s.strip_suffix('>')) else {
        return false;
    };
    let inner = inner.trim_end().trim_end_matches('/').trim_end();
    inner.eq_ignore_ascii_case("br")
}

#[cfg(test)]
mod tests {
    use pulldown_cmark::Event;

    use super::{MAX_DEPTH, is_line_break};
    use crate::render::links::AllowedLinks;

    fn parse(markdown: &str) -> impl Iterator<Item = Event<'_>> {
        static ANY: std::sync::LazyLock<AllowedLinks> = std::sync::LazyLock::new(AllowedLinks::any_safe);
        super::parse(markdown, &ANY)
    }

    #[test]
    fn caps_nesting_and_keeps_the_text() {
        let markdown = format!("{}deep", "> ".repeat(1000));
        let events: Vec<Event<'_>> = parse(&markdown).collect();
        let starts = events.iter().filter(|e| matches!(e, Event::Start(_))).count();
        let ends = events.iter().filter(|e| matches!(e, Event::End(_))).count();
        // The kept quotes plus the innermost paragraph, balanced.
        assert_eq!(starts, MAX_DEPTH + 1);
        assert_eq!(ends, starts);
        assert!(events.contains(&Event::Text("deep".into())));
    }

    #[test]
    fn recognises_only_line_break_tags() {
        for yes in ["<br>", "<BR>", "<br/>", "<br />", "<Br  / >"] {
            assert!(is_line_break(yes), "{yes}");
        }
        for no in ["<b>", "<br class=x>", "<brr>", "br", "</br>"] {
            assert!(!is_line_break(no), "{no}");
        }
    }
}
