//! One input row before validation: where it came from and its fields as text, plus the checks every kind
//! of row shares (required text, one-of values, timestamps, URLs).

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// Where a row is in the input: its line (CSV, JSON) and, for a folder of Markdown files, the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub file: Option<String>,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}:{}", self.line),
            None => write!(f, "line {}", self.line),
        }
    }
}

/// A row as read, or why it could not even be read as a row.
#[derive(Debug)]
pub struct Record {
    pub position: Position,
    pub fields: Result<Fields, String>,
}

/// Field name (lower case) to value; blank values are left out, so "absent" and "empty" read the same.
#[derive(Debug, Default)]
pub struct Fields(BTreeMap<String, String>);

impl Fields {
    pub fn insert(&mut self, name: &str, value: &str) {
        let value = value.trim();
        if !value.is_empty() {
            self.0.insert(name.trim().to_lowercase(), value.to_owned());
        }
    }

    /// Refuses a field the kind does not know, so a misspelt column does not silently drop data.
    pub fn check_known(&self, known: &[&str]) -> Result<(), String> {
        match self.0.keys().find(|name| !known.contains(&name.as_str())) {
            Some(name) => Err(format!("unknown field {name:?} (known: {})", known.join(", "))),
            None => Ok(()),
        }
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn owned(&self, name: &str) -> Option<String> {
        self.text(name).map(str::to_owned)
    }

    pub fn required(&self, name: &str) -> Result<&str, String> {
        self.text(name).ok_or_else(|| format!("{name} is missing or empty"))
    }

    /// An identifier: at most 200 characters, no control characters.
    pub fn id(&self, name: &str) -> Result<String, String> {
        let id = self.required(name)?;
        if id.chars().count() > 200 || id.chars().any(char::is_control) {
            return Err(format!("{name} must be at most 200 characters without control characters"));
        }
        Ok(id.to_owned())
    }

    /// One of `allowed`, compared case-insensitively and returned in lower case.
    pub fn one_of(&self, name: &str, allowed: &[&'static str]) -> Result<Option<&'static str>, String> {
        let Some(value) = self.text(name) else { return Ok(None) };
        let lower = value.to_lowercase();
        match allowed.iter().find(|a| **a == lower) {
            Some(found) => Ok(Some(found)),
            None => Err(format!("{name} must be one of {}, not {value:?}", allowed.join(", "))),
        }
    }

    /// RFC 3339 (`2026-11-02T09:30:00Z`), or `2026-11-02 09:30:00` or `2026-11-02` taken as UTC.
    pub fn timestamp(&self, name: &str) -> Result<Option<DateTime<Utc>>, String> {
        let Some(value) = self.text(name) else { return Ok(None) };
        if let Ok(at) = DateTime::parse_from_rfc3339(value) {
            return Ok(Some(at.with_timezone(&Utc)));
        }
        for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
            if let Ok(at) = NaiveDateTime::parse_from_str(value, format) {
                return Ok(Some(at.and_utc()));
            }
        }
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(day) => Ok(day.and_hms_opt(0, 0, 0).map(|at| at.and_utc())),
            Err(_) => Err(format!("{name} must be an RFC 3339 time or YYYY-MM-DD, not {value:?}")),
        }
    }

    /// An absolute http or https URL.
    pub fn url(&self, name: &str) -> Result<Option<String>, String> {
        let Some(value) = self.text(name) else { return Ok(None) };
        match url::Url::parse(value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Ok(Some(url.to_string())),
            _ => Err(format!("{name} must be an absolute http(s) URL, not {value:?}")),
        }
    }
}
