//! `demo`: the whole product once, on this machine's PostgreSQL, RabbitMQ and Redis, with the offline writer
//! (no API key). It uses its own database (`enhancer_demo` on the configured server) and queue prefix
//! (`enhancer-demo`), recreates its tenant on every run (so it works run after run, with or without a
//! master key), starts the local stack (ingest, a worker and the fake ticketing tool) in this process,
//! sends signed webhooks, prints the internal notes that come back, and stops everything.
//! `bash deploy/local/demo.sh` runs it.

mod corpus;
mod samples;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use clap::Parser;
use enhancer_shared::config::Config;
use enhancer_shared::crypto::MasterKey;
use enhancer_shared::domain::ToolKind;
use enhancer_shared::tenant::TenantSettings;
use enhancer_tests::fake_tool::{Recording, TicketSpec};
use enhancer_tests::stack::LocalStack;
use enhancer_tests::tool_webhooks;
use secrecy::{ExposeSecret, SecretString};

use samples::SAMPLES;

const DEMO_DATABASE: &str = "enhancer_demo";
const DEMO_PREFIX: &str = "enhancer-demo";
const DEMO_TENANT: &str = "demo";

#[derive(Debug, Parser)]
#[command(
    name = "demo",
    about = "Run the whole pipeline once on this machine: webhooks through ingest, queue and worker to notes"
)]
struct Args {
    /// How many sample webhooks to send (at most 4).
    #[arg(long, default_value_t = 4)]
    tickets: usize,
    /// The ticketing tool the demo tenant uses: its webhooks, its API (on the fake tool) and its note format.
    #[arg(long, value_parser = tool_kind, default_value = "generic")]
    tool: ToolKind,
}

fn tool_kind(raw: &str) -> Result<ToolKind, String> {
    raw.parse().map_err(|err: enhancer_shared::domain::UnknownToolKind| err.to_string())
}

/// The binaries' allocator, so the demo runs the product as it runs in production.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    let args = Args::parse();
    let config = demo_config(&Config::load()?)?;
    let _telemetry = enhancer_shared::telemetry::init("enhancer-demo")?;
    run(args.tickets.clamp(1, SAMPLES.len()), args.tool, config).await
}

/// The demo's own configuration: the configured servers, its own database and queue prefix.
fn demo_config(config: &Config) -> anyhow::Result<Config> {
    let mut demo = config.clone();
    let mut url = url::Url::parse(config.database.url.expose_secret()).context("database.url is not a URL")?;
    url.set_path(&format!("/{DEMO_DATABASE}"));
    demo.database.url = SecretString::from(url.to_string());
    demo.queue.prefix = DEMO_PREFIX.into();
    demo.worker.concurrency = 8;
    demo.worker.drain_grace_secs = 5;
    // The demo's ticketing tool is the fake one on loopback, which the outbound policy refuses by default.
    demo.outbound.allow_private_networks = true;
    if demo.master_key.is_none() {
        // The demo tenant is recreated on every run, so a throwaway key is enough.
        demo.master_key = Some(MasterKey::generate().1);
        demo.previous_master_keys = None;
    }
    Ok(demo)
}

async fn run(tickets: usize, tool: ToolKind, config: Config) -> anyhow::Result<()> {
    println!("demo: database {DEMO_DATABASE}, queue prefix {DEMO_PREFIX}, tool {tool}, offline writer");
    enhancer_shared::db::create_database_if_missing(&config.database).await?;
    let pool = enhancer_shared::db::connect(&config.database).await?;
    enhancer_shared::db::migrate(&pool).await?;
    // A fresh tenant every run: its secrets are sealed with this run's key.
    sqlx::query("DELETE FROM enhancement_history WHERE tenant_id = $1").bind(DEMO_TENANT).execute(&pool).await?;
    // Deleting the tenant also deletes its corpus (tickets, articles, assets).
    sqlx::query("DELETE FROM tenant_configs WHERE tenant_id = $1").bind(DEMO_TENANT).execute(&pool).await?;

    let stack = LocalStack::start(config, Recording::Full)
        .await
        .context("cannot start the local stack (is RabbitMQ running?)")?;
    // The demo reports its own outcome below; the queues are deleted when it ends either way.
    stack.ingest.broker.expect_leftovers();
    println!("demo: local ticketing tool on {}", stack.tool.base_url());
    println!("demo: enhancer-ingest on {}", stack.ingest_url(""));
    let id_of = |sample: &samples::Sample| tool_webhooks::ticket_id(tool, sample.number);
    for sample in &SAMPLES {
        stack.tool.add_ticket(
            &id_of(sample),
            TicketSpec {
                subject: sample.subject.into(),
                description: sample.description.into(),
                priority: sample.priority.into(),
                requester: sample.requester.into(),
            },
        );
    }
    // A fresh secret every run; the generic tool's are Standard Webhooks `whsec_` keys.
    let secret = format!("whsec_{}", STANDARD.encode(rand::random::<[u8; 24]>()));
    let secrets = tool_webhooks::secrets(tool, &secret);
    stack.add_tenant(&pool, DEMO_TENANT, tool, &secrets, TenantSettings::default()).await?;
    corpus::seed(&pool, DEMO_TENANT).await?;

    let worker = stack.start_worker().await;
    println!("demo: enhancer-worker consuming");

    let client = reqwest::Client::new();
    for sample in SAMPLES.iter().take(tickets) {
        let id = format!("msg_{}", uuid::Uuid::new_v4().simple());
        let webhook = tool_webhooks::created(tool, &secret, &id_of(sample), &id, sample.subject);
        let mut request = client.post(stack.ingest_url(&format!("/webhooks/{DEMO_TENANT}")));
        for (name, value) in &webhook.headers {
            request = request.header(name, value);
        }
        let response = request.body(webhook.body).send().await?;
        let status = response.status();
        let answer = response.text().await.unwrap_or_default();
        println!("demo: POST webhook for {} -> {status} {answer}", id_of(sample));
    }

    let deadline = Instant::now() + Duration::from_secs(60);
    while stack.tool.note_count() < tickets && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = stack.tool.note_count();
    for sample in SAMPLES.iter().take(tickets) {
        for note in stack.tool.notes_for(&id_of(sample)) {
            println!("\n===== internal note on {} \"{}\" =====", id_of(sample), sample.subject);
            println!("{}", note.text());
        }
    }

    worker.stop().await;
    drop(stack);
    pool.close().await;
    if got < tickets {
        anyhow::bail!("only {got} of {tickets} notes arrived within 60 s; see the log lines above");
    }
    println!("\ndemo: {got} webhooks became {got} internal notes; everything stopped cleanly");
    Ok(())
}
