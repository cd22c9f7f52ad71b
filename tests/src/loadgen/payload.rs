//! Signed webhook requests, each one unique (its own delivery id and ticket), as a tool would send them; and
//! the job body ingest would publish for such a request, so the ceiling publishes messages of the same size.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context as _;
use enhancer_plugins::{Plugins, WebhookRequest};
use enhancer_shared::domain::{EnhancementJob, TenantId, ToolKind};
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::signing;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

/// The Jira admin-webhook payload shape, from the plugin's own fixture; key and timestamp change per request.
const JIRA_ISSUE_CREATED: &str = include_str!("../../../plugins/tests/fixtures/jira/issue_created.json");

/// The tools the load generator can sign for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Tool {
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    Generic,
    /// Jira admin webhook: `X-Hub-Signature` and `X-Atlassian-Webhook-Identifier`.
    Jira,
}

impl Tool {
    pub fn kind(self) -> ToolKind {
        match self {
            Tool::Generic => ToolKind::Generic,
            Tool::Jira => ToolKind::Jira,
        }
    }

    /// The secret the test helpers use, when none is given.
    pub fn default_secret(self) -> &'static str {
        match self {
            Tool::Generic => signing::GENERIC_SECRET,
            Tool::Jira => "loadgen-jira-webhook-secret",
        }
    }
}

/// One request, ready to send.
#[derive(Debug)]
pub struct SignedRequest {
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Makes signed requests for one tool and secret; ids combine a per-run prefix with a counter, so two runs
/// against the same Redis never look like redeliveries of each other.
#[derive(Debug)]
pub struct RequestFactory {
    tool: Tool,
    secret: String,
    run: String,
    counter: AtomicU64,
    jira_template: Option<Value>,
}

impl RequestFactory {
    pub fn new(tool: Tool, secret: String) -> anyhow::Result<Self> {
        let jira_template = match tool {
            Tool::Jira => Some(serde_json::from_str(JIRA_ISSUE_CREATED).context("the Jira fixture is JSON")?),
            Tool::Generic => None,
        };
        let run = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        Ok(Self { tool, secret, run, counter: AtomicU64::new(0), jira_template })
    }

    /// The next request: a new delivery id, a new ticket, signed now.
    pub fn next(&self) -> SignedRequest {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let delivery = format!("lg-{}-{n}", self.run);
        let ticket = format!("BENCH-{n}");
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let body = match self.tool {
            Tool::Generic => {
                let body = signing::generic_created(&ticket, "Load generator ticket: VPN drops every few minutes");
                let now = chrono::Utc::now().timestamp();
                for (name, value) in signing::standard_webhook_headers(&self.secret, &delivery, now, &body) {
                    insert(&mut headers, &name, &value);
                }
                body
            }
            Tool::Jira => {
                let mut payload = self.jira_template.clone().unwrap_or_default();
                payload["timestamp"] = Value::from(chrono::Utc::now().timestamp_millis());
                payload["issue"]["key"] = Value::from(ticket);
                payload["issue"]["id"] = Value::from(n.to_string());
                let body = serde_json::to_vec(&payload).unwrap_or_default();
                insert(&mut headers, "x-hub-signature", &signing::jira_hub_signature(&self.secret, &body));
                insert(&mut headers, "x-atlassian-webhook-identifier", &delivery);
                body
            }
        };
        SignedRequest { headers, body }
    }
}

fn insert(headers: &mut HeaderMap, name: &str, value: &str) {
    let name = HeaderName::from_bytes(name.as_bytes()).expect("header names here are valid");
    let value = HeaderValue::from_str(value).expect("signatures and ids are visible ASCII");
    headers.insert(name, value);
}

/// The body ingest publishes for one of `tool`'s requests: the plugin's own extraction into the job that
/// ingest would build, so the ceiling's messages have the size of real job messages.
pub fn job_body(tool: Tool) -> anyhow::Result<Vec<u8>> {
    let factory = RequestFactory::new(tool, tool.default_secret().to_owned())?;
    let request = factory.next();
    let plugin = Plugins.get(tool.kind());
    let settings = TenantSettings::default();
    let method = reqwest::Method::POST;
    let webhook = WebhookRequest::new(&method, "/webhooks/bench", None, &request.headers, &request.body, &settings);
    let event = plugin.extract(&webhook).map_err(|err| anyhow::anyhow!("extracting the sample event: {err}"))?;
    let key = event.idempotency_key.clone().context("the sample carries a delivery id")?;
    let tenant = TenantId::parse("bench").map_err(|err| anyhow::anyhow!("tenant id: {err:?}"))?;
    Ok(EnhancementJob::new(tenant, tool.kind(), key, event).to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_has_its_own_delivery_id() {
        for tool in [Tool::Generic, Tool::Jira] {
            let factory = RequestFactory::new(tool, tool.default_secret().to_owned()).expect("factory");
            let id = match tool {
                Tool::Generic => "webhook-id",
                Tool::Jira => "x-atlassian-webhook-identifier",
            };
            let (a, b) = (factory.next(), factory.next());
            assert_ne!(a.headers.get(id), b.headers.get(id));
            assert_ne!(a.body, b.body);
        }
    }

    #[test]
    fn requests_pass_the_real_plugins_verification_and_extraction() {
        let settings = TenantSettings::default();
        let method = reqwest::Method::POST;
        for tool in [Tool::Generic, Tool::Jira] {
            let secrets = serde_json::json!({"webhook_secret": tool.default_secret()}).to_string();
            let secrets = enhancer_shared::tenant::TenantSecrets::parse(secrets.as_bytes()).expect("secrets");
            let keys = enhancer_plugins::VerifyKeys::new(&secrets, &settings);
            let request = RequestFactory::new(tool, tool.default_secret().to_owned()).expect("factory").next();
            let webhook =
                WebhookRequest::new(&method, "/webhooks/bench", None, &request.headers, &request.body, &settings);
            let plugin = Plugins.get(tool.kind());
            assert!(plugin.verify(&webhook, &keys).is_ok(), "{tool:?} signature");
            assert!(plugin.extract(&webhook).expect("event").ticket_id.as_str().starts_with("BENCH-"));
            let job = EnhancementJob::from_json(&job_body(tool).expect("job body")).expect("a job");
            assert_eq!(job.tool, tool.kind());
        }
    }
}
