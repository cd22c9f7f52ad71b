//! `enhancer-worker tenant import-legacy` end to end against a real database, on exports whose Fernet
//! tokens were made by Python's `cryptography` (tests/data/legacy/generate.py): secrets re-sealed under the
//! master key and nowhere in plain text, a bad row reported with its line and nothing written, `--dry-run`
//! writing nothing, and a rerun that changes nothing unless asked to.

use std::collections::BTreeMap;

use enhancer_shared::crypto::KeyRing;
use enhancer_shared::domain::{Priority, TenantId, ToolKind};
use enhancer_shared::tenant::store;
use enhancer_tests::{TestDb, run_cli};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Map, Value};

#[derive(Deserialize)]
struct Fixture {
    key: String,
    old_key: String,
    wrong_key: String,
    tenants: BTreeMap<String, Plain>,
    changed_acme_webhook_secret: String,
}

#[derive(Deserialize)]
struct Plain {
    webhook_secret: String,
    credentials: Map<String, Value>,
}

impl Fixture {
    fn load() -> Fixture {
        serde_json::from_str(&std::fs::read_to_string(data("fixture.json")).expect("fixture")).expect("fixture JSON")
    }

    /// The platform's current and previous key, as its MultiFernet held them.
    fn both_keys(&self) -> String {
        format!("{},{}", self.key, self.old_key)
    }

    /// Every plaintext secret of the fixture, for leak checks.
    fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![self.changed_acme_webhook_secret.clone()];
        for plain in self.tenants.values() {
            secrets.push(plain.webhook_secret.clone());
            secrets.extend(plain.credentials.values().filter_map(Value::as_str).map(str::to_owned));
        }
        secrets
    }
}

fn data(name: &str) -> String {
    format!("{}/data/legacy/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn import(test_db: &TestDb, legacy_key: &str, file: &str, flags: &[&str]) -> enhancer_tests::CliRun {
    let config = test_db.config_with(&[("ENHANCER_LEGACY_FERNET_KEY", legacy_key)]);
    let path = data(file);
    let mut args = vec!["tenant", "import-legacy", path.as_str()];
    args.extend_from_slice(flags);
    run_cli(&config, &args, "").await
}

async fn tenant_count(test_db: &TestDb) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM tenant_configs").fetch_one(&test_db.pool).await.expect("count")
}

fn id(raw: &str) -> TenantId {
    TenantId::parse(raw).expect("tenant id")
}

fn assert_no_secret_in(text: &str, fixture: &Fixture) {
    for secret in fixture.secrets() {
        assert!(!text.contains(&secret), "output shows a secret: {text}");
    }
}

/// No column of any row holds one of the fixture's secrets (`enhancer_tests::assert_no_secret_stored`).
async fn assert_no_plaintext_stored(test_db: &TestDb, fixture: &Fixture) {
    let secrets = fixture.secrets();
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    enhancer_tests::assert_no_secret_stored(&test_db.pool, &secrets).await;
}

#[tokio::test]
async fn imports_an_export_and_reseals_its_secrets() {
    let test_db = TestDb::migrated().await;
    let fixture = Fixture::load();

    // `hooli` has a plain-http URL: refused unless allowed for it, and then nothing at all is written.
    let refused = import(&test_db, &fixture.both_keys(), "tenants.jsonl", &[]).await;
    assert!(refused.stdout.contains("line 5 (hooli): base URL must use https"), "{}", refused.stdout);
    assert!(refused.err().contains("1 row(s) of the legacy export failed"), "{}", refused.err());
    assert_eq!(tenant_count(&test_db).await, 0);

    let run = import(&test_db, &fixture.both_keys(), "tenants.jsonl", &["--allow-insecure-url", "hooli"]).await;
    let out = run.ok();
    assert!(out.contains("line 1 (acme): imported (jira, https://acme.atlassian.net/)"), "{out}");
    assert!(out.contains("line 2 (globex): imported (servicedesk_plus"), "{out}");
    assert!(out.contains("line 4 (initech): imported"), "{out}");
    assert!(out.contains("line 5 (hooli): imported (generic, http://helpdesk.hooli.example/)"), "{out}");
    assert!(out.contains("legacy tenants: imported 4, updated 0, unchanged 0, skipped 0, failed 0"), "{out}");
    assert_no_secret_in(out, &fixture);
    assert_eq!(tenant_count(&test_db).await, 4);

    // Read back through the store: the secrets open under the master key and equal what Python sealed.
    let keys = KeyRing::from_env_values(&test_db.master_key, None).expect("ring");
    for (tenant, plain) in &fixture.tenants {
        let secrets = store::load_secrets(&test_db.pool, &keys, &id(tenant)).await.expect("secrets");
        assert_eq!(secrets.webhook_secret().expose_secret(), &plain.webhook_secret, "{tenant}");
        assert_eq!(secrets.credentials().as_map(), &plain.credentials, "{tenant}");
    }
    let acme = store::get(&test_db.pool, &id("acme")).await.expect("get").expect("acme");
    assert_eq!((acme.name.as_str(), acme.tool, acme.enabled), ("Acme IT", ToolKind::Jira, true));
    assert_eq!(acme.settings.priority_map.get("Highest"), Some(&Priority::Critical));
    assert!(acme.settings.redact_pii && !acme.allow_insecure_url);
    let hooli = store::get(&test_db.pool, &id("hooli")).await.expect("get").expect("hooli");
    assert!(hooli.allow_insecure_url);
    assert_no_plaintext_stored(&test_db, &fixture).await;
}

#[tokio::test]
async fn a_bad_row_is_reported_with_its_line_and_nothing_is_written() {
    let test_db = TestDb::migrated().await;
    let fixture = Fixture::load();
    let run = import(&test_db, &fixture.both_keys(), "mixed.jsonl", &[]).await;
    let error = run.err();
    assert!(error.contains("10 row(s) of the legacy export failed (listed above); nothing was written"), "{error}");
    let expected = [
        "line 2 (tampered): webhook_secret_encrypted: legacy Fernet token could not be decrypted",
        "line 3 (wrong-key): api_credentials_encrypted: legacy Fernet token could not be decrypted",
        "line 4 (remedy): ",
        "line 5 (plain-http): base URL must use https",
        "line 6 (no-token): ",
        "line 7 (on-prem): base URL points at a loopback or private address",
        "line 8: not a JSON object on one line",
        "line 9 (acme): the same tenant id is on line 1",
        "line 10 (zero-rate): settings.rate_limit.per_second",
        "line 11 (Bad Id!): tenant id must be",
    ];
    let lines: Vec<&str> = run.stdout.lines().collect();
    for (line, want) in lines.iter().zip(expected) {
        assert!(line.starts_with(want), "expected {want:?}, got {line:?}\n{}", run.stdout);
    }
    // The unknown tool and the missing credential are named, whatever the wording around them.
    assert!(lines[2].contains("\"bmc_remedy\""), "{}", lines[2]);
    assert!(lines[4].contains("credentials") && lines[4].contains("api_token"), "{}", lines[4]);
    assert_eq!(lines[10], "legacy tenants: failed 10 of 12 row(s); nothing was written");
    assert!(!run.stdout.contains("line 1 ") && !run.stdout.contains("line 12 "), "{}", run.stdout);
    assert_no_secret_in(&run.stdout, &fixture);
    assert_no_secret_in(error, &fixture);
    assert_eq!(tenant_count(&test_db).await, 0, "the valid rows are not written either");

    // Without the platform's previous key, the row sealed under it is the one refused.
    let run = import(&test_db, &fixture.key, "tenants.jsonl", &["--allow-insecure-url", "hooli"]).await;
    assert!(
        run.stdout
            .starts_with("line 2 (globex): api_credentials_encrypted: legacy Fernet token could not be decrypted"),
        "{}",
        run.stdout
    );
    run.err();
    // An unrelated key opens nothing.
    let run = import(&test_db, &fixture.wrong_key, "tenants.jsonl", &["--allow-insecure-url", "hooli"]).await;
    assert!(run.stdout.contains("failed 4 of 4 row(s)"), "{}", run.stdout);
    assert_eq!(tenant_count(&test_db).await, 0);
}

#[tokio::test]
async fn dry_run_writes_nothing() {
    let test_db = TestDb::migrated().await;
    let fixture = Fixture::load();
    let run =
        import(&test_db, &fixture.both_keys(), "tenants.jsonl", &["--dry-run", "--allow-insecure-url", "hooli"]).await;
    let out = run.ok();
    assert!(out.contains("line 1 (acme): would be imported (jira, https://acme.atlassian.net/)"), "{out}");
    assert!(out.contains("dry run, nothing written; would have: imported 4, updated 0"), "{out}");
    assert_eq!(tenant_count(&test_db).await, 0);
    // A dry run checks what the real run checks.
    let run = import(&test_db, &fixture.both_keys(), "mixed.jsonl", &["--dry-run"]).await;
    assert!(run.err().contains("10 row(s)"), "{}", run.err());
    assert_eq!(tenant_count(&test_db).await, 0);
}

async fn updated_at(test_db: &TestDb, tenant: &str) -> chrono::DateTime<chrono::Utc> {
    store::get(&test_db.pool, &id(tenant)).await.expect("get").expect("tenant").updated_at
}

#[tokio::test]
async fn rerun_is_safe_and_changes_need_update_existing() {
    let test_db = TestDb::migrated().await;
    let fixture = Fixture::load();
    let keys = KeyRing::from_env_values(&test_db.master_key, None).expect("ring");
    let webhook_secret = async |tenant: &str| {
        let secrets = store::load_secrets(&test_db.pool, &keys, &id(tenant)).await.expect("secrets");
        secrets.webhook_secret().expose_secret().to_owned()
    };
    let insecure = ["--allow-insecure-url", "hooli"];
    import(&test_db, &fixture.both_keys(), "tenants.jsonl", &insecure).await.ok();
    let before = updated_at(&test_db, "acme").await;

    // The same export again: every tenant unchanged, no row touched.
    let run = import(&test_db, &fixture.both_keys(), "tenants.jsonl", &insecure).await;
    assert!(
        run.ok().contains("legacy tenants: imported 0, updated 0, unchanged 4, skipped 0, failed 0"),
        "{}",
        run.ok()
    );
    assert!(run.ok().contains("line 1 (acme): unchanged"), "{}", run.ok());
    assert_eq!(tenant_count(&test_db).await, 4);
    assert_eq!(updated_at(&test_db, "acme").await, before);

    // A changed tenant is left as it is and named, with what differs; fresh tokens of the same secrets
    // are no change.
    let run = import(&test_db, &fixture.both_keys(), "changed.jsonl", &insecure).await;
    let out = run.ok();
    assert!(
        out.contains(
            "line 1 (acme): skipped: exists here with a different name, secrets; rerun with --update-existing"
        ),
        "{out}"
    );
    assert!(out.contains("imported 0, updated 0, unchanged 3, skipped 1, failed 0"), "{out}");
    assert_eq!(webhook_secret("acme").await, fixture.tenants["acme"].webhook_secret);

    let flags = ["--update-existing", "--dry-run", "--allow-insecure-url", "hooli"];
    let run = import(&test_db, &fixture.both_keys(), "changed.jsonl", &flags).await;
    assert!(run.ok().contains("line 1 (acme): would be updated: name, secrets"), "{}", run.ok());
    assert_eq!(updated_at(&test_db, "acme").await, before);

    let flags = ["--update-existing", "--allow-insecure-url", "hooli"];
    let run = import(&test_db, &fixture.both_keys(), "changed.jsonl", &flags).await;
    assert!(run.ok().contains("imported 0, updated 1, unchanged 3, skipped 0, failed 0"), "{}", run.ok());
    assert_no_secret_in(run.ok(), &fixture);
    let acme = store::get(&test_db.pool, &id("acme")).await.expect("get").expect("acme");
    assert_eq!(acme.name, "Acme Corporation IT");
    assert_eq!(webhook_secret("acme").await, fixture.changed_acme_webhook_secret);
    assert_eq!(acme.settings.priority_map.get("Highest"), Some(&Priority::Critical), "unchanged fields stay");
    let run = import(&test_db, &fixture.both_keys(), "changed.jsonl", &flags).await;
    assert!(run.ok().contains("unchanged 4"), "{}", run.ok());

    // Another tool under a known id is never overwritten, not even with --update-existing.
    let run = import(&test_db, &fixture.both_keys(), "tool_changed.jsonl", &["--update-existing"]).await;
    assert!(
        run.stdout.contains("line 1 (initech): tenant initech exists here with tool generic, not jira"),
        "{}",
        run.stdout
    );
    run.err();
    assert_eq!(store::get(&test_db.pool, &id("initech")).await.expect("get").expect("initech").tool, ToolKind::Generic);
    assert_no_plaintext_stored(&test_db, &fixture).await;
}

#[tokio::test]
async fn the_legacy_key_comes_from_the_environment_only() {
    let test_db = TestDb::migrated().await;
    let fixture = Fixture::load();
    let path = data("tenants.jsonl");

    let run = run_cli(&test_db.config(), &["tenant", "import-legacy", &path], "").await;
    assert!(run.err().contains("ENHANCER_LEGACY_FERNET_KEY is not set"), "{}", run.err());

    let run = import(&test_db, "not-a-fernet-key", "tenants.jsonl", &[]).await;
    assert!(run.err().contains("ENHANCER_LEGACY_FERNET_KEY is not usable"), "{}", run.err());
    assert!(run.err().contains("legacy Fernet key 1 is not 32 bytes"), "{}", run.err());
    assert!(!run.err().contains("not-a-fernet-key"), "{}", run.err());

    let run = run_cli(&test_db.config(), &["tenant", "import-legacy", &path, "--fernet-key", &fixture.key], "").await;
    assert!(run.err().contains("--fernet-key"), "{}", run.err());

    // The master key seals the imported secrets, so it is required as for `tenant add`.
    let no_master =
        test_db.config_with(&[("ENHANCER_LEGACY_FERNET_KEY", &fixture.both_keys()), ("ENHANCER_MASTER_KEY", "")]);
    let run = run_cli(&no_master, &["tenant", "import-legacy", &path], "").await;
    assert!(run.err().contains("ENHANCER_MASTER_KEY is not set"), "{}", run.err());

    // The export may come on stdin.
    let stdin = std::fs::read_to_string(&path).expect("export");
    let config = test_db.config_with(&[("ENHANCER_LEGACY_FERNET_KEY", &fixture.both_keys())]);
    let args = ["tenant", "import-legacy", "-", "--allow-insecure-url", "hooli"];
    assert!(run_cli(&config, &args, &stdin).await.ok().contains("imported 4"));
    assert_eq!(tenant_count(&test_db).await, 4);
}
