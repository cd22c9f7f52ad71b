//! Small text helpers shared by plugins: flatten tool HTML to plain text (ticket descriptions go to the
//! LLM and the corpus as text) and escape text placed into HTML we send.

/// Plain text of an HTML fragment: tags dropped, block ends and `<br>` become newlines, `<script>` and
/// `<style>` contents removed, common entities decoded, runs of blank lines collapsed. Not a sanitizer:
/// the output is text and is treated as untrusted data downstream.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..start]));
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            // A lone '<' is text.
            out.push_str(&decode_entities(&rest[start..]));
            rest = "";
            break;
        };
        let tag = after[..end].trim().to_ascii_lowercase();
        let name: String = tag.trim_start_matches('/').chars().take_while(char::is_ascii_alphanumeric).collect();
        rest = &after[end + 1..];
        if !tag.starts_with('/') && (name == "script" || name == "style") {
            let close = format!("</{name}");
            rest = match rest.to_ascii_lowercase().find(&close) {
                Some(at) => rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
                None => "",
            };
            continue;
        }
        let block = matches!(
            name.as_str(),
            "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "pre" | "blockquote"
        );
        let breaks = name == "br" || (block && (tag.starts_with('/') || name == "li"));
        if breaks && (name == "br" || !out.ends_with('\n')) {
            out.push('\n');
        }
    }
    out.push_str(&decode_entities(rest));
    collapse_blank_lines(&out)
}

fn collapse_blank_lines(text: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim_end) {
        if line.trim().is_empty() && lines.last().is_none_or(|last| last.trim().is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|last| last.trim().is_empty()) {
        lines.pop();
    }
    lines.join("\n").trim().to_owned()
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let candidate = &rest[amp..];
        let decoded = candidate.find(';').filter(|semi| *semi <= 10).and_then(|semi| {
            let entity = &candidate[1..semi];
            let ch = match entity {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => entity
                    .strip_prefix("#x")
                    .or_else(|| entity.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| entity.strip_prefix('#').and_then(|dec| dec.parse().ok()))
                    .and_then(char::from_u32),
            };
            ch.map(|ch| (ch, semi))
        });
        match decoded {
            Some((ch, semi)) => {
                out.push(ch);
                rest = &candidate[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &candidate[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Escapes text for an HTML element body or a quoted attribute.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattens_html() {
        let html = "<div>Outlook keeps <b>crashing</b><br>on start</div><p>Tom &amp; Jerry &lt;3&#33;</p>\
                    <script>alert(1)</script><ul><li>one</li><li>two</li></ul>";
        assert_eq!(html_to_text(html), "Outlook keeps crashing\non start\nTom & Jerry <3!\none\ntwo");
    }

    #[test]
    fn survives_broken_markup() {
        assert_eq!(html_to_text("a < b"), "a < b");
        assert_eq!(html_to_text("x &bogus; y &"), "x &bogus; y &");
        assert_eq!(html_to_text("<script>never closed"), "");
        assert_eq!(html_to_text("é<SCRIPT>x</SCRIPT >ü"), "éü");
    }

    #[test]
    fn escapes() {
        assert_eq!(escape_html(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_never_leaves_tags(html in "(<[a-zA-Z/ ]{0,8}>|&[#a-z0-9]{0,6};?|[^<>&]{0,12}|é|<|>){0,40}") {
            let text = html_to_text(&html);
            proptest::prop_assert!(!text.contains("<script"));
        }
    }
}
