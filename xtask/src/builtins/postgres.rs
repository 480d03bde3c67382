//! `postgres/ephemeral`: a throwaway Postgres cluster for the rest of the run when no
//! `BKG_DB_DSN` is given — the system's initdb/pg_ctl (as `postgres` when the engine runs as
//! root), a fresh directory under /tmp (short, for the socket path), fsync off, a free port on
//! 127.0.0.1 and a unix socket; it exports `BKG_DB_DSN` and `DATABASE_URL` to later steps and
//! is stopped and deleted when the run ends, however it ends. With `BKG_DB_DSN` set it only
//! checks that the server answers.

use crate::model::{Builtin, Registration, StepContext, With};
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xtask_process::Spawn;

pub const EPHEMERAL: Registration = Registration {
    name: "postgres/ephemeral",
    summary: "start a throwaway Postgres for the rest of the run unless BKG_DB_DSN is set",
    required: &[],
    optional: &["if-missing"],
    parse,
};

const DSN_ENV: &str = "BKG_DB_DSN";

#[derive(Debug)]
struct Ephemeral {
    /// Without Postgres binaries: skip (the pipeline then runs SQLite only) instead of failing.
    allow_missing: bool,
}

fn parse(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let allow_missing = match fields.get("if-missing") {
        None => false,
        Some(node) => match r.string(node, "if-missing")?.as_str() {
            "fail" => false,
            "skip" => true,
            other => {
                r.error(
                    node.span,
                    format!("`if-missing` is `fail` or `skip`, not `{other}`"),
                );
                return None;
            }
        },
    };
    Some(Arc::new(Ephemeral { allow_missing }))
}

impl Builtin for Ephemeral {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        if let Some(dsn) = ctx.var(DSN_ENV).filter(|d| !d.is_empty()) {
            return check_reachable(ctx, &dsn);
        }
        let Some(bin) = xtask_process::postgres::server_binaries() else {
            let missing = "no Postgres installed (initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin)";
            if self.allow_missing {
                writeln!(
                    ctx.out,
                    "{missing}: the Postgres steps are skipped, as the pipeline allows (if-missing: skip)"
                )?;
                return Ok(());
            }
            bail!("{missing}; install the postgresql package or set {DSN_ENV}");
        };
        start(ctx, &bin)
    }
}

/// initdb refuses to run as root: as root, run the cluster as the `postgres` user.
fn cluster_user() -> anyhow::Result<Option<(u32, u32)>> {
    // SAFETY: plain syscalls; getpwnam's result is read at once, on this thread.
    unsafe {
        if libc::geteuid() != 0 {
            return Ok(None);
        }
        let pw = libc::getpwnam(c"postgres".as_ptr());
        if pw.is_null() {
            bail!(
                "the engine runs as root and initdb refuses root, but there is no `postgres` user to run the cluster as"
            );
        }
        Ok(Some(((*pw).pw_uid, (*pw).pw_gid)))
    }
}

fn start(ctx: &mut StepContext<'_>, bin: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let user = cluster_user()?;
    let dir = tempfile::Builder::new()
        .prefix("xtask-pg-")
        .tempdir_in("/tmp")
        .context("cannot create the cluster's directory")?
        .keep();
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&dir, Some(uid), Some(gid))
            .context("cannot hand the cluster's directory to the postgres user")?;
    }
    let data = dir.join("data");
    let pg_ctl = bin.join("pg_ctl");
    // From here on, whatever happens, the run's end stops the server and removes the files.
    let (cleanup_dir, cleanup_ctl) = (dir.clone(), pg_ctl.clone());
    ctx.on_cleanup(
        "postgres/ephemeral",
        Box::new(move || {
            let began = Instant::now();
            let mut stop = std::process::Command::new(&cleanup_ctl);
            stop.args(["stop", "-m", "fast", "-w", "-s", "-D"])
                .arg(cleanup_dir.join("data"))
                .current_dir(&cleanup_dir);
            if let Some((uid, gid)) = user {
                use std::os::unix::process::CommandExt as _;
                stop.uid(uid).gid(gid);
            }
            let _ = stop.output();
            std::fs::remove_dir_all(&cleanup_dir)
                .with_context(|| format!("cannot remove {}", cleanup_dir.display()))?;
            Ok(format!(
                "stopped and removed the throwaway cluster in {} ms",
                began.elapsed().as_millis()
            ))
        }),
    );
    let as_user = |stdout| Spawn { stdout, user };
    let initdb = [
        bin.join("initdb").display().to_string(),
        "-D".into(),
        data.display().to_string(),
        "-U".into(),
        "postgres".into(),
        "-A".into(),
        "trust".into(),
        "--no-sync".into(),
        "-E".into(),
        "UTF8".into(),
        "--locale=C".into(),
    ];
    let done = ctx.command_with(&initdb, &dir, as_user(None))?;
    if !done.status.success() {
        ctx.out.write_all(done.output.as_bytes())?;
        bail!("initdb failed ({})", xtask_process::describe(done.status));
    }
    let initialised = started.elapsed();
    let mut last_error = String::new();
    for _attempt in 0..5 {
        let port = free_port()?;
        let options = format!(
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -p {port}",
            dir.display()
        );
        let log = dir.join("server.log");
        let argv = [
            pg_ctl.display().to_string(),
            "start".into(),
            "-w".into(),
            "-t".into(),
            "30".into(),
            "-D".into(),
            data.display().to_string(),
            "-o".into(),
            options,
            "-l".into(),
            log.display().to_string(),
        ];
        let done = ctx.command_with(&argv, &dir, as_user(None))?;
        if done.status.success() {
            let dsn = format!(
                "postgres://postgres@localhost:{port}/postgres?host={}",
                dir.display()
            );
            ctx.export(DSN_ENV, &dsn);
            ctx.export("DATABASE_URL", &dsn);
            writeln!(
                ctx.out,
                "started a throwaway Postgres in {} (port {port}): initdb {} ms, start {} ms",
                dir.display(),
                initialised.as_millis(),
                (started.elapsed() - initialised).as_millis()
            )?;
            writeln!(
                ctx.out,
                "exported {DSN_ENV} and DATABASE_URL for the steps after this one"
            )?;
            return Ok(());
        }
        last_error = std::fs::read_to_string(&log).unwrap_or_default();
        if !last_error.contains("could not bind") && !last_error.contains("Address already in use")
        {
            break;
        }
        writeln!(ctx.out, "port {port} is taken; trying another")?;
    }
    ctx.out.write_all(last_error.as_bytes())?;
    bail!("the throwaway Postgres did not start; its log is above")
}

/// A TCP port on 127.0.0.1 that is free right now.
fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// With `BKG_DB_DSN` given: the server must answer within 5 seconds.
fn check_reachable(ctx: &mut StepContext<'_>, dsn: &str) -> anyhow::Result<()> {
    let shown = redact(dsn);
    let target = Target::parse(dsn)
        .with_context(|| format!("{DSN_ENV} is not a postgres:// URL: {shown}"))?;
    let began = Instant::now();
    let reached = match &target {
        Target::Tcp(host, port) => {
            let addresses = std::net::ToSocketAddrs::to_socket_addrs(&(host.as_str(), *port))
                .with_context(|| format!("{DSN_ENV}: cannot resolve {host} ({shown})"))?;
            let mut last = None;
            let mut connected = false;
            for address in addresses {
                match std::net::TcpStream::connect_timeout(&address, Duration::from_secs(5)) {
                    Ok(_) => {
                        connected = true;
                        break;
                    }
                    Err(e) => last = Some(e),
                }
            }
            if connected {
                Ok(())
            } else {
                Err(last.map_or("no address".into(), |e| e.to_string()))
            }
        }
        Target::Socket(path) => std::os::unix::net::UnixStream::connect(path)
            .map(|_| ())
            .map_err(|e| e.to_string()),
    };
    if let Err(why) = reached {
        bail!(
            "{DSN_ENV}: cannot reach {} within {} ms: {why} ({shown})",
            target,
            began.elapsed().as_millis()
        );
    }
    ctx.export("DATABASE_URL", dsn);
    writeln!(ctx.out, "using {DSN_ENV}: {} answers ({shown})", target)?;
    Ok(())
}

enum Target {
    Tcp(String, u16),
    Socket(PathBuf),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Tcp(host, port) => write!(f, "{host}:{port}"),
            Target::Socket(path) => write!(f, "{}", path.display()),
        }
    }
}

impl Target {
    fn parse(dsn: &str) -> Option<Target> {
        let rest = dsn
            .strip_prefix("postgres://")
            .or_else(|| dsn.strip_prefix("postgresql://"))?;
        let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (host_port, 5432),
        };
        let query = tail.split_once('?').map_or("", |(_, q)| q);
        let socket_dir = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("host="))
            .filter(|h| h.starts_with('/'));
        match socket_dir {
            Some(dir) => Some(Target::Socket(
                Path::new(dir).join(format!(".s.PGSQL.{port}")),
            )),
            None => Some(Target::Tcp(
                if host.is_empty() {
                    "localhost".into()
                } else {
                    host.to_owned()
                },
                port,
            )),
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
