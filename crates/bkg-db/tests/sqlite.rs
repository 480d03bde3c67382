//! bkg-db on SQLite: migrations apply to an empty database and again without change, the
//! two migration folders stay in step, an edited migration is refused with its file name,
//! and the typed API keeps tenants apart.

mod common;

use bkg_db::migrations::{self, Embedded};
use bkg_db::{Backend, Db};
use sqlx::migrate::Migrator;
use std::path::Path;

async fn fresh() -> Db {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    db.migrate().await.unwrap();
    db
}

#[tokio::test]
async fn migrations_apply_to_an_empty_database_and_are_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let dsn = format!("sqlite:{}", dir.path().join("bkg.db").display());
    let db = Db::connect(&dsn).await.unwrap();
    db.migrate().await.unwrap();
    db.migrate().await.unwrap();
    let pool = db.sqlite().unwrap();
    let applied: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(applied, [1, 2]);
    let flags: i64 =
        sqlx::query_scalar("SELECT count(*) FROM feature_flags WHERE namespace_id IS NULL")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(flags, 4);
    // Reopening the file finds everything applied.
    let again = Db::connect(&dsn).await.unwrap();
    again.migrate().await.unwrap();
    let admin = again
        .with_namespace("platform", async |t| t.accounts().await)
        .await
        .unwrap();
    assert_eq!(
        admin.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["platform-admin", "platform-namespace-operator"]
    );
}

#[tokio::test]
async fn an_edited_migration_is_refused_naming_the_file() {
    let db = fresh().await;
    let edited: &'static [(&'static str, &'static str)] = Box::leak(Box::new([
        (
            "0001_init.sql",
            Box::leak(format!("{}\n-- edited\n", migrations::SQLITE[0].1).into_boxed_str()) as &str,
        ),
        migrations::SQLITE[1],
    ]));
    let migrator = Migrator::new(Embedded(edited)).await.unwrap();
    let error = migrator.run(db.sqlite().unwrap()).await.unwrap_err();
    assert_eq!(
        migrations::explain(Backend::Sqlite, error).to_string(),
        "migrations/sqlite/0001_init.sql was changed after it was applied to this database (its checksum differs); never edit a released migration — add a new one"
    );
}

#[tokio::test]
async fn a_broken_migration_names_its_file() {
    let db = Db::connect("sqlite::memory:").await.unwrap();
    let broken: &'static [(&'static str, &'static str)] = &[(
        "0001_init.sql",
        "CREATE TABLE t (id INTEGER PRIMARY KEY);\nCREAT TABLE oops;\n",
    )];
    let error = Migrator::new(Embedded(broken))
        .await
        .unwrap()
        .run(db.sqlite().unwrap())
        .await
        .unwrap_err();
    let message = migrations::explain(Backend::Sqlite, error).to_string();
    assert!(
        message.starts_with("migrations/sqlite/0001_init.sql failed: "),
        "{message}"
    );
    assert!(message.contains("syntax error"), "{message}");
}

/// File names of a migrations folder, sorted.
fn folder(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

/// Tables and views a set of migrations creates.
fn relations(files: &[(&str, &str)]) -> Vec<String> {
    let mut names: Vec<String> = files
        .iter()
        .flat_map(|(_, sql)| sql.lines())
        .filter_map(|line| {
            let rest = line
                .trim()
                .strip_prefix("CREATE TABLE ")
                .or_else(|| line.trim().strip_prefix("CREATE VIEW "))?;
            Some(rest.split_whitespace().next()?.to_owned())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn the_two_folders_stay_in_step_and_are_all_embedded() {
    assert_eq!(
        folder("sqlite"),
        folder("postgres"),
        "same versions and names in both folders"
    );
    let embedded =
        |files: &[(&str, &str)]| files.iter().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
    assert_eq!(
        embedded(migrations::SQLITE),
        folder("sqlite"),
        "every sqlite migration is embedded"
    );
    assert_eq!(
        embedded(migrations::POSTGRES),
        folder("postgres"),
        "every postgres migration is embedded"
    );
    for ((name, sql), file) in migrations::SQLITE.iter().zip(folder("sqlite")) {
        let on_disk = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("migrations/sqlite")
                .join(&file),
        )
        .unwrap();
        assert_eq!((*name, *sql), (file.as_str(), on_disk.as_str()));
    }
    assert_eq!(
        relations(migrations::SQLITE),
        relations(migrations::POSTGRES),
        "same tables and views"
    );
    assert_eq!(
        relations(migrations::SQLITE),
        [
            "accounts",
            "active_api_keys",
            "api_keys",
            "audit_events",
            "feature_flags",
            "key_rotations",
            "namespaces"
        ]
    );
}

#[tokio::test]
async fn tenants_see_and_change_only_their_own_rows() {
    let db = fresh().await;
    for ns in ["alpha", "beta"] {
        db.with_namespace(ns, async |t| {
            t.create_namespace(&format!("{ns} team")).await?;
            t.create_account(&format!("{ns}-svc"), "svc", "service")
                .await
        })
        .await
        .unwrap();
    }
    let alpha = db
        .with_namespace("alpha", async |t| t.accounts().await)
        .await
        .unwrap();
    assert_eq!(
        alpha.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        ["alpha-svc"]
    );
    let (renamed, deleted) = db
        .with_namespace("alpha", async |t| {
            Ok((
                t.rename_account("beta-svc", "stolen").await?,
                t.delete_account("beta-svc").await?,
            ))
        })
        .await
        .unwrap();
    assert_eq!((renamed, deleted), (0, 0));
    let beta = db
        .with_namespace("beta", async |t| t.accounts().await)
        .await
        .unwrap();
    assert_eq!(beta[0].name, "svc");
    common::rotations_and_flags_stay_per_tenant(&db).await;
}

#[tokio::test]
async fn bkg_db_path_selects_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("from-env.db");
    // SAFETY: this test is the only one in this binary touching these variables.
    unsafe {
        std::env::remove_var("BKG_DB_DSN");
        std::env::set_var("BKG_DB_PATH", &path);
    }
    let db = Db::from_env().await.unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    db.migrate().await.unwrap();
    assert!(path.exists());
}
