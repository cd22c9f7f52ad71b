//! Property tests over every tool, through the conformance adapters: no plugin's `verify` accepts a webhook
//! whose body or proof was changed after signing (for header-secret tools the proof is the secret itself),
//! and no plugin's `extract` panics on any JSON value.

use enhancer_plugins::Plugins;
use enhancer_shared::tenant::TenantSettings;
use proptest::prelude::*;
use reqwest::header::HeaderValue;
use serde_json::{Map, Value};

use crate::conformance::{ADAPTERS, Secret, ToolAdapter};
use crate::helpers::{headers, now, webhook};

fn accepts(adapter: &dyn ToolAdapter, headers: &reqwest::header::HeaderMap, body: &[u8]) -> bool {
    let settings = adapter.settings();
    Plugins.get(adapter.kind()).verify(&webhook(headers, body, &settings), &adapter.keys()).is_ok()
}

fn sample(adapter: &dyn ToolAdapter, which: usize) -> Vec<u8> {
    let samples = adapter.samples();
    match which % 4 {
        0 => samples.created.body,
        1 => samples.updated.body,
        2 => samples.commented.body,
        _ => samples.self_authored.body,
    }
}

/// `value` with the character at `at` (modulo its length) replaced by `with`, or `None` when that would
/// not change what the value means (the same character up to ASCII case: hex digests are case-insensitive).
fn replace_char(value: &str, at: usize, with: char) -> Option<String> {
    let chars: Vec<char> = value.chars().collect();
    let index = at % chars.len().max(1);
    let old = *chars.get(index)?;
    if old.eq_ignore_ascii_case(&with) {
        return None;
    }
    Some(chars.iter().enumerate().map(|(i, c)| if i == index { with } else { *c }).collect())
}

/// Field names the extractors read, so generated values reach past the first lookup.
const KEYS: &[&str] = &[
    "type",
    "event",
    "webhookEvent",
    "issue_event_type_name",
    "issue",
    "key",
    "id",
    "fields",
    "summary",
    "priority",
    "name",
    "data",
    "ticket_id",
    "display_id",
    "request_id",
    "sys_id",
    "number",
    "table",
    "detail",
    "subject",
    "actor",
    "actor_id",
    "comment",
    "body",
    "html_body",
    "author",
    "accountId",
    "user",
    "timestamp",
    "time",
    "note",
    "work_note_marker",
    "sys_mod_count",
    "delivery_id",
    "updated_by",
    "updated_on",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[ -~]{0,24}".prop_map(Value::from),
        prop_oneof![
            Just("jira:issue_created"),
            Just("comment_created"),
            Just("zen:event-type:ticket.comment_added"),
            Just("ticket.commented"),
            Just("incident.commented"),
            Just("note_added"),
            Just("ticket-enhancer:0193a3b4-0000-7000-8000-000000000001"),
            Just("{{ticket.id}}"),
            Just("$id"),
        ]
        .prop_map(Value::from),
    ];
    let key = prop_oneof![3 => proptest::sample::select(KEYS).prop_map(str::to_owned), 1 => "[ -~]{0,8}"];
    leaf.prop_recursive(5, 96, 8, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_plugin_accepts_a_body_changed_after_signing(
        which in 0_usize..4,
        at in any::<usize>(),
        mask in 1_u8..=255,
    ) {
        for &adapter in ADAPTERS {
            let body = sample(adapter, which);
            let signed = adapter.sign(&body, Secret::Tenant, now());
            prop_assert!(accepts(adapter, &signed, &body), "{}: the untouched webhook", adapter.kind());
            let mut changed = body.clone();
            let index = at % changed.len();
            changed[index] ^= mask;
            prop_assert!(!accepts(adapter, &signed, &changed), "{}: byte {index} ^ {mask:#04x} accepted", adapter.kind());
        }
    }

    #[test]
    fn no_plugin_accepts_a_changed_signature_or_secret(
        which in 0_usize..4,
        header in any::<usize>(),
        at in any::<usize>(),
        with in proptest::char::ranges(vec!['0'..='9', 'a'..='z', 'A'..='Z'].into()),
    ) {
        for &adapter in ADAPTERS {
            let body = sample(adapter, which);
            let signed = adapter.sign(&body, Secret::Tenant, now());
            let names: Vec<_> = signed.keys().cloned().collect();
            let name = &names[header % names.len()];
            let value = signed[name].to_str().expect("the adapters sign with visible ASCII");
            let Some(mutated) = replace_char(value, at, with) else { continue };
            let mut tampered = signed.clone();
            tampered.insert(name, HeaderValue::from_str(&mutated).expect("ASCII"));
            prop_assert!(!accepts(adapter, &tampered, &body), "{}: {name}: {value:?} -> {mutated:?} accepted", adapter.kind());
        }
    }

    #[test]
    fn no_plugin_extract_panics_on_any_json(value in json_value()) {
        let body = serde_json::to_vec(&value).expect("a Value serializes");
        let settings = TenantSettings { integration_account_id: Some("bot".into()), ..TenantSettings::default() };
        let headers = headers(&[]);
        for tool in Plugins.all() {
            let _ = tool.extract(&webhook(&headers, &body, &settings));
        }
    }
}

#[test]
fn replace_char_skips_case_only_changes() {
    assert_eq!(replace_char("ab", 1, 'B'), None);
    assert_eq!(replace_char("ab", 1, 'c').as_deref(), Some("ac"));
    assert_eq!(replace_char("ab", 3, 'z').as_deref(), Some("az"));
}
