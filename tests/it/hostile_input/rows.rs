//! The table: every row a hostile (or, where the point is a replay, valid) request and its allowed answers.

use std::sync::atomic::{AtomicU32, Ordering};

use enhancer_shared::domain::ToolKind;
use enhancer_tests::signing::{self, GENERIC_SECRET};
use enhancer_tests::tool_webhooks::{Webhook, created, default_secret, ticket_id};
use serde_json::json;

use super::Row;
use super::jwt::{self, Signature};

const UNAUTHORIZED: &[u16] = &[401];
const ACCEPTED: &[u16] = &[202];
const DUPLICATE: &[u16] = &[200];
const MALFORMED: &[u16] = &[400];
const TOO_LARGE: &[u16] = &[413];
const UNKNOWN_TENANT: &[u16] = &[404];
/// An odd ticket id: refused as malformed, or (a plugin that does not handle the shape) ignored.
const BAD_TICKET: &[u16] = &[400, 200];
/// A header block larger than the server reads: refused by hyper (431) or as a bad request, or, while the
/// server still reads it, refused by the signature check because the request is unsigned.
const HUGE_HEADER: &[u16] = &[431, 400, 401];
const TOO_MANY_HEADERS: &[u16] = &[431, 400];

const GENERIC: &str = "t-generic";
const JIRA: &str = "t-jira";
const CONNECT: &str = "t-jira-connect";
const ZENDESK: &str = "t-zendesk";
const SERVICENOW: &str = "t-servicenow";
const SDP: &str = "t-sdp";
const FRESHSERVICE: &str = "t-freshservice";

const TOOLS: [(&str, ToolKind); 6] = [
    (GENERIC, ToolKind::Generic),
    (JIRA, ToolKind::Jira),
    (ZENDESK, ToolKind::Zendesk),
    (SERVICENOW, ToolKind::ServiceNow),
    (SDP, ToolKind::ServicedeskPlus),
    (FRESHSERVICE, ToolKind::Freshservice),
];

/// The subject of every generated webhook; tampering flips one of its bytes.
const SUBJECT: &str = "Printer on floor 3 is on fire";

pub fn all() -> Vec<Row> {
    let mut rows = Vec::new();
    rows.extend(forged());
    rows.extend(tampered());
    rows.extend(stale());
    rows.extend(replayed());
    rows.extend(connect_jwts());
    rows.extend(oversize());
    rows.extend(nested());
    rows.extend(not_utf8());
    rows.extend(content_types());
    rows.extend(huge_headers());
    rows.extend(tenant_ids());
    rows.extend(ticket_ids());
    rows
}

/// A fresh, validly signed "ticket created" webhook of `kind` (a new ticket and delivery id every call).
fn valid(kind: ToolKind) -> Webhook {
    valid_for(kind, &ticket_id(kind, next()))
}

fn valid_for(kind: ToolKind, ticket: &str) -> Webhook {
    created(kind, default_secret(kind), ticket, &format!("delivery-{}", next()), SUBJECT)
}

fn next() -> u32 {
    static N: AtomicU32 = AtomicU32::new(1000);
    N.fetch_add(1, Ordering::Relaxed)
}

/// The headers that carry `kind`'s signature or shared secret.
fn auth_headers(kind: ToolKind) -> &'static [&'static str] {
    match kind {
        ToolKind::Generic => &["webhook-id", "webhook-timestamp", "webhook-signature"],
        ToolKind::Jira => &["x-hub-signature"],
        ToolKind::Zendesk => &["x-zendesk-webhook-signature", "x-zendesk-webhook-signature-timestamp"],
        ToolKind::ServiceNow => &["x-sn-timestamp", "x-sn-signature"],
        ToolKind::ServicedeskPlus | ToolKind::Freshservice => &["x-enhancer-secret"],
    }
}

/// A signature header of the right name and shape but wrong content.
fn garbage_signature(kind: ToolKind) -> (&'static str, String) {
    match kind {
        ToolKind::Generic => ("webhook-signature", "v1,Z2FyYmFnZS1zaWduYXR1cmUtZ2FyYmFnZS1zaWc=".into()),
        ToolKind::Jira => ("x-hub-signature", format!("sha256={}", "0".repeat(64))),
        ToolKind::Zendesk => ("x-zendesk-webhook-signature", "Z2FyYmFnZS1zaWduYXR1cmUtZ2FyYmFnZS1zaWc=".into()),
        ToolKind::ServiceNow => ("x-sn-signature", "Z2FyYmFnZS1zaWduYXR1cmUtZ2FyYmFnZS1zaWc=".into()),
        ToolKind::ServicedeskPlus | ToolKind::Freshservice => {
            ("x-enhancer-secret", "not-the-shared-secret-at-all".into())
        }
    }
}

fn forged() -> Vec<Row> {
    let mut rows = Vec::new();
    for (tenant, kind) in TOOLS {
        rows.push(
            Row::new(format!("forged {kind}: no signature"), tenant, valid(kind), UNAUTHORIZED)
                .without(auth_headers(kind)),
        );
        let (name, value) = garbage_signature(kind);
        rows.push(
            Row::new(format!("forged {kind}: garbage signature"), tenant, valid(kind), UNAUTHORIZED)
                .header(name, value),
        );
    }
    rows
}

/// One byte changed after signing: in the signed body, or (tools that send a shared secret instead of a
/// signature) in the secret.
fn tampered() -> Vec<Row> {
    let mut rows = Vec::new();
    for (tenant, kind) in TOOLS {
        let mut row = Row::new(format!("tampered {kind}: one byte changed"), tenant, valid(kind), UNAUTHORIZED);
        match kind {
            ToolKind::ServicedeskPlus | ToolKind::Freshservice => {
                let mut secret = row.header_value("x-enhancer-secret").expect("a shared secret").to_vec();
                *secret.last_mut().expect("not empty") ^= 1;
                row = row.header("x-enhancer-secret", secret);
            }
            _ => {
                let at = find(&row.body, SUBJECT.as_bytes()).expect("the subject is in the body");
                row.body[at] ^= 0x20;
            }
        }
        rows.push(row);
    }
    // The delivery id is signed too: the same body and signature under another id is a forgery.
    let row = Row::new("tampered generic: webhook-id changed", GENERIC, valid(ToolKind::Generic), UNAUTHORIZED);
    rows.push(row.header("webhook-id", "delivery-forged"));
    rows
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

/// Timestamps outside the five-minute windows, re-signed correctly so only the age is wrong.
fn stale() -> Vec<Row> {
    let now = chrono::Utc::now().timestamp();
    let mut rows = Vec::new();
    for (name, offset) in [("an hour old", -3600), ("an hour ahead", 3600)] {
        let webhook = valid(ToolKind::Generic);
        let id = format!("delivery-{}", next());
        let mut row = Row::new(format!("stale generic: {name}"), GENERIC, webhook, UNAUTHORIZED);
        for (header, value) in signing::standard_webhook_headers(GENERIC_SECRET, &id, now + offset, &row.body) {
            row = row.header(&header, value);
        }
        rows.push(row);
    }
    let mut row = Row::new("stale zendesk: an hour old", ZENDESK, valid(ToolKind::Zendesk), UNAUTHORIZED);
    let timestamp = signing::zendesk_timestamp(-3600);
    for (header, value) in signing::zendesk_headers(default_secret(ToolKind::Zendesk), &timestamp, &row.body) {
        row = row.header(&header, value);
    }
    rows.push(row);
    let mut row = Row::new("stale servicenow: an hour old", SERVICENOW, valid(ToolKind::ServiceNow), UNAUTHORIZED);
    for (header, value) in signing::servicenow_headers(default_secret(ToolKind::ServiceNow), now - 3600, &row.body) {
        row = row.header(&header, value);
    }
    rows.push(row);
    rows
}

/// The same signed request twice: one job, then a duplicate.
fn replayed() -> Vec<Row> {
    let mut rows = Vec::new();
    for (tenant, kind) in TOOLS {
        let webhook = valid(kind);
        rows.push(Row::new(format!("replay {kind}: first delivery"), tenant, webhook.clone(), ACCEPTED).jobs(1));
        rows.push(Row::new(format!("replay {kind}: the same request again"), tenant, webhook, DUPLICATE));
    }
    rows
}

/// Atlassian Connect webhooks: HS256 under the shared secret only.
fn connect_jwts() -> Vec<Row> {
    let path = format!("/webhooks/{CONNECT}");
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    let rs256 = json!({"alg": "RS256", "typ": "JWT"});
    let none = json!({"alg": "none", "typ": "JWT"});
    let claims = jwt::claims(&path, 180);
    let body = || {
        let webhook = valid(ToolKind::Jira);
        Webhook {
            headers: webhook.headers.into_iter().filter(|(name, _)| name != "x-hub-signature").collect(),
            ..webhook
        }
    };
    let with_token = |name: &str, token: String, expect: &'static [u16]| {
        Row::new(name, CONNECT, body(), expect).header("authorization", format!("JWT {token}"))
    };

    let valid = with_token(
        "connect: valid HS256 token",
        jwt::token(&hs256, &claims, Signature::Hs256(jwt::SHARED_SECRET)),
        ACCEPTED,
    )
    .jobs(1);
    let replay = Row { name: "connect: the same request again".into(), expect: DUPLICATE, jobs: 0, ..valid.clone() };
    let mut expired = claims.clone();
    expired["exp"] = json!(chrono::Utc::now().timestamp() - 3600);
    let mut wrong_issuer = claims.clone();
    wrong_issuer["iss"] = json!("someone-else");
    let other_path = jwt::claims(&format!("/webhooks/{JIRA}"), 180);
    let both = jwt::token(&hs256, &claims, Signature::Hs256(jwt::SHARED_SECRET));
    let in_both = with_token("connect: token in header and query", both.clone(), UNAUTHORIZED)
        .path(format!("{path}?jwt={both}"), false);
    vec![
        valid,
        replay,
        with_token("connect: alg none, no signature", jwt::token(&none, &claims, Signature::None), UNAUTHORIZED),
        with_token(
            "connect: alg none, HMAC signature",
            jwt::token(&none, &claims, Signature::Hs256(jwt::SHARED_SECRET)),
            UNAUTHORIZED,
        ),
        with_token(
            "connect: RS256 header, HMAC under the shared secret",
            jwt::token(&rs256, &claims, Signature::Hs256(jwt::SHARED_SECRET)),
            UNAUTHORIZED,
        ),
        with_token("connect: RS256 token", jwt::token(&rs256, &claims, Signature::Bytes(&[0x5a; 256])), UNAUTHORIZED),
        with_token(
            "connect: HS512 under the shared secret",
            jwt::token(&json!({"alg": "HS512", "typ": "JWT"}), &claims, Signature::Hs512(jwt::SHARED_SECRET)),
            UNAUTHORIZED,
        ),
        with_token(
            "connect: HS256 under the webhook secret",
            jwt::token(&hs256, &claims, Signature::Hs256("loadgen-jira-webhook-secret")),
            UNAUTHORIZED,
        ),
        with_token(
            "connect: expired an hour ago",
            jwt::token(&hs256, &expired, Signature::Hs256(jwt::SHARED_SECRET)),
            UNAUTHORIZED,
        ),
        with_token(
            "connect: another client key",
            jwt::token(&hs256, &wrong_issuer, Signature::Hs256(jwt::SHARED_SECRET)),
            UNAUTHORIZED,
        ),
        with_token(
            "connect: qsh of another path",
            jwt::token(&hs256, &other_path, Signature::Hs256(jwt::SHARED_SECRET)),
            UNAUTHORIZED,
        ),
        in_both,
    ]
}

fn oversize() -> Vec<Row> {
    let big = json!({"type": "ticket.created", "data": {"ticket_id": "1", "subject": "x".repeat(80 * 1024)}});
    let body = serde_json::to_vec(&big).expect("json");
    let signed = signed_generic(body);
    let unsigned = Webhook { headers: Vec::new(), body: vec![b'{'; 200 * 1024] };
    vec![
        Row::new("oversize: signed generic body of 80 KiB", GENERIC, signed, TOO_LARGE),
        Row::new("oversize: unsigned body of 200 KiB", SDP, unsigned, TOO_LARGE),
    ]
}

/// `body` signed for the generic tenant, now, with a fresh delivery id.
fn signed_generic(body: Vec<u8>) -> Webhook {
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    let id = format!("delivery-{}", next());
    headers.extend(signing::standard_webhook_headers(GENERIC_SECRET, &id, chrono::Utc::now().timestamp(), &body));
    Webhook { headers, body }
}

/// `body` signed (or carrying the shared secret) as `kind` sends it.
fn signed_as(kind: ToolKind, body: Vec<u8>) -> Webhook {
    let secret = default_secret(kind);
    let mut headers = vec![("content-type".to_owned(), "application/json".to_owned())];
    match kind {
        ToolKind::Generic => return signed_generic(body),
        ToolKind::Jira => headers.push(("x-hub-signature".into(), signing::jira_hub_signature(secret, &body))),
        ToolKind::Zendesk => headers.extend(signing::zendesk_headers(secret, &signing::zendesk_timestamp(0), &body)),
        ToolKind::ServiceNow => {
            headers.extend(signing::servicenow_headers(secret, chrono::Utc::now().timestamp(), &body));
        }
        ToolKind::ServicedeskPlus | ToolKind::Freshservice => headers.push(("x-enhancer-secret".into(), secret.into())),
    }
    Webhook { headers, body }
}

/// Deeply nested JSON under a valid signature: the parser's recursion limit must refuse it (400), not the
/// stack.
fn nested() -> Vec<Row> {
    let arrays = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth)).into_bytes();
    let objects = |depth: usize| format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth)).into_bytes();
    let in_subject = format!(
        r#"{{"type": "ticket.created", "data": {{"ticket_id": "1", "subject": {}}}}}"#,
        String::from_utf8(arrays(10_000)).expect("ascii")
    );
    let mut rows = vec![
        Row::new("nested generic: 10,000 arrays", GENERIC, signed_generic(arrays(10_000)), MALFORMED),
        Row::new(
            "nested generic: 10,000 arrays in data.subject",
            GENERIC,
            signed_generic(in_subject.into_bytes()),
            MALFORMED,
        ),
    ];
    for (tenant, kind) in [(JIRA, ToolKind::Jira), (SERVICENOW, ToolKind::ServiceNow), (SDP, ToolKind::ServicedeskPlus)]
    {
        rows.push(Row::new(
            format!("nested {kind}: 10,000 arrays"),
            tenant,
            signed_as(kind, arrays(10_000)),
            MALFORMED,
        ));
    }
    rows.push(Row::new(
        "nested zendesk: 5,000 objects",
        ZENDESK,
        signed_as(ToolKind::Zendesk, objects(5_000)),
        MALFORMED,
    ));
    rows.push(Row::new(
        "nested freshservice: 5,000 objects",
        FRESHSERVICE,
        signed_as(ToolKind::Freshservice, objects(5_000)),
        MALFORMED,
    ));
    rows
}

fn not_utf8() -> Vec<Row> {
    let mut in_string = br#"{"type": "ticket.created", "data": {"ticket_id": "1", "subject": "caf"#.to_vec();
    in_string.extend_from_slice(b"\xe9\xff\"}}");
    let mut sdp = br#"{"event": "request_created", "request_id": "1"#.to_vec();
    sdp.extend_from_slice(b"\xc0\xaf\"}");
    let signature = valid(ToolKind::Generic);
    vec![
        Row::new(
            "not UTF-8 generic: binary body",
            GENERIC,
            signed_generic(b"\xff\xfe\xfd\x00\x01".to_vec()),
            MALFORMED,
        ),
        Row::new("not UTF-8 generic: invalid bytes in a string", GENERIC, signed_generic(in_string), MALFORMED),
        Row::new(
            "not UTF-8 servicedesk_plus: overlong '/' in request_id",
            SDP,
            signed_as(ToolKind::ServicedeskPlus, sdp),
            MALFORMED,
        ),
        Row::new(
            "not UTF-8 zendesk: binary body",
            ZENDESK,
            signed_as(ToolKind::Zendesk, b"\xfe\xff{}".to_vec()),
            MALFORMED,
        ),
        Row::new("not UTF-8 generic: signature header bytes", GENERIC, signature, UNAUTHORIZED)
            .header("webhook-signature", b"v1,\xff\xfe\xfd".to_vec()),
    ]
}

/// The content type is neither trusted nor required: the signed bytes decide.
fn content_types() -> Vec<Row> {
    let multipart = b"--x\r\ncontent-disposition: form-data; name=\"a\"\r\n\r\n1\r\n--x--\r\n".to_vec();
    vec![
        Row::new("content type servicenow: text/plain, valid", SERVICENOW, valid(ToolKind::ServiceNow), ACCEPTED)
            .header("content-type", "text/plain")
            .jobs(1),
        Row::new(
            "content type servicenow: text/plain, unsigned",
            SERVICENOW,
            valid(ToolKind::ServiceNow),
            UNAUTHORIZED,
        )
        .header("content-type", "text/plain")
        .without(auth_headers(ToolKind::ServiceNow)),
        Row::new("content type generic: multipart body", GENERIC, signed_generic(multipart.clone()), MALFORMED)
            .header("content-type", "multipart/form-data; boundary=x"),
        Row::new(
            "content type freshservice: multipart body",
            FRESHSERVICE,
            signed_as(ToolKind::Freshservice, multipart),
            MALFORMED,
        )
        .header("content-type", "multipart/form-data; boundary=x"),
        Row::new("content type generic: missing, valid", GENERIC, valid(ToolKind::Generic), ACCEPTED)
            .without(&["content-type"])
            .jobs(1),
    ]
}

fn huge_headers() -> Vec<Row> {
    let unsigned = || {
        Row::new("", FRESHSERVICE, valid(ToolKind::Freshservice), HUGE_HEADER)
            .without(auth_headers(ToolKind::Freshservice))
    };
    let mut many = Row { name: "huge headers: 200 headers".into(), expect: TOO_MANY_HEADERS, ..unsigned() };
    for n in 0..200 {
        many.headers.push((format!("x-padding-{n}"), b"1".to_vec()));
    }
    vec![
        Row { name: "huge headers: one 64 KiB header".into(), ..unsigned() }.header("x-padding", "a".repeat(64 * 1024)),
        Row { name: "huge headers: one 512 KiB header".into(), expect: &[431, 400], ..unsigned() }
            .header("x-padding", "a".repeat(512 * 1024)),
        many,
    ]
}

/// A request signed for the generic tenant, addressed to a path that must not reach it (or any tenant).
fn tenant_ids() -> Vec<Row> {
    let paths: [(&str, String, bool); 12] = [
        ("uppercase", "/webhooks/T-GENERIC".into(), false),
        ("'..'", "/webhooks/..".into(), true),
        ("'%2e%2e'", "/webhooks/%2e%2e".into(), true),
        ("65 characters", format!("/webhooks/{}", "t".repeat(65)), false),
        ("unicode", "/webhooks/t-g%C3%A9n%C3%A9ric".into(), false),
        ("raw unicode bytes", "/webhooks/t-génériç".into(), true),
        ("acme/../t-generic", "/webhooks/acme/../t-generic".into(), true),
        ("t-generic/../other", "/webhooks/t-generic/../other".into(), true),
        ("t-generic%2F..", "/webhooks/t-generic%2F..".into(), true),
        ("other%2F..%2Ft-generic", "/webhooks/other%2F..%2Ft-generic".into(), true),
        ("NUL", "/webhooks/t-generic%00".into(), false),
        ("empty segment", "/webhooks//t-generic".into(), true),
    ];
    paths
        .into_iter()
        .map(|(name, path, raw)| {
            Row::new(format!("tenant id {name}"), GENERIC, valid(ToolKind::Generic), UNKNOWN_TENANT).path(path, raw)
        })
        .collect()
}

/// Signed webhooks whose ticket id would, unchecked, reach a URL path: refused, never a job.
fn ticket_ids() -> Vec<Row> {
    let long = "7".repeat(200);
    let cases: [(&str, ToolKind, &str); 14] = [
        (GENERIC, ToolKind::Generic, "../../admin"),
        (GENERIC, ToolKind::Generic, ".."),
        (GENERIC, ToolKind::Generic, "1?delete=true"),
        (GENERIC, ToolKind::Generic, "1#fragment"),
        (GENERIC, ToolKind::Generic, &long),
        (GENERIC, ToolKind::Generic, "1\u{0}2"),
        (GENERIC, ToolKind::Generic, "1\r\nX-Injected: yes"),
        (GENERIC, ToolKind::Generic, "1\\..\\2"),
        (JIRA, ToolKind::Jira, "../PROJ-1"),
        (ZENDESK, ToolKind::Zendesk, "1/../2"),
        (SERVICENOW, ToolKind::ServiceNow, "../sys_user"),
        (SDP, ToolKind::ServicedeskPlus, "1?input_data=x"),
        (FRESHSERVICE, ToolKind::Freshservice, "1#x"),
        (FRESHSERVICE, ToolKind::Freshservice, &long),
    ];
    cases
        .into_iter()
        .map(|(tenant, kind, ticket)| {
            let shown: String = ticket.escape_debug().take(40).collect();
            Row::new(format!("ticket id {kind}: {shown}"), tenant, valid_for(kind, ticket), BAD_TICKET)
        })
        .collect()
}
