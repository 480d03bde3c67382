//! bkg-db: the platform database behind one typed API — SQLite for the prototype and local
//! work, Postgres with row-level security for production. `Db::with_namespace` runs a
//! transaction as one tenant: on Postgres the database enforces the tenant (RLS keyed on
//! `app.namespace_id`, as the non-superuser role `bkg_app`); on SQLite the API's queries do.

mod error;
pub mod migrations;
mod tenant;

pub use error::DbError;
pub use tenant::{Account, Rotation, Tenant};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// Which database a `Db` talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
}

#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Db {
    /// `postgres://…` / `postgresql://…` for Postgres, `sqlite:PATH` or `sqlite::memory:` for
    /// SQLite. Connecting fails within 5 seconds when the server does not answer.
    pub async fn connect(dsn: &str) -> Result<Db, DbError> {
        let shown = redact(dsn);
        if dsn.starts_with("postgres://") || dsn.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(dsn)
                .map_err(|e| DbError::Config(format!("{shown}: {e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(5))
                .connect_with(options)
                .await
                .map_err(|source| DbError::Connect { dsn: shown, source })?;
            return Ok(Db {
                pool: Pool::Postgres(pool),
            });
        }
        if let Some(path) = dsn.strip_prefix("sqlite:") {
            let memory = path == ":memory:";
            let options = SqliteConnectOptions::from_str(dsn)
                .map_err(|e| DbError::Config(format!("{shown}: {e}")))?
                .create_if_missing(true)
                .foreign_keys(true);
            // An in-memory database lives in its one connection.
            let pool = SqlitePoolOptions::new()
                .max_connections(if memory { 1 } else { 4 })
                .connect_with(options)
                .await
                .map_err(|source| DbError::Connect { dsn: shown, source })?;
            return Ok(Db {
                pool: Pool::Sqlite(pool),
            });
        }
        Err(DbError::Config(format!(
            "{shown}: not a postgres:// or sqlite: URL"
        )))
    }

    /// `BKG_DB_DSN` selects Postgres, `BKG_DB_PATH` a SQLite file; without either an
    /// in-memory SQLite database.
    pub async fn from_env() -> Result<Db, DbError> {
        match (std::env::var("BKG_DB_DSN"), std::env::var("BKG_DB_PATH")) {
            (Ok(dsn), _) if !dsn.is_empty() => Db::connect(&dsn).await,
            (_, Ok(path)) if !path.is_empty() => Db::connect(&format!("sqlite:{path}")).await,
            _ => Db::connect("sqlite::memory:").await,
        }
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the migrations of this backend that the database has not seen; a changed
    /// migration that was already applied is an error naming its version.
    pub async fn migrate(&self) -> Result<(), DbError> {
        let migrator = migrations::migrator(self.backend()).await?;
        let result = match &self.pool {
            Pool::Sqlite(pool) => migrator.run(pool).await,
            Pool::Postgres(pool) => migrator.run(pool).await,
        };
        result.map_err(|e| migrations::explain(self.backend(), e))
    }

    /// Runs `work` in one transaction as tenant `namespace`, committing when it succeeds.
    pub async fn with_namespace<T>(
        &self,
        namespace: &str,
        work: impl AsyncFnOnce(&mut Tenant) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let mut tenant = Tenant::begin(&self.pool, namespace).await?;
        let value = work(&mut tenant).await?;
        tenant.commit().await?;
        Ok(value)
    }

    /// The Postgres pool, for administration and tests (it bypasses nothing by itself:
    /// tenant work goes through `with_namespace`).
    pub fn postgres(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            Pool::Sqlite(_) => None,
        }
    }

    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }
}

/// The DSN with its password replaced by `***`.
pub fn redact(dsn: &str) -> String {
    let Some((scheme, rest)) = dsn.split_once("://") else {
        return dsn.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return dsn.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => dsn.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            super::redact("postgres://app:s3cret@db:5432/bkg"),
            "postgres://app:***@db:5432/bkg"
        );
        assert_eq!(
            super::redact("postgres://app@db/bkg"),
            "postgres://app@db/bkg"
        );
        assert_eq!(super::redact("sqlite::memory:"), "sqlite::memory:");
    }
}
