//! The migrations of both backends, embedded in the binary (no files needed at run time),
//! handed to sqlx's migrator; sqlx records each file's SHA-384 and refuses a changed one.

use crate::{Backend, DbError};
use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};
use std::borrow::Cow;

/// (file name, SQL) in version order. A test checks these lists against the directories.
pub const SQLITE: &[(&str, &str)] = &[
    (
        "0001_init.sql",
        include_str!("../migrations/sqlite/0001_init.sql"),
    ),
    (
        "0002_key_usage.sql",
        include_str!("../migrations/sqlite/0002_key_usage.sql"),
    ),
];

pub const POSTGRES: &[(&str, &str)] = &[
    (
        "0001_init.sql",
        include_str!("../migrations/postgres/0001_init.sql"),
    ),
    (
        "0002_key_usage.sql",
        include_str!("../migrations/postgres/0002_key_usage.sql"),
    ),
];

pub fn files(backend: Backend) -> &'static [(&'static str, &'static str)] {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

/// An embedded list as a sqlx migration source.
#[derive(Debug)]
pub struct Embedded(pub &'static [(&'static str, &'static str)]);

impl MigrationSource<'static> for Embedded {
    fn resolve(
        self,
    ) -> futures_core::future::BoxFuture<'static, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move {
            self.0
                .iter()
                .map(|(name, sql)| {
                    let (version, description) = parse_name(name)
                        .ok_or_else(|| format!("bad migration file name {name}"))?;
                    Ok(Migration::new(
                        version,
                        Cow::Owned(description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    ))
                })
                .collect()
        })
    }
}

/// `0002_key_usage.sql` → (2, "key usage").
pub fn parse_name(name: &str) -> Option<(i64, String)> {
    let stem = name.strip_suffix(".sql")?;
    let (version, description) = stem.split_once('_')?;
    Some((version.parse().ok()?, description.replace('_', " ")))
}

pub async fn migrator(backend: Backend) -> Result<Migrator, DbError> {
    Migrator::new(Embedded(files(backend)))
        .await
        .map_err(|e| DbError::Migrate(e.to_string()))
}

/// sqlx's migration errors, in words that say what to do.
pub fn explain(backend: Backend, error: MigrateError) -> DbError {
    let dir = match backend {
        Backend::Sqlite => "migrations/sqlite",
        Backend::Postgres => "migrations/postgres",
    };
    let name = |version: i64| {
        files(backend)
            .iter()
            .find(|(n, _)| parse_name(n).is_some_and(|(v, _)| v == version))
            .map_or_else(
                || format!("version {version}"),
                |(n, _)| format!("{dir}/{n}"),
            )
    };
    DbError::Migrate(match error {
        MigrateError::VersionMismatch(v) => format!(
            "{} was changed after it was applied to this database (its checksum differs); never edit a released migration — add a new one",
            name(v)
        ),
        MigrateError::VersionMissing(v) => format!(
            "the database has migration {v} applied, which this build does not know; is the build older than the database?"
        ),
        MigrateError::Dirty(v) => format!(
            "migration {} failed part-way on this database earlier; repair it by hand, then retry",
            name(v)
        ),
        MigrateError::ExecuteMigration(e, v) => format!("{} failed: {e}", name(v)),
        MigrateError::Execute(e) => format!("a migration in {dir} failed: {e}"),
        other => format!("migrating failed: {other}"),
    })
}
