//! `tenant rotate-key`: tenants sealed under the old key stay readable while the old key is listed as
//! previous, and are re-encrypted under the new one.

use enhancer_shared::crypto::{KeyRing, MasterKey};
use enhancer_shared::domain::TenantId;
use enhancer_shared::tenant::store;
use enhancer_tests::{TestDb, run_cli};
use secrecy::ExposeSecret;

async fn add(test_db: &TestDb, config: &enhancer_shared::config::Config, id: &str, secret: &str) {
    let secrets = format!(r#"{{"webhook_secret": "{secret}", "credentials": {{"callback_token": "key-{id}"}}}}"#);
    let args = [
        "tenant",
        "add",
        "--id",
        id,
        "--name",
        id,
        "--tool",
        "generic",
        "--base-url",
        "https://tool.example.com",
        "--secrets-file",
        "-",
    ];
    run_cli(config, &args, &secrets).await.ok();
    let _ = test_db;
}

#[tokio::test]
async fn rotation_keeps_old_tenants_readable_and_reencrypts_them() {
    let test_db = TestDb::migrated().await;
    let old_key = test_db.master_key.clone();
    let old_config = test_db.config();
    add(&test_db, &old_config, "one", "webhook-secret-one").await;
    add(&test_db, &old_config, "two", "webhook-secret-two").await;

    let (_, new_key) = MasterKey::generate();
    let rotating = test_db.config_with(&[
        ("ENHANCER_MASTER_KEY", new_key.expose_secret()),
        ("ENHANCER_PREVIOUS_MASTER_KEYS", old_key.expose_secret()),
    ]);
    let ring = KeyRing::from_env_values(&new_key, Some(&old_key)).expect("ring");

    // Before rotation: still readable through the previous key.
    let one = TenantId::parse("one").expect("id");
    let secrets = store::load_secrets(&test_db.pool, &ring, &one).await.expect("readable with previous key");
    assert_eq!(secrets.webhook_secret().expose_secret(), "webhook-secret-one");

    // A tenant added during the rotation is sealed under the new key right away.
    add(&test_db, &rotating, "three", "webhook-secret-three").await;

    let run = run_cli(&rotating, &["tenant", "rotate-key"], "").await;
    assert!(run.ok().contains("re-encrypted 2 tenant(s)"), "{}", run.ok());
    assert!(run.ok().contains("1 already used it"), "{}", run.ok());

    let key_ids: Vec<String> = sqlx::query_scalar("SELECT DISTINCT key_id FROM tenant_configs")
        .fetch_all(&test_db.pool)
        .await
        .expect("key ids");
    assert_eq!(key_ids, [ring.current_id().as_str().to_owned()]);

    // After rotation the old key is no longer needed.
    let new_only = KeyRing::from_env_values(&new_key, None).expect("ring");
    for (id, secret) in
        [("one", "webhook-secret-one"), ("two", "webhook-secret-two"), ("three", "webhook-secret-three")]
    {
        let loaded =
            store::load_secrets(&test_db.pool, &new_only, &TenantId::parse(id).expect("id")).await.expect("readable");
        assert_eq!(loaded.webhook_secret().expose_secret(), secret);
        assert_eq!(loaded.credentials().get("callback_token"), Some(format!("key-{id}").as_str()));
    }
    // Running it again is harmless.
    let again = run_cli(&rotating, &["tenant", "rotate-key"], "").await;
    assert!(again.ok().contains("re-encrypted 0 tenant(s)"), "{}", again.ok());
}

#[tokio::test]
async fn without_the_previous_key_old_tenants_fail_loudly() {
    let test_db = TestDb::migrated().await;
    add(&test_db, &test_db.config(), "one", "webhook-secret-one").await;
    let (_, new_key) = MasterKey::generate();
    let ring = KeyRing::from_env_values(&new_key, None).expect("ring");
    let err = store::load_secrets(&test_db.pool, &ring, &TenantId::parse("one").expect("id"))
        .await
        .expect_err("old key is unknown");
    assert!(err.to_string().contains("ENHANCER_PREVIOUS_MASTER_KEYS"), "{err}");

    let rotating = test_db.config_with(&[("ENHANCER_MASTER_KEY", new_key.expose_secret())]);
    let run = run_cli(&rotating, &["tenant", "rotate-key"], "").await;
    assert!(run.err().contains("1 tenant(s) could not be re-encrypted"), "{}", run.err());
    assert!(run.stdout.contains("not rotated: tenant one: no master key with id"), "{}", run.stdout);
}

/// One row that cannot be opened is reported (tenant and reason, no secret) and the rows after it are
/// still rotated; the command then fails, so a script notices.
#[tokio::test]
async fn rotation_reports_every_unopenable_row_and_rotates_the_rest() {
    let test_db = TestDb::migrated().await;
    let old_config = test_db.config();
    for id in ["one", "two", "three", "four"] {
        add(&test_db, &old_config, id, &format!("webhook-secret-{id}")).await;
    }
    // `one` and `three` are damaged: a flipped tag bit, and another tenant's ciphertext (the id is bound in).
    sqlx::query(
        "UPDATE tenant_configs SET webhook_secret_enc = overlay(webhook_secret_enc placing \
         decode(lpad(to_hex(get_byte(webhook_secret_enc, length(webhook_secret_enc) - 1) # 1), 2, '0'), 'hex') \
         from length(webhook_secret_enc)) WHERE tenant_id = 'one'",
    )
    .execute(&test_db.pool)
    .await
    .expect("tamper");
    sqlx::query(
        "UPDATE tenant_configs SET credentials_enc = (SELECT credentials_enc FROM tenant_configs WHERE tenant_id = 'four') \
         WHERE tenant_id = 'three'",
    )
    .execute(&test_db.pool)
    .await
    .expect("swap");

    let (_, new_key) = MasterKey::generate();
    let rotating = test_db.config_with(&[
        ("ENHANCER_MASTER_KEY", new_key.expose_secret()),
        ("ENHANCER_PREVIOUS_MASTER_KEYS", test_db.master_key.expose_secret()),
    ]);
    let run = run_cli(&rotating, &["tenant", "rotate-key"], "").await;
    assert!(run.err().contains("2 tenant(s) could not be re-encrypted"), "{}", run.err());
    let out = &run.stdout;
    assert!(out.contains("not rotated: tenant one: sealed value failed authentication"), "{out}");
    assert!(out.contains("not rotated: tenant three: sealed value failed authentication"), "{out}");
    assert!(out.contains("re-encrypted 2 tenant(s)") && out.contains("2 could not be opened"), "{out}");
    assert!(!out.contains("webhook-secret-") && !run.err().contains("webhook-secret-"), "a secret was printed");

    let new_only = KeyRing::from_env_values(&new_key, None).expect("ring");
    for id in ["two", "four"] {
        let loaded =
            store::load_secrets(&test_db.pool, &new_only, &TenantId::parse(id).expect("id")).await.expect("rotated");
        assert_eq!(loaded.webhook_secret().expose_secret(), format!("webhook-secret-{id}"));
    }
    let still_old: Vec<String> =
        sqlx::query_scalar("SELECT tenant_id FROM tenant_configs WHERE key_id <> $1 ORDER BY tenant_id")
            .bind(new_only.current_id().as_str())
            .fetch_all(&test_db.pool)
            .await
            .expect("query");
    assert_eq!(still_old, ["one", "three"], "the unopenable rows are left as they were");
}

#[tokio::test]
async fn a_tampered_ciphertext_is_refused() {
    let test_db = TestDb::migrated().await;
    add(&test_db, &test_db.config(), "one", "webhook-secret-one").await;
    // Flip one bit in the last byte (the authentication tag) of the stored credentials.
    sqlx::query(
        "UPDATE tenant_configs SET credentials_enc = overlay(credentials_enc placing \
         decode(lpad(to_hex(get_byte(credentials_enc, length(credentials_enc) - 1) # 1), 2, '0'), 'hex') \
         from length(credentials_enc)) WHERE tenant_id = 'one'",
    )
    .execute(&test_db.pool)
    .await
    .expect("tamper");
    let ring = KeyRing::from_env_values(&test_db.master_key, None).expect("ring");
    let err =
        store::load_secrets(&test_db.pool, &ring, &TenantId::parse("one").expect("id")).await.expect_err("tampered");
    assert!(err.to_string().contains("failed authentication"), "{err}");

    // Moving one tenant's ciphertext to another tenant's row fails too (the tenant id is bound in).
    add(&test_db, &test_db.config(), "two", "webhook-secret-two").await;
    sqlx::query(
        "UPDATE tenant_configs SET credentials_enc = (SELECT credentials_enc FROM tenant_configs WHERE tenant_id = 'two') \
         WHERE tenant_id = 'one'",
    )
    .execute(&test_db.pool)
    .await
    .expect("swap");
    let err = store::load_secrets(&test_db.pool, &ring, &TenantId::parse("one").expect("id")).await.expect_err("moved");
    assert!(err.to_string().contains("failed authentication"), "{err}");
    let two = store::load_secrets(&test_db.pool, &ring, &TenantId::parse("two").expect("id")).await.expect("untouched");
    assert_eq!(two.webhook_secret().expose_secret(), "webhook-secret-two");
}
