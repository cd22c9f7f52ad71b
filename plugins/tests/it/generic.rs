//! The generic Standard Webhooks tool: signature cases, payload extraction, and its JSON API on wiremock.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_plugins::generic::Generic;
use enhancer_plugins::{ExtractError, TicketingTool, ToolError, VerifyKeys, WebhookRequest};
use enhancer_shared::domain::{EventKind, Priority};
use enhancer_shared::error::Retryable;
use enhancer_shared::tenant::TenantSettings;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{MARKER, POST, api, fast_http, fixture, fixture_json, headers, note, now, ticket, webhook};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = STANDARD.decode(secret.trim_start_matches("whsec_")).expect("base64");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

fn signed_headers(body: &[u8], timestamp: i64) -> reqwest::header::HeaderMap {
    let signature = sign(SECRET, "msg_1", timestamp, body);
    headers(&[
        ("webhook-id", "msg_1"),
        ("webhook-timestamp", &timestamp.to_string()),
        ("webhook-signature", &signature),
    ])
}

fn verify(headers: &reqwest::header::HeaderMap, body: &[u8]) -> Result<(), enhancer_plugins::VerifyError> {
    let settings = TenantSettings::default();
    Generic.verify(&webhook(headers, body, &settings), &VerifyKeys::with_secret(crate::helpers::secret(SECRET)))
}

mod signatures {
    use super::*;

    #[test]
    fn standard_webhooks_reference_vector() {
        // The published Standard Webhooks / svix example.
        let body = br#"{"test": 2432232314}"#;
        let headers = headers(&[
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            ("webhook-timestamp", "1614265330"),
            ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
        ]);
        let settings = TenantSettings::default();
        let at = chrono::DateTime::from_timestamp(1_614_265_330, 0).expect("time");
        let req = WebhookRequest::new(&POST, "/webhooks/acme", None, &headers, body, &settings).at(at);
        assert!(Generic.verify(&req, &VerifyKeys::with_secret(crate::helpers::secret(SECRET))).is_ok());
    }

    #[test]
    fn valid_signature_passes() {
        let body = fixture("generic/ticket_created.json");
        assert!(verify(&signed_headers(&body, now().timestamp()), &body).is_ok());
    }

    #[test]
    fn one_of_several_signatures_suffices() {
        let body = fixture("generic/ticket_created.json");
        let ts = now().timestamp();
        let good = sign(SECRET, "msg_1", ts, &body);
        let old = sign("whsec_b2xkLXNlY3JldA==", "msg_1", ts, &body);
        let value = format!("v2,AAAA {old} {good}");
        let headers =
            headers(&[("webhook-id", "msg_1"), ("webhook-timestamp", &ts.to_string()), ("webhook-signature", &value)]);
        assert!(verify(&headers, &body).is_ok());
    }

    #[test]
    fn wrong_secret_fails() {
        let body = fixture("generic/ticket_created.json");
        let ts = now().timestamp();
        let bad = sign("whsec_b2xkLXNlY3JldA==", "msg_1", ts, &body);
        let headers =
            headers(&[("webhook-id", "msg_1"), ("webhook-timestamp", &ts.to_string()), ("webhook-signature", &bad)]);
        assert_eq!(verify(&headers, &body).expect_err("wrong secret").reason(), "signature mismatch");
    }

    #[test]
    fn body_changed_by_one_byte_fails() {
        let body = fixture("generic/ticket_created.json");
        let headers = signed_headers(&body, now().timestamp());
        let mut tampered = body;
        let last = tampered.len() - 2;
        tampered[last] ^= 0x01;
        assert!(verify(&headers, &tampered).is_err());
    }

    #[test]
    fn missing_headers_fail() {
        let body = fixture("generic/ticket_created.json");
        let full = signed_headers(&body, now().timestamp());
        for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            let mut partial = full.clone();
            partial.remove(name);
            assert!(verify(&partial, &body).is_err(), "without {name}");
        }
    }

    #[test]
    fn stale_or_future_timestamps_fail() {
        let body = fixture("generic/ticket_created.json");
        for offset in [-301, 301, -3600] {
            let err = verify(&signed_headers(&body, now().timestamp() + offset), &body).expect_err("window");
            assert_eq!(err.reason(), "stale timestamp", "offset {offset}");
        }
        assert!(verify(&signed_headers(&body, now().timestamp() - 299), &body).is_ok());
    }

    #[test]
    fn unusable_or_missing_secret_fails_closed() {
        let body = fixture("generic/ticket_created.json");
        let headers = signed_headers(&body, now().timestamp());
        let settings = TenantSettings::default();
        let req = webhook(&headers, &body, &settings);
        assert!(Generic.verify(&req, &VerifyKeys::default()).is_err());
        assert!(Generic.verify(&req, &VerifyKeys::with_secret(crate::helpers::secret("whsec_!!!"))).is_err());
        assert_eq!(
            Generic.verify(&req, &VerifyKeys::default()).expect_err("no secret").to_string(),
            "webhook verification failed"
        );
    }
}

mod extraction {
    use super::*;

    type Expectation = fn(&ExtractError) -> bool;

    #[test]
    fn created_event() {
        let body = fixture("generic/ticket_created.json");
        let headers = signed_headers(&body, now().timestamp());
        let settings = TenantSettings::default();
        let event = Generic.extract(&webhook(&headers, &body, &settings)).expect("extract");
        assert_eq!(event.ticket_id.as_str(), "4711");
        assert_eq!(event.kind, EventKind::Created);
        assert_eq!(event.priority, Priority::High);
        assert_eq!(event.actor.as_deref(), Some("alice@example.com"));
        assert_eq!(event.idempotency_key.as_deref(), Some("msg_1"));
        assert_eq!(event.occurred_at, Some(now()));
        assert!(!event.self_authored);
    }

    #[test]
    fn our_own_comment_is_self_authored() {
        let body = fixture("generic/ticket_commented.json");
        let headers = signed_headers(&body, now().timestamp());
        // By marker alone (no integration account configured), and by account alone.
        let settings = TenantSettings::default();
        let event = Generic.extract(&webhook(&headers, &body, &settings)).expect("extract");
        assert_eq!(event.kind, EventKind::Commented);
        assert_eq!(event.ticket_id.as_str(), "4711");
        assert!(event.self_authored);

        let plain = br#"{"type":"ticket.updated","data":{"ticket_id":"1","actor":"Enhancer-Bot"}}"#;
        let settings = crate::helpers::settings_with_account("enhancer-bot");
        assert!(Generic.extract(&webhook(&headers, plain, &settings)).expect("extract").self_authored);
    }

    #[test]
    fn bad_payloads() {
        let headers = headers(&[]);
        let settings = TenantSettings::default();
        let cases: [(&[u8], Expectation); 5] = [
            (b"not json", |e| matches!(e, ExtractError::Malformed(_))),
            (br#"{"type":"ticket.created","data":{}}"#, |e| matches!(e, ExtractError::Malformed(_))),
            (br#"{"type":"ticket.created","data":{"ticket_id":"a/b"}}"#, |e| matches!(e, ExtractError::Malformed(_))),
            (br#"{"type":"ticket.deleted","data":{"ticket_id":"1"}}"#, |e| matches!(e, ExtractError::Unsupported(_))),
            (br#"[1,2]"#, |e| matches!(e, ExtractError::Malformed(_))),
        ];
        for (body, expected) in cases {
            let err = Generic.extract(&webhook(&headers, body, &settings)).expect_err("bad payload");
            assert!(expected(&err), "{err:?} for {}", String::from_utf8_lossy(body));
        }
    }
}

mod api_calls {
    use super::*;

    #[tokio::test]
    async fn get_ticket_with_bearer_token() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/tickets/4711"))
            .and(header("authorization", "Bearer cb-token"))
            .and(header("accept", "application/json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("generic/ticket.json")))
            .expect(1)
            .mount(&server)
            .await;
        let http = fast_http();
        let settings = TenantSettings::default();
        let api = api(&http, &server.uri(), &[("callback_token", "cb-token")], &settings);
        let ticket = Generic.get_ticket(&api, &ticket("4711")).await.expect("ticket");
        assert_eq!(ticket.subject, "VPN drops every 10 minutes from 10.20.30.40");
        assert_eq!(ticket.priority, Priority::Critical);
        assert_eq!(ticket.requester.as_deref(), Some("alice@example.com"));
        assert_eq!(ticket.url.as_deref(), Some("https://helpdesk.example.com/tickets/4711"));
        assert!(ticket.description.contains("LT-0042"));
        assert_eq!(ticket.resolution, None);
    }

    #[tokio::test]
    async fn get_ticket_reads_the_optional_resolution() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/tickets/4711"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("generic/ticket_resolved.json")))
            .mount(&server)
            .await;
        let http = fast_http();
        let settings = TenantSettings::default();
        let api = api(&http, &server.uri(), &[], &settings);
        let ticket = Generic.get_ticket(&api, &ticket("4711")).await.expect("ticket");
        assert!(ticket.resolution.as_deref().is_some_and(|r| r.starts_with("Raised the VPN concentrator")));
        assert_eq!(ticket.status.as_deref(), Some("resolved"));
    }

    #[tokio::test]
    async fn no_token_means_no_authorization_header() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/base/tickets/4711"))
            .and(|req: &Request| !req.headers.contains_key("authorization"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("generic/ticket.json")))
            .expect(1)
            .mount(&server)
            .await;
        let http = fast_http();
        let settings = TenantSettings::default();
        let api = api(&http, &format!("{}/base/", server.uri()), &[], &settings);
        assert!(Generic.get_ticket(&api, &ticket("4711")).await.is_ok());
    }

    #[tokio::test]
    async fn post_note_sends_internal_json_with_marker() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/notes"))
            .and(header("content-type", "application/json"))
            .and(header("idempotency-key", MARKER))
            .and(header("authorization", "Bearer cb-token"))
            .and(body_partial_json(json!({"ticket_id": "4711", "marker": MARKER, "internal": true})))
            .and(|req: &Request| {
                let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
                ["body_markdown", "body_html", "body_text"]
                    .iter()
                    .all(|key| body[key].as_str().is_some_and(|text| text.contains(MARKER)))
            })
            .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": "n-9"})))
            .expect(1)
            .mount(&server)
            .await;
        let http = fast_http();
        let settings = TenantSettings::default();
        let api = api(&http, &server.uri(), &[("callback_token", "cb-token")], &settings);
        let note_ref = Generic.post_note(&api, &ticket("4711"), &note()).await.expect("posted");
        assert_eq!(note_ref.0, "n-9");
    }

    #[tokio::test]
    async fn find_note_by_marker() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/tickets/4711/notes"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture_json("generic/notes.json")))
            .mount(&server)
            .await;
        let http = fast_http();
        let settings = TenantSettings::default();
        let api = api(&http, &server.uri(), &[], &settings);
        let found = Generic.find_note(&api, &ticket("4711"), MARKER).await.expect("listed");
        assert_eq!(found.map(|n| n.0).as_deref(), Some("2"));
        let missing = Generic.find_note(&api, &ticket("4711"), "ticket-enhancer:other").await.expect("listed");
        assert!(missing.is_none());
    }

    #[tokio::test]
    async fn ticket_errors_are_classified() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/tickets/404"))
            .respond_with(ResponseTemplate::new(404).set_body_string("no such ticket"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/tickets/bad"))
            .respond_with(ResponseTemplate::new(200).set_body_string("{\"id\": "))
            .mount(&server)
            .await;
        let http = fast_http();
        let settings = TenantSettings::default();
        let api = api(&http, &server.uri(), &[], &settings);
        let err = Generic.get_ticket(&api, &ticket("404")).await.expect_err("404");
        assert!(matches!(err, ToolError::Status { status: 404, .. }), "{err:?}");
        assert!(!err.disposition().is_transient());
        let err = Generic.get_ticket(&api, &ticket("bad")).await.expect_err("malformed");
        assert!(matches!(err, ToolError::Malformed(_)), "{err:?}");
        assert!(!err.disposition().is_transient());
    }
}
