//! Loop prevention: the note we post fires an "updated"/"commented" webhook of its own. `extract` marks such
//! events `self_authored` when the integration account caused them or when a note/comment field of the
//! payload carries our FULL marker (`ticket-enhancer:<uuid>`, as `Note::marker_for` writes it).
//!
//! Only note and comment text is searched, never the subject or description: a requester who types
//! `ticket-enhancer:` (or even a whole marker) into a subject must not be able to switch enhancement off for
//! their ticket. Each plugin's `extract` passes the fields its tool puts our note into (see [`texts_at`]).

use enhancer_shared::tenant::TenantSettings;
use serde_json::Value;

/// Every note marker starts with this (`Note::marker_for` writes `ticket-enhancer:<uuid>`).
pub const MARKER_PREFIX: &str = "ticket-enhancer:";

/// Length of a hyphenated UUID (`0193a3b4-0000-7000-8000-000000000001`), the part after the prefix.
const UUID_LEN: usize = 36;

/// Whether the event was caused by our own integration: the actor is the tenant's integration account
/// (compared case-insensitively: e-mail addresses and logins differ in case between tools), or one of
/// `note_texts` (the note/comment fields of the payload, nothing else) carries our full marker.
pub fn is_self_authored(actor: Option<&str>, note_texts: &[&str], settings: &TenantSettings) -> bool {
    let by_account = match (actor.map(str::trim), settings.integration_account_id.as_deref().map(str::trim)) {
        (Some(actor), Some(account)) => !account.is_empty() && actor.eq_ignore_ascii_case(account),
        _ => false,
    };
    by_account || note_texts.iter().any(|text| carries_marker(text))
}

/// Whether `text` contains `ticket-enhancer:` followed by a hyphenated UUID (our marker, not just the prefix).
pub fn carries_marker(text: &str) -> bool {
    text.match_indices(MARKER_PREFIX).any(|(at, _)| {
        let rest = &text[at + MARKER_PREFIX.len()..];
        rest.get(..UUID_LEN).is_some_and(is_hyphenated_uuid)
    })
}

/// `8-4-4-4-12` hex digits, the form `Uuid`'s `Display` writes.
fn is_hyphenated_uuid(candidate: &str) -> bool {
    candidate.bytes().enumerate().all(|(i, b)| match i {
        8 | 13 | 18 | 23 => b == b'-',
        _ => b.is_ascii_hexdigit(),
    })
}

/// Every string under each of `paths` in `payload` (the value itself when it is a string, else every string
/// leaf below it: Jira Cloud sends comment bodies as ADF documents, whose text sits in nested nodes).
pub(crate) fn texts_at<'v>(payload: &'v Value, paths: &[&[&str]]) -> Vec<&'v str> {
    let mut texts = Vec::new();
    for path in paths {
        if let Some(node) = crate::payload::at(payload, path) {
            collect_strings(node, &mut texts);
        }
    }
    texts
}

fn collect_strings<'v>(node: &'v Value, into: &mut Vec<&'v str>) {
    match node {
        Value::String(text) => into.push(text),
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, into)),
        Value::Object(fields) => fields.values().for_each(|value| collect_strings(value, into)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const MARKER: &str = "ticket-enhancer:0193a3b4-0000-7000-8000-000000000001";

    #[test]
    fn account_or_full_marker() {
        let settings =
            TenantSettings { integration_account_id: Some("Bot@Acme.com".into()), ..TenantSettings::default() };
        assert!(is_self_authored(Some("bot@acme.com"), &[], &settings));
        assert!(!is_self_authored(Some("alice@acme.com"), &[], &settings));
        assert!(is_self_authored(Some("alice"), &[&format!("x {MARKER}")], &settings));
        assert!(!is_self_authored(None, &[], &TenantSettings::default()));
    }

    #[test]
    fn the_prefix_alone_is_not_our_marker() {
        assert!(!carries_marker("see ticket-enhancer:0190"));
        assert!(!carries_marker("ticket-enhancer: is our bot"));
        assert!(!carries_marker("ticket-enhancer:"));
        assert!(!carries_marker("ticket-enhancer:zzzzzzzz-0000-7000-8000-000000000001"));
        assert!(carries_marker(&format!("<p><small>{MARKER}</small></p>")));
        assert!(carries_marker(&format!("ticket-enhancer: ticket-enhancer:x {MARKER}")));
        assert!(carries_marker("…ticket-enhancer:00000000-0000-0000-0000-000000000000"));
    }

    #[test]
    fn texts_are_read_from_the_named_fields_only() {
        let payload = json!({
            "subject": MARKER,
            "comment": {"body": {"type": "doc", "content": [{"type": "text", "text": MARKER}]}},
        });
        assert!(texts_at(&payload, &[&["comment", "body"]]).contains(&MARKER));
        assert!(texts_at(&payload, &[&["note"]]).is_empty());
    }

    #[test]
    fn marker_prefix_matches_the_shared_marker() {
        let marker = enhancer_shared::domain::Note::marker_for(uuid::Uuid::now_v7());
        assert!(carries_marker(&marker), "{marker}");
        assert!(marker.starts_with(MARKER_PREFIX), "{marker}");
    }
}
