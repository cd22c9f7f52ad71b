//! A structural validator for the ADF we emit, written from the ADF rules rather than from our types, so
//! the property tests can catch a writer that builds something Jira would reject.

use serde_json::{Map, Value};

/// Blocks allowed directly under `doc`.
const TOP_BLOCKS: &[&str] =
    &["paragraph", "heading", "bulletList", "orderedList", "codeBlock", "blockquote", "rule", "table"];
/// Blocks allowed in a `listItem` or `blockquote`.
const NESTED_BLOCKS: &[&str] = &["paragraph", "bulletList", "orderedList", "codeBlock"];
/// Blocks allowed in a table cell.
const CELL_BLOCKS: &[&str] = &["paragraph", "heading", "bulletList", "orderedList", "codeBlock", "blockquote", "rule"];
const INLINES: &[&str] = &["text", "hardBreak"];
const MARKS: &[&str] = &["strong", "em", "strike", "code", "link"];

/// Check a whole document; the error names the path of the first offending node.
pub(super) fn validate(doc: &Value) -> Result<(), String> {
    let node = object(doc, "doc")?;
    allowed_keys(node, &["type", "version", "content"], "doc")?;
    if node.get("type") != Some(&Value::from("doc")) || node.get("version") != Some(&Value::from(1)) {
        return Err("root must be {type: doc, version: 1}".into());
    }
    children(node, "doc", TOP_BLOCKS, false)
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, String> {
    value.as_object().ok_or_else(|| format!("{path}: not an object"))
}

fn allowed_keys(node: &Map<String, Value>, keys: &[&str], path: &str) -> Result<(), String> {
    match node.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(key) => Err(format!("{path}: unexpected key {key:?}")),
        None => Ok(()),
    }
}

/// Validate `node.content`: every child's type must be in `allowed`; `non_empty` requires at least one.
fn children(node: &Map<String, Value>, path: &str, allowed: &[&str], non_empty: bool) -> Result<(), String> {
    let content =
        node.get("content").and_then(Value::as_array).ok_or_else(|| format!("{path}: content must be an array"))?;
    if non_empty && content.is_empty() {
        return Err(format!("{path}: content must not be empty"));
    }
    for (i, child) in content.iter().enumerate() {
        let child_path = format!("{path}/{i}");
        let kind = object(child, &child_path)?
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("{child_path}: missing type"))?;
        if !allowed.contains(&kind) {
            return Err(format!("{child_path}: {kind} is not allowed here"));
        }
        validate_node(child, kind, &format!("{child_path}:{kind}"))?;
    }
    Ok(())
}

fn validate_node(value: &Value, kind: &str, path: &str) -> Result<(), String> {
    let node = object(value, path)?;
    let attrs = node.get("attrs");
    match kind {
        "paragraph" => {
            allowed_keys(node, &["type", "content"], path)?;
            children(node, path, INLINES, false)
        }
        "heading" => {
            allowed_keys(node, &["type", "attrs", "content"], path)?;
            let level = attrs.and_then(|a| a.get("level")).and_then(Value::as_u64);
            if !matches!(level, Some(1..=6)) {
                return Err(format!("{path}: level must be 1-6, got {level:?}"));
            }
            children(node, path, INLINES, false)
        }
        "bulletList" => {
            allowed_keys(node, &["type", "content"], path)?;
            children(node, path, &["listItem"], true)
        }
        "orderedList" => {
            allowed_keys(node, &["type", "attrs", "content"], path)?;
            if attrs.and_then(|a| a.get("order")).and_then(Value::as_u64).is_none() {
                return Err(format!("{path}: order must be a non-negative integer"));
            }
            children(node, path, &["listItem"], true)
        }
        "listItem" => {
            allowed_keys(node, &["type", "content"], path)?;
            children(node, path, NESTED_BLOCKS, true)?;
            let first = &node["content"][0]["type"];
            if first != "paragraph" {
                return Err(format!("{path}: must start with a paragraph, starts with {first}"));
            }
            Ok(())
        }
        "blockquote" => {
            allowed_keys(node, &["type", "content"], path)?;
            children(node, path, NESTED_BLOCKS, true)
        }
        "codeBlock" => {
            allowed_keys(node, &["type", "attrs", "content"], path)?;
            if let Some(attrs) = attrs {
                let language = attrs.get("language").and_then(Value::as_str);
                if language.is_none_or(str::is_empty) || attrs.as_object().is_none_or(|a| a.len() != 1) {
                    return Err(format!("{path}: attrs must be {{language: non-empty string}}"));
                }
            }
            children(node, path, &["text"], false)?;
            let marked = node["content"].as_array().into_iter().flatten().any(|t| t.get("marks").is_some());
            if marked {
                return Err(format!("{path}: code block text must not carry marks"));
            }
            Ok(())
        }
        "rule" | "hardBreak" => allowed_keys(node, &["type"], path),
        "table" => {
            allowed_keys(node, &["type", "attrs", "content"], path)?;
            children(node, path, &["tableRow"], true)
        }
        "tableRow" => {
            allowed_keys(node, &["type", "content"], path)?;
            children(node, path, &["tableHeader", "tableCell"], true)
        }
        "tableHeader" | "tableCell" => {
            allowed_keys(node, &["type", "attrs", "content"], path)?;
            children(node, path, CELL_BLOCKS, true)
        }
        "text" => validate_text(node, path),
        other => Err(format!("{path}: unknown node type {other}")),
    }
}

fn validate_text(node: &Map<String, Value>, path: &str) -> Result<(), String> {
    allowed_keys(node, &["type", "text", "marks"], path)?;
    match node.get("text").and_then(Value::as_str) {
        Some(text) if !text.is_empty() => {}
        _ => return Err(format!("{path}: text must be a non-empty string")),
    }
    let Some(marks) = node.get("marks") else {
        return Ok(());
    };
    let marks = marks.as_array().ok_or_else(|| format!("{path}: marks must be an array"))?;
    let mut kinds = Vec::new();
    for mark in marks {
        let kind = mark.get("type").and_then(Value::as_str).unwrap_or_default();
        if !MARKS.contains(&kind) {
            return Err(format!("{path}: unknown mark {kind:?}"));
        }
        if kinds.contains(&kind) {
            return Err(format!("{path}: duplicate mark {kind}"));
        }
        if kind == "link" {
            let href = mark.get("attrs").and_then(|a| a.get("href")).and_then(Value::as_str);
            if href.is_none_or(str::is_empty) {
                return Err(format!("{path}: link mark needs a non-empty href"));
            }
        } else if mark.as_object().is_some_and(|m| m.len() != 1) {
            return Err(format!("{path}: {kind} mark takes no attributes"));
        }
        kinds.push(kind);
    }
    if kinds.contains(&"code") && kinds.iter().any(|k| !matches!(*k, "code" | "link")) {
        return Err(format!("{path}: code mark combined with {kinds:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::validate;

    /// The validator must be able to fail, or the property test proves nothing.
    #[test]
    fn rejects_each_broken_rule() {
        let doc = |content| json!({"type": "doc", "version": 1, "content": content});
        let para = |content| json!({"type": "paragraph", "content": content});
        let broken = [
            json!({"type": "doc", "version": 2, "content": []}),
            doc(json!([{"type": "text", "text": "loose"}])),
            doc(json!([para(json!([{"type": "text", "text": ""}]))])),
            doc(json!([{"type": "heading", "attrs": {"level": 7}, "content": []}])),
            doc(json!([para(json!([{"type": "text", "text": "x", "marks": [{"type": "code"}, {"type": "strong"}]}]))])),
            doc(json!([para(json!([{"type": "text", "text": "x", "marks": [{"type": "em"}, {"type": "em"}]}]))])),
            doc(json!([para(json!([{"type": "text", "text": "x", "marks": [{"type": "link", "attrs": {}}]}]))])),
            doc(json!([{"type": "bulletList", "content": [{"type": "listItem", "content": [
                {"type": "bulletList", "content": [{"type": "listItem", "content": [para(json!([]))]}]}
            ]}]}])),
            doc(json!([{"type": "bulletList", "content": []}])),
            doc(
                json!([{"type": "blockquote", "content": [{"type": "heading", "attrs": {"level": 1}, "content": []}]}]),
            ),
            doc(
                json!([{"type": "codeBlock", "content": [{"type": "text", "text": "x", "marks": [{"type": "strong"}]}]}]),
            ),
            doc(
                json!([{"type": "table", "content": [{"type": "tableRow", "content": [{"type": "tableCell", "content": []}]}]}]),
            ),
            doc(json!([para(json!([{"type": "paragraph", "content": []}]))])),
            doc(json!([{"type": "mediaSingle", "content": []}])),
        ];
        for (i, doc) in broken.iter().enumerate() {
            assert!(validate(doc).is_err(), "case {i} passed: {doc}");
        }
    }

    #[test]
    fn accepts_the_reference_example() {
        let example = json!({"version": 1, "type": "doc", "content": [
            {"type": "heading", "attrs": {"level": 3}, "content": [{"type": "text", "text": "AI triage"}]},
            {"type": "paragraph", "content": [
                {"type": "text", "text": "High", "marks": [{"type": "strong"}]},
                {"type": "text", "text": "KB-42", "marks": [{"type": "link", "attrs": {"href": "https://kb.example.com/42"}}]}
            ]},
            {"type": "bulletList", "content": [
                {"type": "listItem", "content": [{"type": "paragraph", "content": [
                    {"type": "text", "text": "ost", "marks": [{"type": "code"}]}
                ]}]}
            ]},
            {"type": "codeBlock", "attrs": {"language": "powershell"}, "content": [{"type": "text", "text": "outlook.exe"}]}
        ]});
        assert_eq!(validate(&example), Ok(()));
    }
}
