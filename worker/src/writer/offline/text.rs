//! Text helpers of the offline writer: leading sentences, sentence splitting, and neutralizing Markdown in
//! ticket text (ticket text is data: it must not add links, headings, HTML or table cells to the note).

/// The first whole sentences of `text` (whitespace collapsed) within `max_chars`, or a cut with an ellipsis
/// when the first sentence alone is longer.
pub fn leading_sentences(text: &str, max_chars: usize) -> String {
    let text = one_line(text);
    let mut summary = String::new();
    for sentence in split_after(&text, &['.', '!', '?']) {
        if !summary.is_empty() && summary.chars().count() + sentence.chars().count() > max_chars {
            break;
        }
        summary.push_str(sentence);
    }
    if summary.chars().count() > max_chars {
        summary = summary.chars().take(max_chars).collect::<String>() + "…";
    }
    summary.trim().to_owned()
}

/// Whitespace, newlines included, collapsed to single spaces.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A resolution as separate steps: sentences and `;`-separated clauses, each capitalized and ending with a
/// full stop.
pub fn steps(text: &str) -> Vec<String> {
    split_after(&one_line(text), &['.', '!', '?', ';'])
        .into_iter()
        .map(|s| s.trim().trim_end_matches([';', '.']).trim())
        .filter(|s| s.chars().filter(|c| c.is_alphanumeric()).count() > 2)
        .map(|s| {
            let mut chars = s.chars();
            let first = chars.next().map(|c| c.to_uppercase().collect::<String>()).unwrap_or_default();
            format!("{first}{}.", chars.as_str())
        })
        .collect()
}

/// `text` cut after each terminator that is followed by a space or the end, so "6.1" and "10.20.30.40"
/// stay whole. The pieces keep their terminator and following space.
fn split_after<'a>(text: &'a str, terminators: &[char]) -> Vec<&'a str> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        let at_end = chars.peek().is_none_or(|(_, next)| next.is_whitespace());
        if terminators.contains(&c) && at_end {
            let end = chars.peek().map_or(text.len(), |(j, next)| j + next.len_utf8());
            pieces.push(&text[start..end]);
            start = end;
            chars.next();
        }
    }
    if start < text.len() {
        pieces.push(&text[start..]);
    }
    pieces
}

/// One line of ticket text made inert: characters that open links, images, emphasis, code, HTML or table
/// cells are backslash-escaped, and a leading `#`, `>`, `-`, `+` or `1.` cannot start a block.
pub fn inert(text: &str) -> String {
    let line = one_line(text);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '!' | '#') {
            out.push('\\');
        }
        out.push(c);
    }
    if out.starts_with(['-', '+', '='])
        || out.split_once(". ").is_some_and(|(n, _)| n.chars().all(|c| c.is_ascii_digit()))
    {
        out.insert(0, '\\');
    }
    out
}

/// At most `max_chars` characters of `text`, cut at a word with an ellipsis.
pub fn clip(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', '\\']))
}

/// A link target we are willing to print: http(s), no spaces or characters that end a Markdown link.
pub fn safe_url(url: &str) -> Option<&str> {
    let url = url.trim();
    let scheme = url.starts_with("https://") || url.starts_with("http://");
    let plain = !url.chars().any(|c| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"' | '\\'));
    (scheme && plain).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_takes_whole_leading_sentences() {
        let text = "The VPN drops every ten minutes.  Users in Berlin are affected! It started today.";
        assert_eq!(leading_sentences(text, 70), "The VPN drops every ten minutes. Users in Berlin are affected!");
        assert_eq!(leading_sentences(text, 40), "The VPN drops every ten minutes.");
        assert_eq!(leading_sentences("", 60), "");
        assert_eq!(leading_sentences("abcdefghij", 4), "abcd…");
        assert_eq!(
            leading_sentences("Client 6.1 at 10.2.3.4 fails. Since today.", 30),
            "Client 6.1 at 10.2.3.4 fails."
        );
    }

    #[test]
    fn resolutions_split_into_steps() {
        assert_eq!(
            steps("restarted the spooler; cleared the queue.\nPrinter back online. ok."),
            ["Restarted the spooler.", "Cleared the queue.", "Printer back online."]
        );
        assert_eq!(steps("Upgraded to 6.1; set keep-alive to 60s."), ["Upgraded to 6.1.", "Set keep-alive to 60s."]);
        assert!(steps("").is_empty());
    }

    #[test]
    fn ticket_text_cannot_inject_markdown() {
        assert_eq!(inert("[click](https://evil.example)"), "\\[click\\](https://evil.example)");
        assert_eq!(inert("# Heading\n<script>"), "\\# Heading \\<script\\>");
        assert_eq!(inert("- item"), "\\- item");
        assert_eq!(inert("1. item"), "\\1. item");
        assert_eq!(inert("a | b ![x](y)"), "a \\| b \\!\\[x\\](y)");
        assert_eq!(inert("NET::ERR_CERT"), "NET::ERR\\_CERT");
    }

    #[test]
    fn only_plain_web_links_are_printed() {
        assert_eq!(safe_url("https://kb.example.com/a"), Some("https://kb.example.com/a"));
        assert_eq!(safe_url("javascript:alert(1)"), None);
        assert_eq!(safe_url("https://x.example/a) [y](z"), None);
        assert_eq!(clip("one two three", 9), "one two…");
    }
}
