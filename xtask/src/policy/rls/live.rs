//! The live half of the rls policy: what the real catalog (`pg_class`, `pg_policies`) says
//! of each tenant table, asked through psql.

use std::path::Path;
use xtask_process::postgres::psql;
use xtask_process::{Launcher, Spawn, describe, read_back};

/// One tenant table as the live catalog sees it.
pub struct LiveTable {
    pub name: String,
    pub enabled: bool,
    pub forced: bool,
    pub policies: u64,
}

/// The tenant tables of the `public` schema with their RLS flags and policy count, via psql
/// run by `launcher` (so a step's timeout and Ctrl-C stop it).
pub fn query(
    launcher: &Launcher,
    root: &Path,
    columns: &[String],
    tables: &[String],
    dsn: &str,
) -> Result<Vec<LiveTable>, String> {
    let array = |items: &[String]| {
        format!(
            "ARRAY[{}]::text[]",
            items
                .iter()
                .map(|s| format!("'{}'", s.replace('\'', "''")))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let query = format!(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, \
         (SELECT count(*) FROM pg_policies p WHERE p.schemaname = n.nspname AND p.tablename = c.relname) \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' AND (c.relname = ANY({}) OR EXISTS \
         (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND NOT a.attisdropped AND a.attname = ANY({}))) \
         ORDER BY c.relname",
        array(tables),
        array(columns)
    );
    let psql =
        psql().ok_or("psql is not installed (neither on PATH nor in /usr/lib/postgresql/*/bin)")?;
    let argv: Vec<String> = [
        psql.to_string_lossy().as_ref(),
        "-X",
        "-q",
        "-A",
        "-t",
        "-F",
        "|",
    ]
    .into_iter()
    .chain(["-v", "ON_ERROR_STOP=1", "-c", &query, "--dbname", dsn])
    .map(str::to_owned)
    .collect();
    let stdout = tempfile::tempfile().map_err(|e| format!("cannot create a temp file: {e}"))?;
    let keep = stdout
        .try_clone()
        .map_err(|e| format!("cannot create a temp file: {e}"))?;
    let mut env = launcher.env.clone();
    env.insert("PGCONNECT_TIMEOUT".into(), "5".into());
    let launcher = Launcher {
        env: &env,
        ..*launcher
    };
    let spawn = Spawn {
        stdout: Some(stdout),
        user: None,
    };
    let done = launcher
        .run(&argv, root, spawn)
        .map_err(|e| e.to_string())?;
    if !done.status.success() {
        return Err(format!(
            "psql failed ({}): {}",
            describe(done.status),
            done.output.trim().replace(dsn, "***")
        ));
    }
    let output = read_back(keep).map_err(|e| format!("cannot read psql's output: {e}"))?;
    output
        .lines()
        .filter(|l| !l.is_empty())
        .map(
            |line| match line.split('|').collect::<Vec<_>>().as_slice() {
                [name, enabled, forced, count] => Ok(LiveTable {
                    name: name.to_string(),
                    enabled: *enabled == "t",
                    forced: *forced == "t",
                    policies: count.parse().unwrap_or(0),
                }),
                _ => Err(format!("psql printed an unexpected line: {line}")),
            },
        )
        .collect()
}
