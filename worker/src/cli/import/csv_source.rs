//! CSV input: a header row names the columns (any order, case-insensitive); every later record is one row,
//! numbered by the line it starts on (a quoted field may span lines).

use anyhow::{Context, bail};

use super::fields::{Fields, Position, Record};

/// Reads every record. A header that names an unknown column or lacks a required one refuses the whole
/// file, before anything is written; a malformed record is rejected alone.
pub fn read(bytes: &[u8], known: &[&str], required: &[&str]) -> anyhow::Result<Vec<Record>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = reader
        .byte_headers()
        .context("cannot read the CSV header row")?
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_lowercase())
        .collect();
    if let Some(unknown) = headers.iter().find(|h| !known.contains(&h.as_str())) {
        bail!("the CSV header names an unknown column {unknown:?}; the columns are {}", known.join(", "));
    }
    let missing: Vec<&str> = required.iter().copied().filter(|r| !headers.iter().any(|h| h == r)).collect();
    if !missing.is_empty() {
        bail!("the CSV header lacks the required column(s) {}", missing.join(", "));
    }
    let mut records = Vec::new();
    for result in reader.byte_records() {
        let (line, fields) = match result {
            Ok(record) => {
                let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                (line, fields(&headers, &record))
            }
            Err(err) => {
                let line = err.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX));
                (line, Err(format!("unreadable CSV record: {err}")))
            }
        };
        records.push(Record { position: Position { line, file: None }, fields });
    }
    Ok(records)
}

fn fields(headers: &[String], record: &csv::ByteRecord) -> Result<Fields, String> {
    if record.len() != headers.len() {
        return Err(format!("has {} fields but the header has {}", record.len(), headers.len()));
    }
    let mut fields = Fields::default();
    for (name, value) in headers.iter().zip(record) {
        let value = std::str::from_utf8(value).map_err(|_| format!("{name} is not valid UTF-8"))?;
        fields.insert(name, value);
    }
    Ok(fields)
}
