//! `bkg-db migrate`: applies the migrations of the database that `BKG_DB_DSN` (Postgres) or
//! `BKG_DB_PATH` (SQLite) selects — what `sqlx migrate run` does, with the migrations
//! embedded in this binary. `bkg-db status` lists what is applied.

use bkg_db::Db;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let command = std::env::args().nth(1).unwrap_or_default();
    let result = match command.as_str() {
        "migrate" => migrate().await,
        "status" => status().await,
        _ => {
            eprintln!("usage: bkg-db migrate|status   (database: BKG_DB_DSN or BKG_DB_PATH)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate() -> Result<(), bkg_db::DbError> {
    let started = std::time::Instant::now();
    let db = Db::from_env().await?;
    db.migrate().await?;
    println!(
        "{:?} database migrated in {} ms",
        db.backend(),
        started.elapsed().as_millis()
    );
    Ok(())
}

async fn status() -> Result<(), bkg_db::DbError> {
    let db = Db::from_env().await?;
    let query = "SELECT version, description FROM _sqlx_migrations ORDER BY version";
    let rows: Vec<(i64, String)> = match (db.postgres(), db.sqlite()) {
        (Some(pool), _) => sqlx::query_as(query).fetch_all(pool).await?,
        (_, Some(pool)) => sqlx::query_as(query).fetch_all(pool).await?,
        _ => Vec::new(),
    };
    for (version, description) in rows {
        println!("{version:04} {description}");
    }
    Ok(())
}
