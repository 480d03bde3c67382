//! What can go wrong, with the DSN's password never in a message.

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot connect to {dsn}: {source}")]
    Connect { dsn: String, source: sqlx::Error },
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Migrate(String),
    #[error(transparent)]
    Query(#[from] sqlx::Error),
}
