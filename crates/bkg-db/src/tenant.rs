//! One tenant's transaction. On Postgres the transaction runs as `bkg_app` with
//! `app.namespace_id` set, and row-level security keeps it to its rows; on SQLite every query
//! here filters by the namespace itself.

use crate::{DbError, Pool};
use sqlx::{Postgres, Row, Sqlite, Transaction};

pub struct Tenant {
    namespace: String,
    tx: Tx,
}

enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub namespace_id: String,
    pub name: String,
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    pub key_id: String,
    pub key_class: String,
    pub version: i64,
    /// RFC 3339.
    pub rotated_at: String,
    pub owner: String,
}

impl Tenant {
    pub(crate) async fn begin(pool: &Pool, namespace: &str) -> Result<Tenant, DbError> {
        let tx = match pool {
            Pool::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT set_config('app.namespace_id', $1, true)")
                    .bind(namespace)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("SET LOCAL ROLE bkg_app")
                    .execute(&mut *tx)
                    .await?;
                Tx::Postgres(tx)
            }
        };
        Ok(Tenant {
            namespace: namespace.to_owned(),
            tx,
        })
    }

    pub(crate) async fn commit(self) -> Result<(), DbError> {
        match self.tx {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The tenant's own namespace row (creating it is how a tenant comes to exist).
    pub async fn create_namespace(&mut self, display_name: &str) -> Result<(), DbError> {
        let ns = self.namespace.clone();
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query("INSERT INTO namespaces (id, display_name) VALUES (?, ?)")
                    .bind(&ns)
                    .bind(display_name)
                    .execute(&mut **tx)
                    .await?;
            }
            Tx::Postgres(tx) => {
                sqlx::query("INSERT INTO namespaces (id, display_name) VALUES ($1, $2)")
                    .bind(&ns)
                    .bind(display_name)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    pub async fn create_account(
        &mut self,
        id: &str,
        name: &str,
        kind: &str,
    ) -> Result<(), DbError> {
        let ns = self.namespace.clone();
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query(
                    "INSERT INTO accounts (id, namespace_id, name, kind) VALUES (?, ?, ?, ?)",
                )
                .bind(id)
                .bind(&ns)
                .bind(name)
                .bind(kind)
                .execute(&mut **tx)
                .await?;
            }
            Tx::Postgres(tx) => {
                sqlx::query(
                    "INSERT INTO accounts (id, namespace_id, name, kind) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(&ns)
                .bind(name)
                .bind(kind)
                .execute(&mut **tx)
                .await?;
            }
        }
        Ok(())
    }

    pub async fn accounts(&mut self) -> Result<Vec<Account>, DbError> {
        let ns = self.namespace.clone();
        let rows = match &mut self.tx {
            Tx::Sqlite(tx) => {
                let rows = sqlx::query("SELECT id, namespace_id, name, kind FROM accounts WHERE namespace_id = ? ORDER BY id")
                    .bind(&ns)
                    .fetch_all(&mut **tx)
                    .await?;
                rows.iter()
                    .map(|r| account(r.get(0), r.get(1), r.get(2), r.get(3)))
                    .collect()
            }
            Tx::Postgres(tx) => {
                let rows =
                    sqlx::query("SELECT id, namespace_id, name, kind FROM accounts ORDER BY id")
                        .fetch_all(&mut **tx)
                        .await?;
                rows.iter()
                    .map(|r| account(r.get(0), r.get(1), r.get(2), r.get(3)))
                    .collect()
            }
        };
        Ok(rows)
    }

    /// Rows renamed: 0 when the account is not this tenant's.
    pub async fn rename_account(&mut self, id: &str, name: &str) -> Result<u64, DbError> {
        let ns = self.namespace.clone();
        let done = match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query("UPDATE accounts SET name = ? WHERE id = ? AND namespace_id = ?")
                    .bind(name)
                    .bind(id)
                    .bind(&ns)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
            Tx::Postgres(tx) => sqlx::query("UPDATE accounts SET name = $1 WHERE id = $2")
                .bind(name)
                .bind(id)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        };
        Ok(done)
    }

    /// Rows deleted: 0 when the account is not this tenant's.
    pub async fn delete_account(&mut self, id: &str) -> Result<u64, DbError> {
        let ns = self.namespace.clone();
        let done = match &mut self.tx {
            Tx::Sqlite(tx) => sqlx::query("DELETE FROM accounts WHERE id = ? AND namespace_id = ?")
                .bind(id)
                .bind(&ns)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Tx::Postgres(tx) => sqlx::query("DELETE FROM accounts WHERE id = $1")
                .bind(id)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        };
        Ok(done)
    }

    pub async fn record_rotation(&mut self, r: &Rotation) -> Result<(), DbError> {
        let ns = self.namespace.clone();
        match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query("INSERT INTO key_rotations (namespace_id, key_id, key_class, version, rotated_at, owner) VALUES (?, ?, ?, ?, ?, ?)")
                    .bind(&ns)
                    .bind(&r.key_id)
                    .bind(&r.key_class)
                    .bind(r.version)
                    .bind(&r.rotated_at)
                    .bind(&r.owner)
                    .execute(&mut **tx)
                    .await?;
            }
            Tx::Postgres(tx) => {
                sqlx::query("INSERT INTO key_rotations (namespace_id, key_id, key_class, version, rotated_at, owner) VALUES ($1, $2, $3, $4, $5::timestamptz, $6)")
                    .bind(&ns)
                    .bind(&r.key_id)
                    .bind(&r.key_class)
                    .bind(r.version as i32)
                    .bind(&r.rotated_at)
                    .bind(&r.owner)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        Ok(())
    }

    /// The tenant's rotations, newest first.
    pub async fn rotations(&mut self) -> Result<Vec<Rotation>, DbError> {
        let ns = self.namespace.clone();
        let rotations = match &mut self.tx {
            Tx::Sqlite(tx) => {
                let rows = sqlx::query("SELECT key_id, key_class, version, rotated_at, owner FROM key_rotations WHERE namespace_id = ? ORDER BY rotated_at DESC")
                    .bind(&ns)
                    .fetch_all(&mut **tx)
                    .await?;
                rows.iter()
                    .map(|r| Rotation {
                        key_id: r.get(0),
                        key_class: r.get(1),
                        version: r.get(2),
                        rotated_at: r.get(3),
                        owner: r.get(4),
                    })
                    .collect()
            }
            Tx::Postgres(tx) => {
                let rows = sqlx::query(
                    "SELECT key_id, key_class, version::bigint, to_char(rotated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), owner FROM key_rotations ORDER BY rotated_at DESC",
                )
                .fetch_all(&mut **tx)
                .await?;
                rows.iter()
                    .map(|r| Rotation {
                        key_id: r.get(0),
                        key_class: r.get(1),
                        version: r.get(2),
                        rotated_at: r.get(3),
                        owner: r.get(4),
                    })
                    .collect()
            }
        };
        Ok(rotations)
    }

    /// A flag's value for this tenant: its own override, else the platform default.
    pub async fn flag(&mut self, key: &str) -> Result<Option<bool>, DbError> {
        let ns = self.namespace.clone();
        let value = match &mut self.tx {
            Tx::Sqlite(tx) => sqlx::query_scalar::<_, bool>(
                "SELECT enabled FROM feature_flags WHERE key = ? AND (namespace_id = ? OR namespace_id IS NULL) ORDER BY namespace_id IS NULL LIMIT 1",
            )
            .bind(key)
            .bind(&ns)
            .fetch_optional(&mut **tx)
            .await?,
            Tx::Postgres(tx) => sqlx::query_scalar::<_, bool>("SELECT enabled FROM feature_flags WHERE key = $1 ORDER BY namespace_id IS NULL LIMIT 1")
                .bind(key)
                .fetch_optional(&mut **tx)
                .await?,
        };
        Ok(value)
    }

    /// Runs SQL as this tenant; rows affected. (Postgres still applies row-level security;
    /// on SQLite raw SQL is not filtered — use the typed methods there.)
    pub async fn execute(&mut self, sql: &str) -> Result<u64, DbError> {
        let done = match &mut self.tx {
            Tx::Sqlite(tx) => sqlx::raw_sql(sql).execute(&mut **tx).await?.rows_affected(),
            Tx::Postgres(tx) => sqlx::raw_sql(sql).execute(&mut **tx).await?.rows_affected(),
        };
        Ok(done)
    }

    /// A count from SQL run as this tenant (`SELECT count(*) …`).
    pub async fn count(&mut self, sql: &str) -> Result<i64, DbError> {
        let n = match &mut self.tx {
            Tx::Sqlite(tx) => {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::query_scalar::<_, i64>(sql)
                    .fetch_one(&mut **tx)
                    .await?
            }
        };
        Ok(n)
    }
}

fn account(id: String, namespace_id: String, name: String, kind: String) -> Account {
    Account {
        id,
        namespace_id,
        name,
        kind,
    }
}
