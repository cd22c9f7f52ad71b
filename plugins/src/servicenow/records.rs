//! Reading Table API records: the tenant's table, sys_id vs number, and field values, which are strings,
//! reference fields `{"link": ..., "value": ...}`, or `{"display_value": ..., "value": ...}` pairs.

use enhancer_shared::domain::TicketId;
use enhancer_shared::tenant::TenantSettings;
use serde_json::Value;

/// The table whose records are the tenant's tickets.
pub(super) fn table(settings: &TenantSettings) -> &str {
    settings.servicenow.as_ref().map_or("incident", |servicenow| servicenow.table.as_str())
}

/// A sys_id is 32 hex digits; anything else is taken for a record number (`INC0010001`).
pub(super) fn is_sys_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A ticket id that is a record number safe to place in an encoded query (`^` would add conditions).
pub(super) fn number(id: &TicketId) -> Option<&str> {
    let id = id.as_str();
    id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')).then_some(id)
}

/// A field's raw value as text: a string, or the `value` of a reference / display-value object. Blank is
/// `None`.
pub(super) fn field<'v>(record: &'v Value, name: &str) -> Option<&'v str> {
    let value = record.get(name)?;
    let text = match value {
        Value::String(text) => text.as_str(),
        Value::Object(object) => object.get("value").and_then(Value::as_str)?,
        _ => return None,
    };
    Some(text.trim()).filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_plain_reference_and_display_fields() {
        let record = json!({
            "a": " x ",
            "b": {"link": "https://i.service-now.com/api/now/table/sys_user/1", "value": "abc"},
            "c": {"display_value": "1 - Critical", "value": "1"},
            "d": "",
            "e": 5
        });
        assert_eq!(field(&record, "a"), Some("x"));
        assert_eq!(field(&record, "b"), Some("abc"));
        assert_eq!(field(&record, "c"), Some("1"));
        assert_eq!(field(&record, "d"), None);
        assert_eq!(field(&record, "e"), None);
        assert_eq!(field(&record, "missing"), None);
    }

    #[test]
    fn tells_sys_ids_from_numbers() {
        assert!(is_sys_id("9c573169c611228700193229fff72400"));
        assert!(!is_sys_id("INC0000001"));
        let number_id = TicketId::parse("INC0000001").expect("id");
        assert_eq!(number(&number_id), Some("INC0000001"));
        let injected = TicketId::parse("INC1^ORactive=true").expect("id");
        assert_eq!(number(&injected), None);
    }
}
