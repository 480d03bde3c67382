//! bkg-db on a real Postgres (`BKG_DB_DSN`; `cargo xtask run migrations` starts a throwaway
//! cluster): migrations on a fresh database, row-level security as the application role,
//! the catalog's view of RLS, an edited migration, and parity with the SQLite schema.
#![cfg(feature = "postgres")]

mod common;

use bkg_db::migrations::{self, Embedded};
use bkg_db::{Backend, Db};
use sqlx::Row;
use sqlx::migrate::Migrator;

/// The server's DSN; these tests refuse to pass without one.
fn server() -> String {
    std::env::var("BKG_DB_DSN")
        .ok()
        .filter(|d| !d.is_empty())
        .expect("the Postgres tests need BKG_DB_DSN; `cargo xtask run migrations` starts a throwaway Postgres for them")
}

/// `dsn` pointing at database `name`.
fn with_database(dsn: &str, name: &str) -> String {
    let (scheme, rest) = dsn.split_once("://").unwrap();
    let (authority, rest) = rest.split_once('/').unwrap_or((rest, ""));
    let query = rest
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{scheme}://{authority}/{name}{query}")
}

/// A new, empty database on the server (dropped by `drop_database`).
async fn fresh_database(label: &str) -> (Db, String) {
    let name = format!("bkg_test_{label}_{}", std::process::id());
    let admin = Db::connect(&server()).await.unwrap();
    let pool = admin.postgres().unwrap();
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(pool)
        .await
        .unwrap();
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(pool)
        .await
        .unwrap();
    (
        Db::connect(&with_database(&server(), &name)).await.unwrap(),
        name,
    )
}

async fn drop_database(db: Db, name: &str) {
    db.postgres().unwrap().close().await;
    let admin = Db::connect(&server()).await.unwrap();
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(admin.postgres().unwrap())
        .await
        .unwrap();
}

async fn two_tenants(db: &Db) {
    // Tenants come to exist through the owner (the migration role), as in operations.
    sqlx::raw_sql(
        "INSERT INTO namespaces (id, display_name) VALUES ('alpha', 'Alpha'), ('beta', 'Beta');
         INSERT INTO accounts (id, namespace_id, name, kind) VALUES ('alpha-svc', 'alpha', 'svc', 'service'), ('beta-svc', 'beta', 'svc', 'service');",
    )
    .execute(db.postgres().unwrap())
    .await
    .unwrap();
}

#[tokio::test]
async fn migrations_apply_to_a_fresh_database_and_again_without_change() {
    let (db, name) = fresh_database("fresh").await;
    assert_eq!(db.backend(), Backend::Postgres);
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(db.postgres().unwrap())
            .await
            .unwrap();
    assert_eq!(applied, [1, 2]);
    drop_database(db, &name).await;
}

#[tokio::test]
async fn row_level_security_keeps_tenants_apart_as_the_application_role() {
    let (db, name) = fresh_database("rls").await;
    db.migrate().await.unwrap();
    two_tenants(&db).await;
    let seen = db
        .with_namespace("alpha", async |t| t.accounts().await)
        .await
        .unwrap();
    assert_eq!(
        seen.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["alpha-svc"],
        "reads: only its own rows"
    );
    let (renamed, deleted) = db
        .with_namespace("alpha", async |t| {
            Ok((
                t.execute("UPDATE accounts SET name = 'stolen' WHERE id = 'beta-svc'")
                    .await?,
                t.execute("DELETE FROM accounts WHERE id = 'beta-svc'")
                    .await?,
            ))
        })
        .await
        .unwrap();
    assert_eq!(
        (renamed, deleted),
        (0, 0),
        "updates and deletes of other tenants' rows touch nothing"
    );
    let insert = db
        .with_namespace("alpha", async |t| t.execute("INSERT INTO accounts (id, namespace_id, name, kind) VALUES ('evil', 'beta', 'evil', 'user')").await)
        .await
        .unwrap_err();
    assert!(
        insert
            .to_string()
            .contains("new row violates row-level security policy for table \"accounts\""),
        "{insert}"
    );
    let moved = db
        .with_namespace("alpha", async |t| {
            t.execute("UPDATE accounts SET namespace_id = 'beta' WHERE id = 'alpha-svc'")
                .await
        })
        .await
        .unwrap_err();
    assert!(
        moved.to_string().contains("row-level security"),
        "moving a row to another tenant is refused: {moved}"
    );
    let beta = db
        .with_namespace("beta", async |t| t.accounts().await)
        .await
        .unwrap();
    assert_eq!(beta[0].name, "svc", "beta's row is untouched");

    // Rotations and flags go through the same policies.
    common::rotations_and_flags_stay_per_tenant(&db).await;
    drop_database(db, &name).await;
}

#[tokio::test]
async fn an_unset_or_reset_tenant_sees_nothing() {
    let (db, name) = fresh_database("unset").await;
    db.migrate().await.unwrap();
    two_tenants(&db).await;
    let pool = db.postgres().unwrap();
    for setup in ["", "SELECT set_config('app.namespace_id', '', true);"] {
        let mut tx = pool.begin().await.unwrap();
        sqlx::raw_sql(&format!("{setup} SET LOCAL ROLE bkg_app;"))
            .execute(&mut *tx)
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM accounts")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(n, 0, "setup `{setup}`");
        let views: i64 = sqlx::query_scalar("SELECT count(*) FROM active_api_keys")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(views, 0);
        tx.rollback().await.unwrap();
    }
    drop_database(db, &name).await;
}

#[tokio::test]
async fn every_tenant_table_has_forced_rls_and_a_policy_and_views_run_as_the_caller() {
    let (db, name) = fresh_database("catalog").await;
    db.migrate().await.unwrap();
    let rows = sqlx::query(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, (SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> '_sqlx_migrations'
           AND (EXISTS (SELECT 1 FROM information_schema.columns col WHERE col.table_name = c.relname AND col.column_name = 'namespace_id') OR c.relname = 'namespaces')
         ORDER BY c.relname",
    )
    .fetch_all(db.postgres().unwrap())
    .await
    .unwrap();
    let tables: Vec<(String, bool, bool, i64)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(tables.len(), 6, "{tables:?}");
    for (table, enabled, forced, policies) in &tables {
        assert!(
            *enabled && *forced && *policies >= 1,
            "{table}: rls {enabled}, forced {forced}, {policies} policies"
        );
    }
    let views: Vec<(String, Option<Vec<String>>)> = sqlx::query("SELECT relname, reloptions FROM pg_class WHERE relkind = 'v' AND relnamespace = 'public'::regnamespace")
        .fetch_all(db.postgres().unwrap())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        views,
        [(
            "active_api_keys".to_string(),
            Some(vec!["security_invoker=true".to_string()])
        )]
    );
    let superuser: bool =
        sqlx::query_scalar("SELECT rolsuper FROM pg_roles WHERE rolname = 'bkg_app'")
            .fetch_one(db.postgres().unwrap())
            .await
            .unwrap();
    assert!(!superuser, "the application role is not a superuser");
    drop_database(db, &name).await;
}

#[tokio::test]
async fn an_edited_migration_is_refused_naming_the_file() {
    let (db, name) = fresh_database("edited").await;
    db.migrate().await.unwrap();
    let edited: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
        migrations::POSTGRES[0],
        (
            "0002_key_usage.sql",
            Box::leak(format!("{}\n-- edited\n", migrations::POSTGRES[1].1).into_boxed_str())
                as &str,
        ),
    ]));
    let error = Migrator::new(Embedded(edited))
        .await
        .unwrap()
        .run(db.postgres().unwrap())
        .await
        .unwrap_err();
    assert_eq!(
        migrations::explain(Backend::Postgres, error).to_string(),
        "migrations/postgres/0002_key_usage.sql was changed after it was applied to this database (its checksum differs); never edit a released migration — add a new one"
    );
    drop_database(db, &name).await;
}

#[tokio::test]
async fn a_fresh_database_round_trip_gives_the_same_schema_as_sqlite_has_tables() {
    let schema = async |label: &str| {
        let (db, name) = fresh_database(label).await;
        db.migrate().await.unwrap();
        let columns: Vec<(String, String, String)> = sqlx::query(
            "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
        )
        .fetch_all(db.postgres().unwrap())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        drop_database(db, &name).await;
        columns
    };
    let first = schema("round1").await;
    let second = schema("round2").await;
    assert_eq!(
        first, second,
        "two fresh databases migrate to the same schema"
    );
    let mut pg_tables: Vec<String> = first
        .iter()
        .map(|(t, _, _)| t.clone())
        .filter(|t| t != "_sqlx_migrations")
        .collect();
    pg_tables.dedup();

    let sqlite = Db::connect("sqlite::memory:").await.unwrap();
    sqlite.migrate().await.unwrap();
    let sqlite_tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(sqlite.sqlite().unwrap())
    .await
    .unwrap();
    assert_eq!(
        pg_tables, sqlite_tables,
        "both backends have the same tables and views"
    );
}
