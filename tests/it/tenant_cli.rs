//! `enhancer-worker tenant ...` end to end against a real database: the contract of docs/DESIGN.md section 8,
//! secrets never stored or printed in plain text, and bad input refused with nothing written.

use std::io::Write;

use enhancer_shared::crypto::KeyRing;
use enhancer_shared::domain::TenantId;
use enhancer_shared::tenant::store;
use enhancer_tests::{TestDb, run_cli};
use secrecy::ExposeSecret;
use serde_json::Value;

const WEBHOOK_SECRET: &str = "whsec-topsecret-0123456789";
const API_TOKEN: &str = "ATATT3xFfGF0-api-token-value";
const EMAIL: &str = "integration@acme.example";

fn jira_secrets() -> String {
    format!(
        r#"{{"webhook_secret": "{WEBHOOK_SECRET}", "credentials": {{"email": "{EMAIL}", "api_token": "{API_TOKEN}"}}}}"#
    )
}

fn file_with(content: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::NamedTempFile::new().expect("temp file");
    file.write_all(content.as_bytes()).expect("write");
    file
}

async fn add_acme(test_db: &TestDb) {
    let run = run_cli(
        &test_db.config(),
        &[
            "tenant",
            "add",
            "--id",
            "acme",
            "--name",
            "Acme",
            "--tool",
            "jira",
            "--base-url",
            "https://acme.atlassian.net",
            "--secrets-file",
            "-",
        ],
        &jira_secrets(),
    )
    .await;
    assert!(run.ok().contains("tenant acme added"), "{}", run.ok());
}

async fn tenant_count(test_db: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tenant_configs").fetch_one(&test_db.pool).await.expect("count")
}

#[tokio::test]
async fn add_list_show_update_disable() {
    let test_db = TestDb::migrated().await;
    let config = test_db.config();
    add_acme(&test_db).await;

    let listed = run_cli(&config, &["tenant", "list"], "").await;
    assert!(listed.ok().contains("acme") && listed.ok().contains("jira"), "{}", listed.ok());
    let listed: Value =
        serde_json::from_str(run_cli(&config, &["tenant", "list", "--json"], "").await.ok()).expect("json");
    assert_eq!(listed[0]["tenant_id"], "acme");
    assert_eq!(listed[0]["tool"], "jira");
    assert_eq!(listed[0]["enabled"], true);

    let shown = run_cli(&config, &["tenant", "show", "acme"], "").await;
    assert!(shown.ok().contains("https://acme.atlassian.net"), "{}", shown.ok());
    for run in [
        &shown,
        &run_cli(&config, &["tenant", "show", "acme", "--json"], "").await,
        &run_cli(&config, &["tenant", "list"], "").await,
    ] {
        for secret in [WEBHOOK_SECRET, API_TOKEN, EMAIL] {
            assert!(!run.ok().contains(secret), "output shows a secret: {}", run.ok());
        }
    }

    let settings = file_with(r#"{"integration_account_id": "557058:bot", "priority_map": {"Highest": "critical"}}"#);
    let updated = run_cli(
        &config,
        &[
            "tenant",
            "update",
            "acme",
            "--name",
            "Acme Corp",
            "--settings-file",
            settings.path().to_str().expect("path"),
        ],
        "",
    )
    .await;
    assert!(updated.ok().contains("updated"), "{}", updated.ok());
    let shown: Value =
        serde_json::from_str(run_cli(&config, &["tenant", "show", "acme", "--json"], "").await.ok()).expect("json");
    assert_eq!(shown["name"], "Acme Corp");
    assert_eq!(shown["settings"]["integration_account_id"], "557058:bot");
    assert_eq!(shown["settings"]["priority_map"]["Highest"], "critical");

    // New secrets replace the old ones; the tenant's tool decides which credential keys are valid.
    let rotated_secret =
        r#"{"webhook_secret": "second-webhook-secret", "credentials": {"shared_secret": "s", "client_key": "k"}}"#;
    run_cli(&config, &["tenant", "update", "acme", "--secrets-file", "-"], rotated_secret).await.ok();
    let keys = KeyRing::from_env_values(&test_db.master_key, None).expect("ring");
    let secrets =
        store::load_secrets(&test_db.pool, &keys, &TenantId::parse("acme").expect("id")).await.expect("secrets");
    assert_eq!(secrets.webhook_secret().expose_secret(), "second-webhook-secret");
    assert_eq!(secrets.credentials().get("client_key"), Some("k"));

    let disabled = run_cli(&config, &["tenant", "disable", "acme"], "").await;
    assert!(disabled.ok().contains("disabled"), "{}", disabled.ok());
    let listed: Value =
        serde_json::from_str(run_cli(&config, &["tenant", "list", "--json"], "").await.ok()).expect("json");
    assert_eq!(listed[0]["enabled"], false);
    run_cli(&config, &["tenant", "update", "acme", "--enable"], "").await.ok();
    let listed: Value =
        serde_json::from_str(run_cli(&config, &["tenant", "list", "--json"], "").await.ok()).expect("json");
    assert_eq!(listed[0]["enabled"], true);
}

#[tokio::test]
async fn no_secret_is_stored_in_plain_text() {
    let test_db = TestDb::migrated().await;
    add_acme(&test_db).await;
    // Every text-like and bytea column, as text and as raw bytes.
    enhancer_tests::assert_no_secret_stored(&test_db.pool, &[WEBHOOK_SECRET, API_TOKEN, EMAIL]).await;
}

async fn assert_refused(test_db: &TestDb, args: &[&str], stdin: &str, expected: &str) {
    let config = test_db.config_with(&[]);
    let run = run_cli(&config, args, stdin).await;
    let message = run.err();
    assert!(message.contains(expected), "for {args:?}, expected {expected:?} in: {message}");
    for secret in [WEBHOOK_SECRET, API_TOKEN] {
        assert!(!message.contains(secret), "error message leaks a secret: {message}");
    }
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_writes_nothing() {
    let test_db = TestDb::migrated().await;
    let add = |tool: &'static str, url: &'static str| {
        vec![
            "tenant",
            "add",
            "--id",
            "beta",
            "--name",
            "Beta",
            "--tool",
            tool,
            "--base-url",
            url,
            "--secrets-file",
            "-",
        ]
    };
    assert_refused(
        &test_db,
        &add("github", "https://beta.example.com"),
        &jira_secrets(),
        "no plugin for tool \"github\"",
    )
    .await;
    assert_refused(&test_db, &add("jira", "not a url"), &jira_secrets(), "base URL is not a valid absolute URL").await;
    assert_refused(&test_db, &add("jira", "http://beta.example.com"), &jira_secrets(), "--allow-insecure-url").await;
    assert_refused(&test_db, &add("jira", "https://169.254.169.254/latest"), &jira_secrets(), "metadata").await;
    assert_refused(
        &test_db,
        &add("jira", "https://10.0.0.5"),
        &jira_secrets(),
        "ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS",
    )
    .await;
    assert_refused(&test_db, &add("jira", "https://beta.example.com"), "{not json", "secrets must be a JSON object")
        .await;
    assert_refused(
        &test_db,
        &add("jira", "https://beta.example.com"),
        &format!(r#"{{"webhook_secret": "{WEBHOOK_SECRET}", "credentials": {{"email": "{EMAIL}"}}}}"#),
        "missing [\"api_token\"]",
    )
    .await;
    assert_refused(
        &test_db,
        &add("generic", "https://beta.example.com"),
        &jira_secrets(),
        "credentials for generic have unknown key",
    )
    .await;
    // Zendesk takes an API token with its agent's e-mail, or an OAuth token.
    assert_refused(
        &test_db,
        &add("zendesk", "https://beta.zendesk.com"),
        &format!(r#"{{"webhook_secret": "{WEBHOOK_SECRET}", "credentials": {{"api_token": "{API_TOKEN}"}}}}"#),
        "credentials for zendesk need {email, api_token} or {oauth_token}; missing [\"email\"]",
    )
    .await;
    assert_refused(
        &test_db,
        &add("freshservice", "https://beta.freshservice.com"),
        &jira_secrets(),
        "credentials for freshservice have unknown key",
    )
    .await;
    let mut bad_id = add("jira", "https://beta.example.com");
    bad_id[3] = "Bad Id!";
    assert_refused(&test_db, &bad_id, &jira_secrets(), "tenant id must be").await;
    assert_eq!(tenant_count(&test_db).await, 0, "no refused input may write a row");

    add_acme(&test_db).await;
    let mut duplicate = add("jira", "https://acme.atlassian.net");
    duplicate[3] = "acme";
    assert_refused(&test_db, &duplicate, &jira_secrets(), "tenant acme already exists").await;
    assert_eq!(tenant_count(&test_db).await, 1);

    // The master key is required to write secrets, and a malformed one is named.
    let no_key = test_db.config_with(&[("ENHANCER_MASTER_KEY", "")]);
    let run = run_cli(&no_key, &add("jira", "https://beta.example.com"), &jira_secrets()).await;
    assert!(run.err().contains("ENHANCER_MASTER_KEY is not set"), "{}", run.err());
    let short_key = test_db.config_with(&[("ENHANCER_MASTER_KEY", "c2hvcnQ=")]);
    let run = run_cli(&short_key, &add("jira", "https://beta.example.com"), &jira_secrets()).await;
    assert!(run.err().contains("ENHANCER_MASTER_KEY must decode to 32 bytes"), "{}", run.err());
    assert_eq!(tenant_count(&test_db).await, 1);

    // Private addresses pass once the operator allows them (on-prem tools), plain http with the flag.
    let on_prem = test_db.config_with(&[("ENHANCER_OUTBOUND__ALLOW_PRIVATE_NETWORKS", "true")]);
    let mut args = add("jira", "http://10.0.0.5:8080");
    args.push("--allow-insecure-url");
    run_cli(&on_prem, &args, &jira_secrets()).await.ok();
    assert_eq!(tenant_count(&test_db).await, 2);
}

/// A webhook secret with less than 16 bytes of key material is refused at `tenant add` and at
/// `tenant update --secrets-file`, by a message naming the rule and not the value.
#[tokio::test]
async fn weak_webhook_secrets_are_refused() {
    let test_db = TestDb::migrated().await;
    let config = test_db.config_with(&[]);
    let add = |tool: &'static str| {
        let url = "https://beta.example.com";
        vec![
            "tenant",
            "add",
            "--id",
            "beta",
            "--name",
            "Beta",
            "--tool",
            tool,
            "--base-url",
            url,
            "--secrets-file",
            "-",
        ]
    };
    let weak_jira =
        format!(r#"{{"webhook_secret": "Q", "credentials": {{"email": "{EMAIL}", "api_token": "{API_TOKEN}"}}}}"#);
    // `whsec_` and 20 base64 characters: a long-looking string holding a 15-byte key.
    let weak_generic = r#"{"webhook_secret": "whsec_MDEyMzQ1Njc4OWFiY2Rl", "credentials": {}}"#;
    for (args, secrets, leaked) in [(add("jira"), weak_jira.as_str(), "\"Q\""), (add("generic"), weak_generic, "MDEy")]
    {
        let run = run_cli(&config, &args, secrets).await;
        let message = run.err();
        assert!(
            message.contains("secrets.webhook_secret is too weak") && message.contains("at least 16 bytes"),
            "{message}"
        );
        assert!(!message.contains(leaked), "the message shows the secret: {message}");
    }
    assert_eq!(tenant_count(&test_db).await, 0, "a weak secret writes nothing");

    add_acme(&test_db).await;
    let run = run_cli(&config, &["tenant", "update", "acme", "--secrets-file", "-"], &weak_jira).await;
    assert!(run.err().contains("secrets.webhook_secret is too weak"), "{}", run.err());
    let keys = KeyRing::from_env_values(&test_db.master_key, None).expect("ring");
    let stored =
        store::load_secrets(&test_db.pool, &keys, &TenantId::parse("acme").expect("id")).await.expect("secrets");
    assert_eq!(stored.webhook_secret().expose_secret(), WEBHOOK_SECRET, "the refused update changed nothing");

    // Sixteen bytes pass, for the generic tool counted after decoding.
    let sixteen = r#"{"webhook_secret": "whsec_MDEyMzQ1Njc4OWFiY2RlZg==", "credentials": {}}"#;
    assert!(run_cli(&config, &add("generic"), sixteen).await.ok().contains("tenant beta added"));
}

#[tokio::test]
async fn secrets_cannot_be_passed_as_arguments() {
    let test_db = TestDb::migrated().await;
    let run = run_cli(
        &test_db.config(),
        &[
            "tenant",
            "add",
            "--id",
            "x",
            "--name",
            "X",
            "--tool",
            "generic",
            "--base-url",
            "https://x.example.com",
            "--webhook-secret",
            "abc",
        ],
        "",
    )
    .await;
    assert!(run.err().contains("--webhook-secret"), "{}", run.err());
    assert_eq!(tenant_count(&test_db).await, 0);
}
