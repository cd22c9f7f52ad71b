//! The schema: migrations apply to an empty database, are idempotent, and a process refuses a schema that
//! is behind.

use enhancer_shared::db;
use enhancer_tests::{TestDb, run_cli};

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_are_idempotent() {
    let test_db = TestDb::empty().await;
    let first = db::migrate(&test_db.pool).await.expect("first run");
    assert!(!first.applied_now.is_empty(), "an empty database gets every migration");
    assert_eq!(first.already_applied, 0);

    let second = db::migrate(&test_db.pool).await.expect("second run");
    assert!(second.applied_now.is_empty(), "nothing is applied twice");
    assert_eq!(second.already_applied, first.applied_now.len());

    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' \
         AND table_name <> '_sqlx_migrations' ORDER BY table_name",
    )
    .fetch_all(&test_db.pool)
    .await
    .expect("list tables");
    assert_eq!(
        tables,
        [
            "article_embeddings",
            "assets",
            "embedding_probes",
            "enhancement_history",
            "kb_articles",
            "tenant_configs",
            "ticket_addresses",
            "ticket_embeddings",
            "tickets"
        ]
    );
}

#[tokio::test]
async fn schema_has_the_constraints_and_indexes_the_design_needs() {
    let test_db = TestDb::migrated().await;
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT indexname::text, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
    )
    .fetch_all(&test_db.pool)
    .await
    .expect("list indexes");
    let def = |name: &str| {
        indexes.iter().find(|(n, _)| n == name).map(|(_, d)| d.clone()).unwrap_or_else(|| panic!("no index {name}"))
    };
    assert!(def("tickets_search_idx").contains("USING gin (search)"));
    assert!(def("kb_articles_search_idx").contains("USING gin (search)"));
    assert!(def("assets_address_idx").contains("USING gist (address inet_ops)"));
    assert!(def("ticket_addresses_newest_idx").contains("(tenant_id, address, indexed_at DESC, ticket_id)"));
    for table in ["ticket_embeddings", "article_embeddings"] {
        assert!(def(&format!("{table}_written_idx")).contains("(tenant_id, model, embedded_at)"), "{table}");
    }
    assert!(
        indexes.iter().any(|(_, d)| d.contains("UNIQUE") && d.contains("(tenant_id, idempotency_key)")),
        "enhancement_history must be unique per tenant and idempotency key"
    );
    let ip_type: String = sqlx::query_scalar(
        "SELECT data_type::text FROM information_schema.columns WHERE table_name = 'assets' AND column_name = 'address'",
    )
    .fetch_one(&test_db.pool)
    .await
    .expect("column type");
    assert_eq!(ip_type, "inet");
}

#[tokio::test]
async fn completing_a_run_is_a_hot_update() {
    // No index of enhancement_history may cover a column a completion changes (status, finished_at, ...):
    // the completion is then updated in place, without new index entries (docs/BENCHMARKS.md).
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    enhancer_tests::insert_placeholder_tenant(pool, "acme", "generic").await;
    sqlx::query(
        "INSERT INTO enhancement_history (job_id, tenant_id, ticket_id, idempotency_key, tool, event_kind, status, \
             attempts, claimed_by, lease_expires_at, started_at) \
         VALUES (gen_random_uuid(), 'acme', '1', 'k1', 'generic', 'created', 'running', 1, 'w', now(), now())",
    )
    .execute(pool)
    .await
    .expect("claimed row");
    // The transaction's own counters are exact and immediate (the cumulative statistics are not).
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query(
        "UPDATE enhancement_history SET status = 'completed', gather_ms = 1, synthesize_ms = 1, update_ms = 1, \
             model = 'offline', note_ref = 'n1', finished_at = now(), claimed_by = NULL, lease_expires_at = NULL, \
             error_class = NULL, error_stage = NULL, error_message = NULL, updated_at = now() \
         WHERE idempotency_key = 'k1'",
    )
    .execute(&mut *tx)
    .await
    .expect("complete");
    let hot: i64 = sqlx::query_scalar("SELECT pg_stat_get_xact_tuples_hot_updated('enhancement_history'::regclass)")
        .fetch_one(&mut *tx)
        .await
        .expect("hot count");
    tx.commit().await.expect("commit");
    assert_eq!(hot, 1, "the completion must be a HOT update");
}

#[tokio::test]
async fn generated_search_vectors_and_inet_containment_work() {
    let test_db = TestDb::migrated().await;
    let pool = &test_db.pool;
    enhancer_tests::insert_placeholder_tenant(pool, "acme", "generic").await;
    sqlx::query("INSERT INTO tickets (tenant_id, ticket_id, subject, description) VALUES ('acme', '1', 'VPN tunnel drops', 'Users lose the VPN every hour')")
        .execute(pool)
        .await
        .expect("ticket");
    let hits: i64 =
        sqlx::query_scalar("SELECT count(*) FROM tickets WHERE search @@ plainto_tsquery('english', 'vpn drop')")
            .fetch_one(pool)
            .await
            .expect("search");
    assert_eq!(hits, 1);
    sqlx::query("INSERT INTO assets (tenant_id, asset_id, address, hostname) VALUES ('acme', 'net', '10.20.0.0/16', 'core-net')")
        .execute(pool)
        .await
        .expect("asset");
    let host: Option<String> = sqlx::query_scalar("SELECT hostname FROM assets WHERE '10.20.3.4'::inet <<= address")
        .fetch_optional(pool)
        .await
        .expect("containment");
    assert_eq!(host.as_deref(), Some("core-net"));
}

#[tokio::test]
async fn commands_refuse_a_database_whose_schema_is_behind() {
    let test_db = TestDb::empty().await;
    let err = db::ensure_schema_current(&test_db.pool).await.expect_err("empty schema is behind");
    assert!(err.to_string().contains("enhancer-worker migrate"), "{err}");

    let run = run_cli(&test_db.config(), &["tenant", "list"], "").await;
    assert!(run.err().contains("run `enhancer-worker migrate`"), "{}", run.err());

    let run = run_cli(&test_db.config(), &["migrate"], "").await;
    assert!(run.ok().contains("applied"), "{}", run.ok());
    let run = run_cli(&test_db.config(), &["migrate"], "").await;
    assert!(run.ok().contains("schema is up to date"), "{}", run.ok());
    db::ensure_schema_current(&test_db.pool).await.expect("current after migrate");
    assert!(run_cli(&test_db.config(), &["tenant", "list"], "").await.ok().contains("no tenants"));
}

#[tokio::test]
async fn migrate_creates_a_missing_database() {
    let test_db = TestDb::empty().await;
    // Point at a database that does not exist yet on the same server.
    let missing = format!("{}_new", test_db.name);
    let url = test_db.url.replace(&test_db.name, &missing);
    let config = test_db.config_with(&[("ENHANCER_DATABASE__URL", &url)]);
    let run = run_cli(&config, &["migrate"], "").await;
    let out = run.ok().to_owned();
    let pool = db::connect(&config.database).await.expect("the database now exists");
    db::ensure_schema_current(&pool).await.expect("and is migrated");
    pool.close().await;
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {missing} WITH (FORCE)")))
        .execute(&test_db.pool)
        .await
        .expect("clean up");
    assert!(out.contains("created the database"), "{out}");
}

#[tokio::test]
async fn ingest_refuses_a_schema_that_is_behind() {
    let test_db = TestDb::empty().await;
    let err = enhancer_ingest::startup::open_database(&test_db.config()).await.expect_err("behind");
    assert!(err.to_string().contains("run `enhancer-worker migrate` first"), "{err}");
    db::migrate(&test_db.pool).await.expect("migrate");
    enhancer_ingest::startup::open_database(&test_db.config()).await.expect("current");
}
