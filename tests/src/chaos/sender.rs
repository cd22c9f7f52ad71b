//! The webhook sender: one "ticket created" delivery per ticket at a steady rate, round robin over the
//! tenants and the two ingests, each retried the way the tools retry (429, 5xx, time-outs and connection
//! errors, with backoff) with the SAME delivery: the same body, the same delivery id, the generic tool's
//! Standard Webhooks signature made again over a fresh timestamp. A retry goes to the other ingest, as a
//! load balancer in front of them would send it.

use std::time::{Duration, Instant};

use enhancer_shared::domain::ToolKind;
use enhancer_tests::{signing, tool_webhooks};

use crate::world::Tenant;

/// How long a tool keeps retrying one delivery before it gives up (real tools: minutes to hours).
const GIVE_UP_AFTER: Duration = Duration::from_secs(180);
/// Per request: ingest answers in milliseconds once the broker confirmed; anything longer is a stuck peer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 202 queued.
    Accepted,
    /// 200 duplicate: an earlier try of this delivery was accepted (its answer was lost).
    Duplicate,
    /// 200 ignored.
    Ignored,
    /// Another 4xx: not retried.
    Rejected(u16),
    /// Still failing after [`GIVE_UP_AFTER`].
    GaveUp,
}

#[derive(Debug, Clone)]
pub struct Sent {
    pub tenant: usize,
    pub ticket: String,
    /// From the run's start to the first try.
    pub first_sent: Duration,
    pub outcome: Outcome,
    pub tries: u32,
}

impl Sent {
    pub fn accepted(&self) -> bool {
        matches!(self.outcome, Outcome::Accepted | Outcome::Duplicate)
    }
}

pub async fn send_all(tenants: &[Tenant], ingests: &[String], count: usize, rate: f64, started: Instant) -> Vec<Sent> {
    let client = reqwest::Client::builder().timeout(REQUEST_TIMEOUT).build().expect("an HTTP client");
    let mut tasks = Vec::with_capacity(count);
    for i in 0..count {
        let due = started + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(due.into()).await;
        let tenant_index = i % tenants.len();
        let tenant = tenants[tenant_index].clone();
        // Unique over the run across tenants: the fake tool keys notes by ticket id alone.
        let ticket = tool_webhooks::ticket_id(tenant.tool, 100_000 + i as u32);
        let delivery = uuid::Uuid::new_v4().to_string();
        let urls: Vec<String> = (0..ingests.len())
            .map(|k| format!("{}/webhooks/{}", ingests[(i + k) % ingests.len()], tenant.id))
            .collect();
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            let first_sent = started.elapsed();
            let (outcome, tries) = deliver(&client, &urls, &tenant, &ticket, &delivery).await;
            Sent { tenant: tenant_index, ticket, first_sent, outcome, tries }
        }));
    }
    let mut sent = Vec::with_capacity(count);
    for task in tasks {
        sent.push(task.await.expect("a sender task"));
    }
    sent
}

async fn deliver(
    client: &reqwest::Client,
    urls: &[String],
    tenant: &Tenant,
    ticket: &str,
    delivery: &str,
) -> (Outcome, u32) {
    let webhook =
        tool_webhooks::created(tenant.tool, &tenant.secret, ticket, delivery, &format!("Chaos ticket {ticket}"));
    let started = Instant::now();
    let mut tries = 0u32;
    loop {
        let url = &urls[tries as usize % urls.len()];
        tries += 1;
        let mut headers = webhook.headers.clone();
        if tenant.tool == ToolKind::Generic && tries > 1 {
            // Standard Webhooks: same id and body, signed again at the retry's time.
            headers.retain(|(name, _)| !name.starts_with("webhook-"));
            let now = chrono::Utc::now().timestamp();
            headers.extend(signing::standard_webhook_headers(&tenant.secret, delivery, now, &webhook.body));
        }
        let mut request = client.post(url).body(webhook.body.clone());
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        let mut wait = backoff(tries);
        // Connection refused or reset, time-out: retried like a 503.
        if let Ok(response) = request.send().await {
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let body = response.text().await.unwrap_or_default();
            match status {
                202 => return (Outcome::Accepted, tries),
                200 if body.contains("duplicate") => return (Outcome::Duplicate, tries),
                200 => return (Outcome::Ignored, tries),
                429 | 500..=599 | 408 => {
                    if let Some(secs) = retry_after {
                        wait = wait.max(Duration::from_secs(secs));
                    }
                }
                other => return (Outcome::Rejected(other), tries),
            }
        }
        if started.elapsed() + wait > GIVE_UP_AFTER {
            return (Outcome::GaveUp, tries);
        }
        tokio::time::sleep(wait).await;
    }
}

/// 0.5 s, 1 s, 2 s, ... at most 10 s, with up to 25% jitter so retries of one outage do not arrive together.
fn backoff(tries: u32) -> Duration {
    let base = (0.5 * 2f64.powi(tries.saturating_sub(1).min(5) as i32)).min(10.0);
    Duration::from_secs_f64(base * (1.0 + rand::random::<f64>() * 0.25))
}
