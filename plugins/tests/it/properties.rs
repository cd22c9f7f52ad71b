//! Property tests: no tool's `verify` or `extract` panics, whatever bytes and headers arrive.

use enhancer_plugins::{ConnectKeys, Plugins, VerifyKeys, WebhookRequest};
use enhancer_shared::tenant::TenantSettings;
use proptest::prelude::*;
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::helpers::now;

/// Header names every tool reads, so the generator hits the interesting paths.
const NAMES: &[&str] = &[
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "x-hub-signature",
    "authorization",
    "x-atlassian-webhook-identifier",
    "x-enhancer-secret",
    "x-enhancer-signature",
    "x-zendesk-webhook-signature",
    "x-zendesk-webhook-signature-timestamp",
    "x-zendesk-webhook-invocation-id",
    "x-sn-timestamp",
    "x-sn-signature",
];

fn header_map() -> impl Strategy<Value = HeaderMap> {
    let value = prop_oneof![
        "[ -~]{0,80}",
        "JWT [A-Za-z0-9_.-]{0,120}",
        "sha256=[0-9a-f]{0,70}",
        "Basic [A-Za-z0-9+/=]{0,60}",
        "v1,[A-Za-z0-9+/=]{0,50}( v1,[A-Za-z0-9+/=]{0,50})?",
        "[0-9]{0,12}",
        "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z",
    ];
    proptest::collection::vec((0..NAMES.len(), value), 0..6).prop_map(|pairs| {
        let mut map = HeaderMap::new();
        for (index, value) in pairs {
            if let Ok(value) = HeaderValue::from_str(&value) {
                map.append(HeaderName::from_static(NAMES[index]), value);
            }
        }
        map
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        // JSON-ish bodies reach deeper into the extractors.
        "\\{\"(type|event|webhookEvent|request_id|ticket_id|display_id|data|issue)\": ?(\"[ -~]{0,20}\"|[0-9]{1,5}|\\{\\}|null|\\[\\])\\}"
            .prop_map(String::into_bytes),
        Just(br#"{"type":"ticket.created","data":{"ticket_id":"x"}}"#.to_vec()),
        Just(br#"{"webhookEvent":"jira:issue_created","issue":{"key":"A-1","fields":{"priority":7}}}"#.to_vec()),
        Just(br#"{"event":"request_created","request_id":[1]}"#.to_vec()),
        Just(br#"{"event":"ticket_created","display_id":"INC-","ticket_id":{"x":1}}"#.to_vec()),
        Just(br##"{"event":"ticket_created","display_id":"#-7","priority":[4]}"##.to_vec()),
        Just(br#"{"type":"zen:event-type:ticket.created","detail":{"id":7,"priority":[]}}"#.to_vec()),
        Just(br#"{"type":"zen:event-type:","subject":"zen:ticket:"}"#.to_vec()),
    ]
}

fn keys() -> VerifyKeys<'static> {
    VerifyKeys {
        hmac_header: Some("x-enhancer-signature"),
        connect: Some(ConnectKeys { client_key: "ck", shared_secret: "ss" }),
        ..VerifyKeys::with_secret(crate::helpers::secret("whsec_c2VjcmV0"))
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn verify_and_extract_never_panic(
        headers in header_map(),
        body in body(),
        query in proptest::option::of("[ -~]{0,60}"),
        path in "/[ -~]{0,40}",
    ) {
        let plugins = Plugins;
        let settings = TenantSettings { integration_account_id: Some("bot".into()), ..TenantSettings::default() };
        let keys = keys();
        for tool in plugins.all() {
            let req = WebhookRequest::new(&Method::POST, &path, query.as_deref(), &headers, &body, &settings).at(now());
            let _ = tool.verify(&req, &keys);
            let _ = tool.verify(&req, &VerifyKeys::default());
            let _ = tool.extract(&req);
        }
    }
}

proptest! {
    #[test]
    fn canonical_requests_never_panic(method in "[A-Za-z]{0,7}", path in "[ -~]{0,60}", query in "[ -~]{0,80}") {
        let canonical = enhancer_plugins::jira::canonical_request(&method, &path, Some(&query));
        prop_assert!(canonical.starts_with(&method.to_ascii_uppercase()));
    }

    #[test]
    fn adf_flattening_never_panics(raw in "[\\[\\]{}\":,a-z0-9 ]{0,200}") {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(&raw) {
            let _ = enhancer_plugins::jira::adf_to_text(&value);
        }
    }
}
