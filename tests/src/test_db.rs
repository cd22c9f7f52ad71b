//! One PostgreSQL database per test, created on the local server and dropped when the test ends (even when
//! it fails), so tests never see each other's rows.

use std::collections::HashMap;

use enhancer_shared::config::Config;
use enhancer_shared::crypto::MasterKey;
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgPoolOptions;
use sqlx::{Executor, PgPool};

/// The server tests create their databases on; CI and development machines run it locally.
fn admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct TestDb {
    pub name: String,
    pub url: String,
    pub pool: PgPool,
    /// The master key of this test's configuration (base64), for tests that build their own key ring.
    pub master_key: SecretString,
}

impl TestDb {
    /// An empty database: no tables, no migrations.
    pub async fn empty() -> TestDb {
        let name = format!("enhancer_test_{}", uuid::Uuid::new_v4().simple());
        let admin = PgPoolOptions::new().max_connections(1).connect(&admin_url()).await.expect(
            "PostgreSQL must be running on 127.0.0.1:5432 (see README: `bash .ci/run` starts it), or set TEST_DATABASE_URL",
        );
        admin.execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).await.expect("create the test database");
        admin.close().await;
        let url = match admin_url().rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => panic!("TEST_DATABASE_URL must end with a database name"),
        };
        let pool = PgPoolOptions::new().max_connections(5).connect(&url).await.expect("connect to the test database");
        TestDb { name, url, pool, master_key: MasterKey::generate().1 }
    }

    /// A database with every migration applied.
    pub async fn migrated() -> TestDb {
        let db = TestDb::empty().await;
        enhancer_shared::db::migrate(&db.pool).await.expect("migrations apply");
        db
    }

    /// The environment a process would get to use this database, with a master key.
    pub fn env(&self) -> HashMap<String, String> {
        HashMap::from([
            ("ENHANCER_DATABASE__URL".to_owned(), self.url.clone()),
            ("ENHANCER_MASTER_KEY".to_owned(), self.master_key.expose_secret().to_owned()),
        ])
    }

    /// A validated configuration for this database, with extra `ENHANCER_*` variables on top.
    pub fn config_with(&self, extra: &[(&str, &str)]) -> Config {
        let mut env = self.env();
        for (key, value) in extra {
            env.insert((*key).to_owned(), (*value).to_owned());
        }
        Config::load_from(None, env).expect("test configuration is valid")
    }

    pub fn config(&self) -> Config {
        self.config_with(&[])
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop runs outside async context; a short-lived runtime on its own thread does the cleanup.
        // `WITH (FORCE)` ends the pool's connections, which may still be open.
        let name = self.name.clone();
        let cleanup = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async move {
                if let Ok(admin) = PgPoolOptions::new().max_connections(1).connect(&admin_url()).await {
                    let _ = admin
                        .execute(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .await;
                    admin.close().await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

/// A `tenant_configs` row (named as its id) with placeholder secrets, for tests of the tables that reference
/// tenants and never decrypt anything.
pub async fn insert_placeholder_tenant(pool: &PgPool, id: &str, tool: &str) {
    sqlx::query(
        "INSERT INTO tenant_configs (tenant_id, name, tool, base_url, credentials_enc, webhook_secret_enc, key_id) \
         VALUES ($1, $1, $2, 'https://x.example.com', '\\x00', '\\x00', '0000000000000000')",
    )
    .bind(id)
    .bind(tool)
    .execute(pool)
    .await
    .expect("placeholder tenant");
}

/// Asserts that no text, bytea or jsonb column of any `tenant_configs` row holds one of `secrets`, as text or
/// as raw bytes: secrets are stored sealed, whichever command wrote them.
pub async fn assert_no_secret_stored(pool: &PgPool, secrets: &[&str]) {
    let columns: Vec<String> = sqlx::query_scalar(
        "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'tenant_configs' \
         AND data_type IN ('text', 'bytea', 'jsonb', 'character varying')",
    )
    .fetch_all(pool)
    .await
    .expect("columns");
    assert!(columns.len() >= 8, "expected the text and bytea columns, got {columns:?}");
    for column in columns {
        let texts: Vec<Vec<u8>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT convert_to({column}::text, 'UTF8') FROM tenant_configs"
        )))
        .fetch_all(pool)
        .await
        .expect("column values");
        let raws: Vec<Vec<u8>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {column} FROM tenant_configs WHERE pg_typeof({column}) = 'bytea'::regtype"
        )))
        .fetch_all(pool)
        .await
        .unwrap_or_default();
        for secret in secrets {
            let needle = secret.as_bytes();
            let found = |hay: &Vec<u8>| hay.windows(needle.len()).any(|w| w == needle);
            assert!(!texts.iter().any(found), "{column} holds {secret} as text");
            assert!(!raws.iter().any(found), "{column} holds {secret} as bytes");
        }
    }
}
