//! Markdown -> sanitized HTML, for tools whose notes take HTML (ServiceDesk Plus, Zendesk, Freshservice,
//! ServiceNow journal fields).
//!
//! Two layers, because LLM output is hostile. First, raw HTML in the Markdown is turned into text before
//! rendering, so a model cannot smuggle markup through at all; the reader sees the literal tag. Second,
//! ammonia cleans the rendered HTML anyway, so a renderer bug or a `javascript:` link target cannot
//! produce active content either.

use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd, html};

use super::events;
use super::links::{AllowedLinks, LINK_SCHEMES};

/// ammonia's defaults (no scripts, styles or event handlers, `rel="noopener noreferrer"` on links), with URL
/// schemes narrowed to http, https and mailto (ammonia also allows ssh:, magnet:, tel:, ...) and relative
/// URLs removed: a kept link is always an absolute URL the policy permitted. Images go too: Markdown
/// images are rendered as links below, so an `<img>` reaching the sanitizer could only be a tracking pixel.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder.rm_tags(["img"]);
    builder.url_schemes(LINK_SCHEMES.into_iter().collect());
    builder.url_relative(ammonia::UrlRelative::Deny);
    builder
});

/// Render and sanitize.
pub(super) fn render(markdown: &str, allowed: &AllowedLinks) -> String {
    let mut unsafe_html = String::with_capacity(markdown.len() + markdown.len() / 2);
    html::push_html(&mut unsafe_html, neutralize(events::parse(markdown, allowed)).into_iter());
    SANITIZER.clean(&unsafe_html).to_string()
}

/// Rewrite the event stream so it can only produce the HTML Markdown itself defines: raw HTML becomes
/// text (an HTML block becomes a paragraph, line by line) and images become links to the image.
fn neutralize<'a>(events: impl Iterator<Item = Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::new();
    // Open links, counting images rendered as links: an image inside a link keeps only its alt text,
    // because nested anchors are invalid HTML.
    let mut open_links = 0_usize;
    // Per open image: the target and where its alt text starts, or `None` when it was not turned into a
    // link. An image without alt text shows its URL, so the link stays visible.
    let mut images: Vec<Option<(CowStr<'a>, usize)>> = Vec::new();
    let mut html_block: Option<String> = None;
    for event in events {
        match event {
            Event::Start(Tag::HtmlBlock) => html_block = Some(String::new()),
            Event::Html(text) if html_block.is_some() => {
                if let Some(block) = html_block.as_mut() {
                    block.push_str(&text);
                }
            }
            Event::End(TagEnd::HtmlBlock) => {
                if let Some(block) = html_block.take() {
                    push_literal_paragraph(&mut out, &block);
                }
            }
            Event::Html(text) | Event::InlineHtml(text) => out.push(Event::Text(text)),
            Event::Start(Tag::Link { .. }) => {
                open_links += 1;
                out.push(event);
            }
            Event::End(TagEnd::Link) => {
                open_links = open_links.saturating_sub(1);
                out.push(event);
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                if open_links > 0 {
                    images.push(None);
                } else {
                    open_links += 1;
                    images.push(Some((dest_url.clone(), out.len() + 1)));
                    out.push(Event::Start(Tag::Link { link_type, dest_url, title, id }));
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some(Some((dest_url, alt_start))) = images.pop() {
                    if out.len() == alt_start {
                        out.push(Event::Text(dest_url));
                    }
                    open_links = open_links.saturating_sub(1);
                    out.push(Event::End(TagEnd::Link));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn push_literal_paragraph<'a>(out: &mut Vec<Event<'a>>, block: &str) {
    let block = block.trim_end();
    if block.is_empty() {
        return;
    }
    out.push(Event::Start(Tag::Paragraph));
    for (i, line) in block.lines().enumerate() {
        if i > 0 {
            out.push(Event::HardBreak);
        }
        out.push(Event::Text(CowStr::from(line.to_owned())));
    }
    out.push(Event::End(TagEnd::Paragraph));
}
