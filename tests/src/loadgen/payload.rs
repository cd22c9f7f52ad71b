//! Signed webhook requests, each one unique (its own delivery id and ticket), as a tool would send them
//! (`enhancer_tests::tool_webhooks`, one shape per tool); and the job body ingest would publish for such a
//! request, so the ceiling publishes messages of the same size.

use std::sync::atomic::{AtomicU64, Ordering};

use enhancer_plugins::{Plugins, WebhookRequest};
use enhancer_shared::domain::{EnhancementJob, TenantId, ToolKind};
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::tool_webhooks;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// The tools the load generator signs for: every tool with a plugin.
pub type Tool = ToolKind;

/// `--tool` on the command line.
pub fn parse_tool(raw: &str) -> Result<Tool, String> {
    raw.parse().map_err(|err: enhancer_shared::domain::UnknownToolKind| err.to_string())
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
}

impl RequestFactory {
    pub fn new(tool: Tool, secret: String) -> anyhow::Result<Self> {
        let run = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
        Ok(Self { tool, secret, run, counter: AtomicU64::new(0) })
    }

    /// The next request: a new delivery id, a new ticket, signed now.
    pub fn next(&self) -> SignedRequest {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let delivery = format!("lg-{}-{n}", self.run);
        // Numeric ids suit every tool (ServiceDesk Plus and Freshservice number their tickets).
        let ticket = format!("{}", 1_000_000 + n);
        let webhook = tool_webhooks::created(
            self.tool,
            &self.secret,
            &ticket,
            &delivery,
            &format!("Load generator ticket {n}: VPN drops every few minutes ({})", self.run),
        );
        let mut headers = HeaderMap::new();
        for (name, value) in &webhook.headers {
            insert(&mut headers, name, value);
        }
        SignedRequest { headers, body: webhook.body }
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
    let factory = RequestFactory::new(tool, tool_webhooks::default_secret(tool).to_owned())?;
    let request = factory.next();
    let plugin = Plugins.get(tool);
    let settings = TenantSettings::default();
    let method = reqwest::Method::POST;
    let webhook = WebhookRequest::new(&method, "/webhooks/bench", None, &request.headers, &request.body, &settings);
    let event = plugin.extract(&webhook).map_err(|err| anyhow::anyhow!("extracting the sample event: {err}"))?;
    // Tools without a delivery id get a body hash of this length from ingest.
    let key = event.idempotency_key.clone().unwrap_or_else(|| format!("sha256:{}", "0".repeat(64)));
    let tenant = TenantId::parse("bench").map_err(|err| anyhow::anyhow!("tenant id: {err:?}"))?;
    Ok(EnhancementJob::new(tenant, tool, key, event).to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_has_its_own_body() {
        for tool in ToolKind::ALL {
            let factory = RequestFactory::new(tool, tool_webhooks::default_secret(tool).to_owned()).expect("factory");
            let (a, b) = (factory.next(), factory.next());
            assert_ne!(a.body, b.body, "{tool}");
        }
    }

    #[test]
    fn requests_pass_the_real_plugins_verification_and_extraction() {
        let settings = TenantSettings::default();
        let method = reqwest::Method::POST;
        for tool in ToolKind::ALL {
            let secret = tool_webhooks::default_secret(tool);
            let secrets = tool_webhooks::secrets(tool, secret);
            let secrets = enhancer_shared::tenant::TenantSecrets::parse(secrets.as_bytes()).expect("secrets");
            let keys = enhancer_plugins::VerifyKeys::new(&secrets, &settings);
            let request = RequestFactory::new(tool, secret.to_owned()).expect("factory").next();
            let webhook =
                WebhookRequest::new(&method, "/webhooks/bench", None, &request.headers, &request.body, &settings);
            let plugin = Plugins.get(tool);
            assert!(plugin.verify(&webhook, &keys).is_ok(), "{tool} signature");
            assert!(plugin.extract(&webhook).expect("event").ticket_id.as_str().starts_with("100"), "{tool}");
            let job = EnhancementJob::from_json(&job_body(tool).expect("job body")).expect("a job");
            assert_eq!(job.tool, tool);
        }
    }
}
