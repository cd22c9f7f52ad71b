//! `enhancer-worker demo`: the whole pipeline once, on this machine's PostgreSQL, RabbitMQ and Redis, with
//! the offline writer. It uses its own database (`enhancer_demo` on the configured server) and queue prefix
//! (`enhancer-demo`), recreates its tenant on every run (so it works run after run, with or without a
//! master key), starts ingest, a worker and a local ticket receiver in this process, sends signed webhooks,
//! prints the notes that come back, and stops everything.

mod corpus;
mod receiver;
mod samples;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use enhancer_shared::config::Config;
use enhancer_shared::crypto::{KeyRing, MasterKey};
use enhancer_shared::domain::{TenantId, ToolKind};
use enhancer_shared::queue;
use enhancer_shared::tenant::{NewTenant, TenantSecrets, TenantSettings, store};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use tokio::sync::watch;

use super::cli::CliIo;
use samples::SAMPLES;

const DEMO_DATABASE: &str = "enhancer_demo";
const DEMO_PREFIX: &str = "enhancer-demo";
const DEMO_TENANT: &str = "demo";

/// The demo's own configuration: the configured servers, its own database and queue prefix.
fn demo_config(config: &Config) -> anyhow::Result<Config> {
    let mut demo = config.clone();
    let mut url = url::Url::parse(config.database.url.expose_secret()).context("database.url is not a URL")?;
    url.set_path(&format!("/{DEMO_DATABASE}"));
    demo.database.url = SecretString::from(url.to_string());
    demo.queue.prefix = DEMO_PREFIX.into();
    demo.worker.concurrency = 8;
    demo.worker.drain_grace_secs = 5;
    if demo.master_key.is_none() {
        // The demo tenant is recreated on every run, so a throwaway key is enough.
        demo.master_key = Some(MasterKey::generate().1);
        demo.previous_master_keys = None;
    }
    Ok(demo)
}

fn sign(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

pub async fn run(tickets: usize, config: &Config, io: &mut CliIo) -> anyhow::Result<()> {
    let config = demo_config(config)?;
    let tickets = tickets.clamp(1, SAMPLES.len());
    io.println(format!("demo: database {DEMO_DATABASE}, queue prefix {DEMO_PREFIX}, offline writer"))?;

    enhancer_shared::db::create_database_if_missing(&config.database).await?;
    let pool = enhancer_shared::db::connect(&config.database).await?;
    enhancer_shared::db::migrate(&pool).await?;
    // A fresh tenant every run: its secrets are sealed with this run's key.
    sqlx::query("DELETE FROM enhancement_history WHERE tenant_id = $1").bind(DEMO_TENANT).execute(&pool).await?;
    // Deleting the tenant also deletes its corpus (tickets, articles, assets).
    sqlx::query("DELETE FROM tenant_configs WHERE tenant_id = $1").bind(DEMO_TENANT).execute(&pool).await?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let (receiver_address, received) = receiver::start(stop_rx.clone()).await?;
    io.println(format!("demo: local ticket receiver on http://{receiver_address}"))?;

    let secret_bytes: [u8; 24] = rand::random();
    let webhook_secret = format!("whsec_{}", STANDARD.encode(secret_bytes));
    let secrets = serde_json::json!({"webhook_secret": webhook_secret, "credentials": {}}).to_string();
    let master = config.master_key.as_ref().context("the demo configuration always has a key")?;
    let keys = KeyRing::from_env_values(master, config.previous_master_keys.as_ref())?;
    let tenant = NewTenant {
        id: TenantId::parse(DEMO_TENANT)?,
        name: "Demo service desk".into(),
        tool: ToolKind::Generic,
        // The receiver runs on loopback in this process; the URL policy is for operator-entered URLs.
        base_url: url::Url::parse(&format!("http://{receiver_address}"))?,
        allow_insecure_url: true,
        settings: TenantSettings::default(),
        secrets: TenantSecrets::parse(secrets.as_bytes())?,
    };
    store::insert(&pool, &keys, &tenant).await?;
    corpus::seed(&pool, DEMO_TENANT).await?;

    let ingest_state = enhancer_ingest::startup::build_state(&config).await?;
    ingest_state.publisher.declare_topology().await.context("cannot declare the demo queues (is RabbitMQ running?)")?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let ingest_address = listener.local_addr()?;
    let mut ingest_stop = stop_rx.clone();
    let ingest = tokio::spawn(enhancer_ingest::startup::serve(
        listener,
        ingest_state,
        config.ingest.body_limit_bytes,
        async move {
            let _ = ingest_stop.wait_for(|s| *s).await;
        },
    ));
    io.println(format!("demo: enhancer-ingest on http://{ingest_address}"))?;

    let worker = std::sync::Arc::new(crate::run::build(&config).await?);
    let (worker_tx, worker_rx) = watch::channel(false);
    let running = std::sync::Arc::clone(&worker);
    let worker_task = tokio::spawn(async move { running.run(worker_rx).await });
    io.println("demo: enhancer-worker consuming")?;

    let client = reqwest::Client::new();
    for sample in SAMPLES.iter().take(tickets) {
        let body = serde_json::to_vec(&serde_json::json!({
            "type": "ticket.created",
            "timestamp": chrono::Utc::now().to_rfc3339(),
            "data": {"ticket_id": sample.id, "subject": sample.subject, "priority": sample.priority, "actor": sample.requester}
        }))?;
        let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        let timestamp = chrono::Utc::now().timestamp();
        let response = client
            .post(format!("http://{ingest_address}/webhooks/{DEMO_TENANT}"))
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", sign(&secret_bytes, &id, timestamp, &body))
            .body(body)
            .send()
            .await?;
        let status = response.status();
        let answer = response.text().await.unwrap_or_default();
        io.println(format!("demo: POST webhook for {} -> {status} {answer}", sample.id))?;
    }

    let deadline = Instant::now() + Duration::from_secs(60);
    while received.count() < tickets && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = received.count();
    for sample in SAMPLES.iter().take(tickets) {
        for note in received.for_ticket(sample.id) {
            io.println(format!("\n===== internal note on {} \"{}\" =====", sample.id, sample.subject))?;
            io.println(note["body_text"].as_str().unwrap_or_default().trim_end())?;
        }
    }

    let _ = worker_tx.send(true);
    let _ = worker_task.await;
    let _ = stop_tx.send(true);
    let _ = ingest.await;
    if let Ok(connection) = queue::connect(&config.amqp.url, "enhancer-demo-cleanup", Duration::from_secs(5)).await {
        if let Ok(channel) = connection.create_channel().await {
            let _ = queue::delete_all(&channel, &queue::Topology::new(DEMO_PREFIX)?).await;
        }
        let _ = connection.close(200, "demo done".into()).await;
    }
    pool.close().await;
    if got < tickets {
        anyhow::bail!("only {got} of {tickets} notes arrived within 60 s; see the log lines above");
    }
    io.println(format!("\ndemo: {got} webhooks became {got} internal notes; everything stopped cleanly"))
}
