//! `postgres/restore-drill`: the cutover drill of the governance document. The migrated
//! database (`BKG_DB_DSN`) is dumped with `pg_dump`, restored with `pg_restore` into a fresh
//! database on the same server, and compared: the schema dumps (tables, policies, grants,
//! views) must be identical, and every table must hold the same rows. The drill database
//! is dropped again whatever happens.

use crate::model::{Builtin, Registration, StepContext, With};
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

pub const DRILL: Registration = Registration {
    name: "postgres/restore-drill",
    summary: "pg_dump the migrated database, pg_restore it into a second one, compare both",
    required: &[],
    optional: &["database"],
    parse,
};

const DSN_ENV: &str = "BKG_DB_DSN";

#[derive(Debug)]
struct Drill {
    /// The database the dump is restored into (created and dropped by the step).
    database: String,
}

fn parse(r: &mut Reader, with: &With) -> Option<Arc<dyn Builtin>> {
    let database = match with.get("database") {
        Some(n) => r.string(n, "database")?,
        None => "bkg_restore_drill".to_string(),
    };
    let valid = !database.is_empty()
        && database.len() <= 63
        && database
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid {
        r.error(
            with.span,
            format!("`database` must be a plain lower-case Postgres name, not `{database}`"),
        );
        return None;
    }
    Some(Arc::new(Drill { database }))
}

impl Builtin for Drill {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let Some(dsn) = ctx.var(DSN_ENV).filter(|d| !d.is_empty()) else {
            bail!("{DSN_ENV} is not set: run a postgres/ephemeral step before the drill");
        };
        let shown = super::postgres::redact(&dsn);
        let Some(restored) = with_database(&dsn, &self.database) else {
            bail!("{DSN_ENV} is not a postgres:// URL: {shown}");
        };
        let bin = programs()?;
        let dir = tempfile::tempdir().context("cannot create a directory for the dump")?;
        let dump = dir.path().join("drill.pgc");

        let began = Instant::now();
        self.program(
            ctx,
            &bin,
            "pg_dump",
            &["--format=custom", "--file"],
            &dump,
            &dsn,
        )?;
        let dumped = began.elapsed();
        let size = std::fs::metadata(&dump).map(|m| m.len()).unwrap_or(0);

        let drop = format!("DROP DATABASE IF EXISTS {}", self.database);
        sql(ctx, &bin, &dsn, &drop)?;
        sql(
            ctx,
            &bin,
            &dsn,
            &format!("CREATE DATABASE {}", self.database),
        )?;
        let result = self.restore_and_compare(ctx, &bin, &dump, &dsn, &restored);
        let dropped = sql(ctx, &bin, &dsn, &drop);
        let (restore_ms, tables, rows) = result?;
        dropped.with_context(|| format!("cannot drop the drill database {}", self.database))?;
        writeln!(
            ctx.out,
            "pg_dump: {} KiB in {} ms; pg_restore into {}: {restore_ms} ms; schema identical, {tables} tables with {rows} rows identical; {} dropped again",
            size.div_ceil(1024),
            dumped.as_millis(),
            self.database,
            self.database
        )?;
        Ok(())
    }
}

impl Drill {
    /// Runs `pg_dump`/`pg_restore` with `args`, then `path`, then `--dbname dsn`.
    fn program(
        &self,
        ctx: &mut StepContext<'_>,
        bin: &Path,
        name: &str,
        args: &[&str],
        path: &Path,
        dsn: &str,
    ) -> anyhow::Result<()> {
        let mut argv = vec![bin.join(name).display().to_string()];
        argv.extend(args.iter().map(|a| a.to_string()));
        argv.push(path.display().to_string());
        argv.push(format!("--dbname={dsn}"));
        let finished = ctx.command(&argv, None)?;
        if !finished.status.success() {
            ctx.out.write_all(finished.output.as_bytes())?;
            bail!(
                "{name} failed ({})",
                xtask_process::describe(finished.status)
            );
        }
        Ok(())
    }

    /// Restores the dump and compares; returns the restore time, tables and rows.
    fn restore_and_compare(
        &self,
        ctx: &mut StepContext<'_>,
        bin: &Path,
        dump: &Path,
        dsn: &str,
        restored: &str,
    ) -> anyhow::Result<(u128, usize, u64)> {
        let began = Instant::now();
        self.program(ctx, bin, "pg_restore", &["--exit-on-error"], dump, restored)?;
        let restore_ms = began.elapsed().as_millis();
        let (original, copy) = (schema(ctx, bin, dsn)?, schema(ctx, bin, restored)?);
        if original != copy {
            let (line, (a, b)) = original
                .lines()
                .zip(copy.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .unwrap_or((original.lines().count().min(copy.lines().count()), ("", "")));
            bail!(
                "the restored schema differs from the original at line {} of the schema dump: `{a}` became `{b}`",
                line + 1
            );
        }
        let tables = query(
            ctx,
            bin,
            dsn,
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1",
        )?;
        let mut rows = 0;
        for table in tables.lines() {
            // Superusers bypass row-level security, so every tenant's rows are compared.
            let digest = format!(
                "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '') FROM {table} t"
            );
            let (a, b) = (
                query(ctx, bin, dsn, &digest)?,
                query(ctx, bin, restored, &digest)?,
            );
            if a != b {
                bail!(
                    "table {table} differs after the restore: {} rows (md5 {}) before, {} after",
                    a.split(' ').next().unwrap_or(""),
                    a.split(' ').nth(1).unwrap_or(""),
                    b.trim()
                );
            }
            rows += a
                .split(' ')
                .next()
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0);
        }
        Ok((restore_ms, tables.lines().count(), rows))
    }
}

/// The schema dump, without the random `\restrict` keys of newer pg_dump releases.
fn schema(ctx: &mut StepContext<'_>, bin: &Path, dsn: &str) -> anyhow::Result<String> {
    let argv = vec![
        bin.join("pg_dump").display().to_string(),
        "--schema-only".to_string(),
        format!("--dbname={dsn}"),
    ];
    let text = captured(ctx, &argv, "pg_dump --schema-only")?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with("\\restrict ") && !l.starts_with("\\unrestrict "))
        .map(|l| format!("{l}\n"))
        .collect())
}

fn sql(ctx: &mut StepContext<'_>, bin: &Path, dsn: &str, statement: &str) -> anyhow::Result<()> {
    query(ctx, bin, dsn, statement).map(drop)
}

/// One statement through psql; its unaligned, tuples-only output.
fn query(
    ctx: &mut StepContext<'_>,
    bin: &Path,
    dsn: &str,
    statement: &str,
) -> anyhow::Result<String> {
    let argv = vec![
        bin.join("psql").display().to_string(),
        "-X".to_string(),
        "-A".to_string(),
        "-t".to_string(),
        "-v".to_string(),
        "ON_ERROR_STOP=1".to_string(),
        format!("--dbname={dsn}"),
        "-c".to_string(),
        statement.to_string(),
    ];
    captured(ctx, &argv, "psql")
}

fn captured(ctx: &mut StepContext<'_>, argv: &[String], what: &str) -> anyhow::Result<String> {
    let out = tempfile::tempfile().context("cannot create a temporary file")?;
    let keep = out.try_clone()?;
    let finished = ctx.command(argv, Some(out))?;
    let text = xtask_process::read_back(keep)?;
    if !finished.status.success() {
        ctx.out.write_all(finished.output.as_bytes())?;
        bail!(
            "{what} failed ({})",
            xtask_process::describe(finished.status)
        );
    }
    Ok(text)
}

/// The directory with pg_dump, pg_restore and psql: the system Postgres's, else PATH's.
fn programs() -> anyhow::Result<PathBuf> {
    let bin = xtask_process::postgres::server_binaries()
        .filter(|b| b.join("pg_dump").is_file() && b.join("pg_restore").is_file())
        .or_else(|| which::which("pg_dump").ok()?.parent().map(Path::to_owned));
    bin.context("pg_dump and pg_restore are neither next to the system Postgres nor on PATH; install the postgresql-client package")
}

/// `dsn` with its database replaced by `database`.
fn with_database(dsn: &str, database: &str) -> Option<String> {
    let (scheme, rest) = dsn.split_once("://")?;
    if scheme != "postgres" && scheme != "postgresql" {
        return None;
    }
    let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let query = tail.split_once('?').map(|(_, q)| format!("?{q}"));
    Some(format!(
        "{scheme}://{authority}/{database}{}",
        query.unwrap_or_default()
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_of_a_dsn_is_replaced_and_the_rest_kept() {
        assert_eq!(
            super::with_database(
                "postgres://postgres@localhost:5433/postgres?host=/tmp/x",
                "drill"
            ),
            Some("postgres://postgres@localhost:5433/drill?host=/tmp/x".to_string())
        );
        // The credentials are assembled here so that no committed line holds a DSN password.
        let dsn = format!("postgresql://u:{}@db:5432", "pw");
        assert_eq!(
            super::with_database(&dsn, "drill"),
            Some(format!("{dsn}/drill"))
        );
        assert_eq!(super::with_database("mysql://x/y", "drill"), None);
    }
}
