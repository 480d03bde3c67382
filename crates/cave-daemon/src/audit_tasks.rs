//! The audit log's work outside requests: at every interval a signed checkpoint (when
//! entries arrived since the last one) and a re-verification of the file on disk against
//! what the daemon wrote; a checkpoint on shutdown; a reopen on SIGHUP after rotation.

use crate::AppState;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// Signs a checkpoint if entries arrived since the last one; failures go to stderr (and
/// `/healthz`, through the log's health).
pub fn checkpoint(state: &AppState) {
    let time = now();
    let mut log = state.audit.lock().unwrap_or_else(|e| e.into_inner());
    match log.checkpoint(&time) {
        Ok(true) => state
            .metrics
            .checkpoint(Some(crate::unix_seconds(SystemTime::now()))),
        Ok(false) => {}
        Err(e) => {
            state.metrics.checkpoint(None);
            eprintln!("cave-daemon: cannot sign a checkpoint: {e:#}");
        }
    }
}

/// Checks the file on disk against what the daemon wrote (the log's lock is held only to
/// take the snapshot).
pub fn verify_on_disk(state: &AppState) {
    let written = state
        .audit
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .written();
    let checked = written.check();
    if let Err(problem) = &checked {
        eprintln!("cave-daemon: the audit log on disk does not verify: {problem}");
    }
    state.metrics.verification(checked.is_ok());
}

/// A checkpoint and a re-verification of the file every `interval`, for as long as the
/// daemon runs.
pub async fn every(state: Arc<AppState>, interval: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    loop {
        ticks.tick().await;
        let state = state.clone();
        let _ = tokio::task::spawn_blocking(move || {
            checkpoint(&state);
            verify_on_disk(&state);
        })
        .await;
    }
}

/// Reopens the log on every SIGHUP (after logrotate or an operator moved it). The handler
/// is installed by the caller before it announces itself, so an early SIGHUP cannot kill it.
pub async fn reopen_on_hangup(state: Arc<AppState>, mut hangups: tokio::signal::unix::Signal) {
    while hangups.recv().await.is_some() {
        let time = now();
        let mut log = state.audit.lock().unwrap_or_else(|e| e.into_inner());
        match log.reopen(&time) {
            Ok(report) => eprintln!("cave-daemon: SIGHUP: {report}"),
            Err(e) => eprintln!("cave-daemon: SIGHUP: {e:#}"),
        }
    }
}

fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}
