//! Where the system's PostgreSQL programs are: on PATH, else under Debian's and Ubuntu's
//! per-version directories (`XTASK_POSTGRES_ROOT` overrides that root, for tests).

use std::path::{Path, PathBuf};

/// psql: on PATH, else next to the newest system Postgres.
pub fn psql() -> Option<PathBuf> {
    which::which("psql").ok().or_else(|| {
        server_binaries()
            .map(|bin| bin.join("psql"))
            .filter(|p| p.is_file())
    })
}

/// The newest system Postgres: initdb and pg_ctl on PATH, else under /usr/lib/postgresql.
pub fn server_binaries() -> Option<PathBuf> {
    if let (Ok(initdb), Ok(_)) = (which::which("initdb"), which::which("pg_ctl")) {
        return initdb.canonicalize().ok()?.parent().map(Path::to_owned);
    }
    // Debian and Ubuntu keep each major version's binaries here, off PATH.
    let root =
        std::env::var_os("XTASK_POSTGRES_ROOT").unwrap_or_else(|| "/usr/lib/postgresql".into());
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}
