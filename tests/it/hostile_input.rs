//! Hostile input through the real ingest (issue 13): forged, tampered, stale and replayed webhooks for every
//! tool, forged Jira Connect JWTs, oversize, deeply nested and non-UTF-8 bodies, odd content types, huge
//! headers, odd tenant ids in the path and odd ticket ids in signed payloads. Each row states the status the
//! contract (docs/DESIGN.md section 4) allows and how many jobs it may enqueue (none, unless the row is a
//! valid request whose acceptance is the point, such as the first of a replayed pair).

mod jwt;
mod rows;
mod send;

use std::collections::BTreeMap;

use enhancer_shared::domain::{TicketId, ToolKind};
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::TestDb;
use enhancer_tests::ingest::{TestIngest, add_tenant};
use enhancer_tests::tool_webhooks::{Webhook, default_secret, secrets};

/// The body limit the suite runs with: small enough that an oversize body is cheap to send, large enough for
/// the 10,000-deep nesting rows, which must reach the JSON parser.
const BODY_LIMIT: &str = "65536";

/// The failed verifications one tenant may see in this table: ingest throttles a tenant's failing requests
/// (429) after a burst of about 20, and the rows must test the checks, not the throttle.
const MAX_FAILURES_PER_TENANT: usize = 10;

/// One tenant per tool, plus a Jira tenant with a Connect installation for the JWT rows.
pub const TENANTS: [(&str, ToolKind); 7] = [
    ("t-generic", ToolKind::Generic),
    ("t-jira", ToolKind::Jira),
    ("t-jira-connect", ToolKind::Jira),
    ("t-zendesk", ToolKind::Zendesk),
    ("t-servicenow", ToolKind::ServiceNow),
    ("t-sdp", ToolKind::ServicedeskPlus),
    ("t-freshservice", ToolKind::Freshservice),
];

/// One request of the table and what the server may answer.
#[derive(Debug, Clone)]
pub struct Row {
    pub name: String,
    /// The tenant the request is addressed to (for the per-tenant failure budget).
    pub tenant: &'static str,
    pub path: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    /// Sent over a raw connection, the request line byte for byte.
    pub raw: bool,
    pub expect: &'static [u16],
    /// Jobs the row must enqueue: 0 for every hostile request.
    pub jobs: usize,
}

impl Row {
    /// `webhook` sent to `tenant`, expected to be refused with one of `expect` and to enqueue nothing.
    pub fn new(name: impl Into<String>, tenant: &'static str, webhook: Webhook, expect: &'static [u16]) -> Row {
        Row {
            name: name.into(),
            tenant,
            path: format!("/webhooks/{tenant}"),
            headers: webhook.headers.into_iter().map(|(name, value)| (name, value.into_bytes())).collect(),
            body: webhook.body,
            raw: false,
            expect,
            jobs: 0,
        }
    }

    pub fn jobs(mut self, jobs: usize) -> Row {
        self.jobs = jobs;
        self
    }

    pub fn path(mut self, path: impl Into<String>, raw: bool) -> Row {
        self.path = path.into();
        self.raw = raw;
        self
    }

    /// Sets `name` (case-insensitively replacing any header of that name).
    pub fn header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Row {
        self.headers.retain(|(existing, _)| !existing.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn without(mut self, names: &[&str]) -> Row {
        self.headers.retain(|(existing, _)| !names.iter().any(|name| existing.eq_ignore_ascii_case(name)));
        self
    }

    pub fn header_value(&self, name: &str) -> Option<&[u8]> {
        self.headers.iter().find(|(existing, _)| existing.eq_ignore_ascii_case(name)).map(|(_, value)| &value[..])
    }
}

/// The secrets document of each test tenant: the tool's test secret (at least 16 bytes), and for the Connect
/// tenant a Connect installation besides.
fn tenant_secrets(tenant: &str, kind: ToolKind) -> String {
    if tenant == "t-jira-connect" {
        return serde_json::json!({
            "webhook_secret": default_secret(kind),
            "credentials": {"client_key": jwt::CLIENT_KEY, "shared_secret": jwt::SHARED_SECRET},
        })
        .to_string();
    }
    secrets(kind, default_secret(kind))
}

/// Why `row`'s answer breaks the contract, if it does; `taken` are the jobs it enqueued.
fn check(row: &Row, status: u16, body: &str, taken: &[TicketId]) -> Option<String> {
    if status >= 500 {
        return Some(format!("server error {status}: {body}"));
    }
    if !row.expect.contains(&status) {
        return Some(format!("status {status}, expected one of {:?}: {body}", row.expect));
    }
    if status == 401 && body != r#"{"error":"unauthorized"}"# {
        return Some(format!("a 401 must be the one generic answer, got {body}"));
    }
    if status == 200
        && row.jobs == 0
        && !(body.contains(r#""status":"duplicate""#) || body.contains(r#""status":"ignored""#))
    {
        return Some(format!("a 200 that enqueued nothing must say duplicate or ignored: {body}"));
    }
    if taken.len() != row.jobs {
        return Some(format!("{} job(s) enqueued (tickets {taken:?}), expected {}", taken.len(), row.jobs));
    }
    None
}

#[tokio::test]
async fn hostile_requests_are_refused_and_enqueue_nothing() {
    let db = TestDb::migrated().await;
    for (tenant, kind) in TENANTS {
        add_tenant(&db, tenant, kind, "http://127.0.0.1:9", &tenant_secrets(tenant, kind), TenantSettings::default())
            .await;
    }
    let ingest = TestIngest::spawn(&db, &[("ENHANCER_INGEST__BODY_LIMIT_BYTES", BODY_LIMIT)]).await;
    let table = rows::all();
    assert!(table.len() >= 40, "the suite has {} rows", table.len());

    // The table itself stays under the failure throttle, tenant by tenant.
    let mut failures: BTreeMap<&str, usize> = BTreeMap::new();
    for row in table.iter().filter(|row| row.expect.contains(&401)) {
        *failures.entry(row.tenant).or_default() += 1;
    }
    assert!(failures.values().all(|n| *n <= MAX_FAILURES_PER_TENANT), "failed verifications per tenant: {failures:?}");

    let mut broken = Vec::new();
    for row in &table {
        let (status, body) = match send::send(ingest.address, row).await {
            Ok(answer) => answer,
            Err(err) => {
                broken.push(format!("{}: {err}", row.name));
                continue;
            }
        };
        let mut taken = Vec::new();
        while let Some((job, _)) = ingest.take_job().await {
            taken.push(job.event.ticket_id);
        }
        if let Some(problem) = check(row, status, &body, &taken) {
            broken.push(format!("{}: {problem}", row.name));
        }
    }
    let health = reqwest::get(ingest.admin_url("/healthz")).await.expect("ingest still answers");
    assert_eq!(health.status(), 200, "ingest is alive after the table");
    let public = reqwest::get(ingest.url("/webhooks/acme")).await.expect("the public port still answers");
    assert_eq!(public.status(), 405, "the public port serves after the table");
    assert!(broken.is_empty(), "{} of {} rows broke the contract:\n{}", broken.len(), table.len(), broken.join("\n"));
}
