//! `cave-daemon serve` runs the daemon; `cave-daemon audit verify <file>` checks an audit
//! log's hash chain (and with `--key`, its signed checkpoints); `audit repair` removes a
//! torn last line.

use anyhow::Context as _;
use cave_daemon::AppState;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "cave-daemon", version, about = "The BKG platform daemon")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve /healthz, /metrics and the key-rotation webhook (secret: BKG_WEBHOOK_SECRET)
    Serve {
        /// Address to listen on (port 0 picks a free port)
        #[arg(long, env = "CAVE_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// The audit log (JSON Lines, hash-chained); created if missing, verified if present
        #[arg(long, env = "CAVE_AUDIT_LOG", default_value = "cave-audit.jsonl")]
        audit_log: PathBuf,
        /// Seconds a client may take to send a request's headers, or stay idle between requests on a kept-alive connection
        #[arg(long, env = "CAVE_HEADER_TIMEOUT", default_value_t = 10.0)]
        header_timeout: f64,
        /// Seconds a webhook body may take to arrive (then 408)
        #[arg(long, env = "CAVE_BODY_TIMEOUT", default_value_t = 30.0)]
        body_timeout: f64,
        /// Seconds open connections get to finish after SIGTERM before they are closed
        #[arg(long, env = "CAVE_SHUTDOWN_GRACE", default_value_t = 10.0)]
        shutdown_grace: f64,
        /// Rejected (unauthenticated) deliveries a client may have audited per 10 s; more get 429
        #[arg(long, env = "CAVE_REJECT_BUDGET", default_value_t = cave_daemon::state::DEFAULT_REJECT_BUDGET)]
        reject_budget: u32,
        /// cosign private key (encrypted, password in COSIGN_PASSWORD) that signs audit checkpoints
        #[arg(long, env = "CAVE_AUDIT_KEY")]
        audit_key: Option<PathBuf>,
        /// Seconds between signed checkpoints (written only when entries arrived since the last)
        #[arg(long, env = "CAVE_CHECKPOINT_INTERVAL", default_value_t = 60.0)]
        checkpoint_interval: f64,
    },
    /// Work with audit logs
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain; exit 1 naming the first broken line
    Verify {
        file: PathBuf,
        /// cosign.pub: check every checkpoint's signature and that they cover every entry
        #[arg(long)]
        key: Option<PathBuf>,
        /// With --key: accept entries after the last checkpoint (a running daemon's newest)
        #[arg(long, requires = "key")]
        allow_unsigned_tail: bool,
    },
    /// Remove a torn last line left by a crash (and nothing else); the daemon must be stopped
    Repair { file: PathBuf },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Serve {
            bind,
            audit_log,
            header_timeout,
            body_timeout,
            shutdown_grace,
            reject_budget,
            audit_key,
            checkpoint_interval,
        } => (|| {
            let limits = cave_daemon::serve::Limits {
                header: seconds(header_timeout, "--header-timeout")?,
                grace: seconds(shutdown_grace, "--shutdown-grace")?,
            };
            let settings = Settings {
                body_timeout: seconds(body_timeout, "--body-timeout")?,
                checkpoint_interval: seconds(checkpoint_interval, "--checkpoint-interval")?,
                reject_budget,
                key: audit_key.as_deref().map(signing_key).transpose()?,
            };
            serve(bind, audit_log, limits, settings)
        })(),
        Command::Audit {
            command:
                AuditCommand::Verify {
                    file,
                    key,
                    allow_unsigned_tail,
                },
        } => cave_daemon::audit::verify_file(&file, key.as_deref(), allow_unsigned_tail)
            .map(|report| println!("{report}")),
        Command::Audit {
            command: AuditCommand::Repair { file },
        } => cave_daemon::audit::repair(&file).map(|report| println!("{report}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

unsafe extern "C" {
    fn signal(signum: i32, handler: usize) -> usize;
}

/// A positive, finite number of seconds.
fn seconds(value: f64, flag: &str) -> anyhow::Result<std::time::Duration> {
    if value.is_finite() && value > 0.0 && value < 86_400.0 {
        Ok(std::time::Duration::from_secs_f64(value))
    } else {
        anyhow::bail!("{flag} must be a number of seconds above 0, found {value}")
    }
}

/// The encrypted cosign key at `path`, decrypted with `COSIGN_PASSWORD` (empty if unset).
fn signing_key(path: &std::path::Path) -> anyhow::Result<cosign_key::SigningKey> {
    let pem = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the audit signing key {}", path.display()))?;
    let password = std::env::var("COSIGN_PASSWORD").unwrap_or_default();
    cosign_key::decrypt(&pem, password.as_bytes())
        .map_err(|e| anyhow::anyhow!("the audit signing key {}: {e}", path.display()))
}

/// What `serve` takes besides the address, the log and the connection limits.
struct Settings {
    body_timeout: std::time::Duration,
    checkpoint_interval: std::time::Duration,
    reject_budget: u32,
    key: Option<cosign_key::SigningKey>,
}

fn serve(
    bind: SocketAddr,
    audit_log: PathBuf,
    limits: cave_daemon::serve::Limits,
    settings: Settings,
) -> anyhow::Result<()> {
    // A file-size limit (RLIMIT_FSIZE) must fail the write (EFBIG), which the audit log
    // rolls back, instead of killing the daemon between half an entry and the rest.
    const SIGXFSZ: i32 = 25;
    const SIG_IGN: usize = 1;
    // SAFETY: setting a signal's disposition to "ignore" before any thread starts.
    unsafe { signal(SIGXFSZ, SIG_IGN) };
    let secret = std::env::var("BKG_WEBHOOK_SECRET")
        .ok()
        .filter(|s| !s.is_empty())
        .map(String::into_bytes);
    if secret.is_none() {
        eprintln!(
            "warning: BKG_WEBHOOK_SECRET is not set: the webhook answers 503 and /healthz reports it"
        );
    }
    let configured = cave_daemon::config::read(|name| std::env::var(name).ok())?;
    let signing = settings.key.is_some();
    let state = Arc::new(
        AppState::open(secret, &audit_log, settings.key)?
            .with_reject_budget(settings.reject_budget)
            .with_body_timeout(settings.body_timeout),
    );
    state.metrics.configured(&configured);
    let unsigned = state.audit.lock().map_or(0, |log| log.unsigned());
    if signing && unsigned > 0 {
        eprintln!(
            "warning: the last {unsigned} entries of {} are not covered by a signed checkpoint (the daemon stopped without one: a crash?); the next checkpoint signs them",
            audit_log.display()
        );
    } else if !signing {
        eprintln!("warning: no --audit-key: the audit log gets no signed checkpoints");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("cannot listen on {bind}"))?;
        let address = listener.local_addr()?;
        let hangups = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
            .context("cannot install the SIGHUP handler")?;
        // The first line of stdout says where to connect (tests start us on port 0).
        println!("cave-daemon listening on http://{address}");
        if let Some(endpoint) = configured.otel_endpoint.clone() {
            let rate = configured.sampling.unwrap_or(1.0);
            let exporter =
                cave_daemon::otel::Exporter::start(endpoint, rate, Arc::clone(&state.metrics));
            let _ = state.otel.set(exporter);
        }
        let app = cave_daemon::api::router(state.clone());
        let ticker = tokio::spawn(cave_daemon::audit_tasks::every(
            state.clone(),
            settings.checkpoint_interval,
        ));
        let hangups = tokio::spawn(cave_daemon::audit_tasks::reopen_on_hangup(
            state.clone(),
            hangups,
        ));
        cave_daemon::serve::run(listener, app, limits, shutdown()).await;
        ticker.abort();
        hangups.abort();
        cave_daemon::audit_tasks::checkpoint(&state);
        Ok(())
    })
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
