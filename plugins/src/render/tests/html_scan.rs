//! A small, regex-free HTML tag scanner for asserting that sanitized output is inert. It relies on the
//! sanitizer's serialization: text never contains a raw `<`, attribute values are quoted.

/// One start or end tag.
#[derive(Debug)]
pub(super) struct ScannedTag {
    pub name: String,
    /// Lower-cased attribute names with their values.
    pub attrs: Vec<(String, String)>,
}

/// Tags Markdown itself produces; anything else in the output came from somewhere it should not.
const MARKDOWN_TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "a",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];
const MARKDOWN_ATTRS: &[&str] = &["href", "title", "rel", "start"];
const SCRIPT_SCHEMES: &[&str] = &["javascript:", "vbscript:", "data:"];

pub(super) fn scan_tags(html: &str) -> Vec<ScannedTag> {
    let chars: Vec<char> = html.chars().collect();
    let take_while = |i: &mut usize, keep: &dyn Fn(char) -> bool| {
        let start = *i;
        while *i < chars.len() && keep(chars[*i]) {
            *i += 1;
        }
        chars[start..*i].iter().collect::<String>()
    };
    let mut tags = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '<' {
            i += 1;
            continue;
        }
        i += 1;
        if chars.get(i) == Some(&'/') {
            i += 1;
        }
        let name = take_while(&mut i, &|c| c.is_ascii_alphanumeric()).to_ascii_lowercase();
        let mut attrs = Vec::new();
        loop {
            take_while(&mut i, &|c| c.is_whitespace() || c == '/');
            match chars.get(i) {
                None => break,
                Some('>') => {
                    i += 1;
                    break;
                }
                Some(_) => {}
            }
            let attr = take_while(&mut i, &|c| !(c.is_whitespace() || matches!(c, '=' | '>' | '/')));
            if attr.is_empty() {
                // A stray '=': step over it so the scan always advances.
                i += 1;
                continue;
            }
            take_while(&mut i, &char::is_whitespace);
            let mut value = String::new();
            if chars.get(i) == Some(&'=') {
                i += 1;
                take_while(&mut i, &char::is_whitespace);
                match chars.get(i).copied() {
                    Some(quote @ ('"' | '\'')) => {
                        i += 1;
                        value = take_while(&mut i, &|c| c != quote);
                        i += 1;
                    }
                    _ => value = take_while(&mut i, &|c| !(c.is_whitespace() || c == '>')),
                }
            }
            attrs.push((attr.to_ascii_lowercase(), value));
        }
        tags.push(ScannedTag { name, attrs });
    }
    tags
}

/// Panics with the offending HTML unless it holds only Markdown's own tags and attributes, no script
/// element, no `on*` event handler and no script URL.
pub(super) fn assert_inert(html: &str) {
    assert!(!html.to_ascii_lowercase().contains("<script"), "script tag in {html:?}");
    for tag in scan_tags(html) {
        assert!(MARKDOWN_TAGS.contains(&tag.name.as_str()), "tag <{}> in {html:?}", tag.name);
        for (name, value) in &tag.attrs {
            assert!(!name.starts_with("on"), "event handler {name} in {html:?}");
            assert!(MARKDOWN_ATTRS.contains(&name.as_str()), "attribute {name} in {html:?}");
            let value = value.trim().to_ascii_lowercase();
            assert!(!SCRIPT_SCHEMES.iter().any(|s| value.starts_with(s)), "script URL {value} in {html:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::panic::catch_unwind;

    use super::{assert_inert, scan_tags};

    #[test]
    fn scans_names_and_attribute_values() {
        let tags = scan_tags("<p>a &lt;b&gt;</p><a href=\"x y\" title='t onload=1' rel=z>q</a>");
        let names: Vec<&str> = tags.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["p", "p", "a", "a"]);
        assert_eq!(
            tags[2].attrs,
            [("href".into(), "x y".into()), ("title".into(), "t onload=1".into()), ("rel".into(), "z".into())]
        );
    }

    /// The checker must fail on active content, or the hostile and property tests prove nothing.
    #[test]
    fn rejects_active_content() {
        for html in [
            "<p><ScRipt>x</script></p>",
            "<img src=x OnError=alert(1)>",
            "<a href=\" JavaScript:alert(1)\">x</a>",
            "<p onclick=\"y\">x</p>",
            "<iframe></iframe>",
        ] {
            assert!(catch_unwind(|| assert_inert(html)).is_err(), "{html}");
        }
        assert_inert("<p>&lt;script&gt; onclick=\"y\" javascript:</p>");
    }
}
