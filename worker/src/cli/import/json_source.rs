//! JSON input: an array of objects, or objects one after another (JSON Lines). Each object is one row,
//! numbered by the line it starts on. A syntax error refuses the whole file, before anything is written.

use anyhow::bail;
use serde_json::Value;

use super::fields::{Fields, Position, Record};

pub fn read(text: &str) -> anyhow::Result<Vec<Record>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut records = Vec::new();
    let mut lines = Lines { text, counted_to: 0, line: 1 };
    let mut pos = skip_whitespace(text, 0);
    let in_array = text[pos..].starts_with('[');
    if in_array {
        pos = skip_whitespace(text, pos + 1);
        if text[pos..].starts_with(']') {
            return expect_end(text, pos + 1).map(|()| records);
        }
    }
    while pos < text.len() {
        let line = lines.at(pos);
        let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
        let value = match stream.next() {
            Some(Ok(value)) => value,
            Some(Err(err)) => bail!("the JSON is malformed at line {}: {err}", line + err.line().saturating_sub(1)),
            None => bail!("the JSON ends early at line {line}"),
        };
        pos = skip_whitespace(text, pos + stream.byte_offset());
        records.push(Record { position: Position { line, file: None }, fields: fields(value) });
        if in_array {
            match text[pos..].chars().next() {
                Some(',') => pos = skip_whitespace(text, pos + 1),
                Some(']') => return expect_end(text, pos + 1).map(|()| records),
                _ => bail!("the JSON array expects `,` or `]` at line {}", lines.at(pos)),
            }
        }
    }
    if in_array {
        bail!("the JSON array is not closed");
    }
    Ok(records)
}

fn fields(value: Value) -> Result<Fields, String> {
    let Value::Object(object) = value else { return Err("is not a JSON object".into()) };
    let mut fields = Fields::default();
    for (name, value) in object {
        match value {
            Value::Null => {}
            Value::String(text) => fields.insert(&name, &text),
            Value::Number(n) => fields.insert(&name, &n.to_string()),
            Value::Bool(b) => fields.insert(&name, &b.to_string()),
            Value::Array(_) | Value::Object(_) => return Err(format!("{name} must be text, not a list or object")),
        }
    }
    Ok(fields)
}

fn expect_end(text: &str, pos: usize) -> anyhow::Result<()> {
    let pos = skip_whitespace(text, pos);
    if pos < text.len() {
        bail!("unexpected text after the JSON array at line {}", Lines { text, counted_to: 0, line: 1 }.at(pos));
    }
    Ok(())
}

fn skip_whitespace(text: &str, pos: usize) -> usize {
    text[pos..].find(|c: char| !c.is_whitespace()).map_or(text.len(), |n| pos + n)
}

/// The 1-based line of a byte offset, counted incrementally so that a large file stays linear.
struct Lines<'a> {
    text: &'a str,
    counted_to: usize,
    line: usize,
}

impl Lines<'_> {
    /// The line of `pos`; positions are asked for in increasing order.
    fn at(&mut self, pos: usize) -> usize {
        let pos = pos.max(self.counted_to);
        self.line += self.text.as_bytes()[self.counted_to..pos].iter().filter(|&&b| b == b'\n').count();
        self.counted_to = pos;
        self.line
    }
}
