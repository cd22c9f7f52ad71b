//! Knowledge-base articles from Markdown files: a folder of `*.md` files (or one file), one article each.
//!
//! The article id is the file name without `.md`; the title is the first `# heading` (or the file name when
//! there is none) and the body is the rest. Optional front matter at the top sets the URL (and may set the
//! id or title):
//!
//! ```text
//! ---
//! url: https://wiki.example.com/vpn-reset
//! ---
//! ```
//!
//! A lone `url: ...` first line works too.

use std::path::Path;

use anyhow::Context;

use super::fields::{Fields, Position, Record};

pub fn read(path: &Path) -> anyhow::Result<Vec<Record>> {
    let files = if path.is_dir() {
        let mut files: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read the folder {}", path.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("md")))
            .collect();
        files.sort();
        files
    } else {
        vec![path.to_path_buf()]
    };
    let mut records = Vec::with_capacity(files.len());
    for file in files {
        let name = file.file_name().map_or_else(|| file.display().to_string(), |n| n.to_string_lossy().into_owned());
        let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        let stem = file.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        let fields = match String::from_utf8(bytes) {
            Ok(text) => Ok(article(&stem, &text)),
            Err(_) => Err("is not valid UTF-8".to_owned()),
        };
        records.push(Record { position: Position { line: 1, file: Some(name) }, fields });
    }
    Ok(records)
}

/// The fields of one article, for the same validation as a CSV or JSON row.
fn article(stem: &str, text: &str) -> Fields {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (front, rest) = front_matter(text);
    let mut fields = Fields::default();
    fields.insert("article_id", stem);
    for (key, value) in front {
        if matches!(key.as_str(), "url" | "title" | "article_id" | "id") {
            fields.insert(if key == "id" { "article_id" } else { &key }, &value);
        }
    }
    let mut lines = rest.lines();
    let mut before = Vec::new();
    let mut title = None;
    let mut in_code = false;
    for line in lines.by_ref() {
        let trimmed = line.trim_start();
        // A `# comment` inside a fenced code block is not a heading.
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
        }
        if let Some(heading) = trimmed.strip_prefix("# ").filter(|_| !in_code) {
            title = Some(heading.trim().trim_end_matches('#').trim().to_owned());
            break;
        }
        before.push(line);
    }
    let after: Vec<&str> = lines.collect();
    let body = if title.is_some() { [before, after].concat().join("\n") } else { before.join("\n") };
    if fields.text("title").is_none() {
        fields.insert("title", &title.unwrap_or_else(|| stem.replace(['-', '_'], " ")));
    }
    fields.insert("body", &body);
    fields
}

/// `key: value` lines between `---` fences at the very top, or a lone `url:` first line; the rest of the text.
fn front_matter(text: &str) -> (Vec<(String, String)>, &str) {
    let pair = |line: &str| line.split_once(':').map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_owned()));
    if let Some(after_fence) = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n")) {
        let mut pairs = Vec::new();
        let mut offset = 0;
        for line in after_fence.split_inclusive('\n') {
            offset += line.len();
            if line.trim_end() == "---" {
                return (pairs, &after_fence[offset..]);
            }
            pairs.extend(pair(line));
        }
        // No closing fence: not front matter after all.
        return (Vec::new(), text);
    }
    let first = text.split_inclusive('\n').next().unwrap_or("");
    match pair(first) {
        Some((key, value)) if key == "url" => (vec![(key, value)], &text[first.len()..]),
        _ => (Vec::new(), text),
    }
}

#[cfg(test)]
mod tests {
    use super::article;

    #[test]
    fn title_is_the_first_heading_outside_code() {
        let fields = article("shell", "Intro\n```sh\n# not a title\n```\n# Real title\nBody");
        assert_eq!(fields.text("title"), Some("Real title"));
        assert_eq!(fields.text("body"), Some("Intro\n```sh\n# not a title\n```\nBody"));
        let fields = article("no_heading-here", "---\nurl: https://x.example.com/a\nid: kb-7\n---\nJust text");
        assert_eq!(fields.text("title"), Some("no heading here"));
        assert_eq!(fields.text("article_id"), Some("kb-7"));
        assert_eq!(fields.text("url"), Some("https://x.example.com/a"));
        assert_eq!(fields.text("body"), Some("Just text"));
    }
}
