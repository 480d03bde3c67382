//! The guard that makes step processes die with the engine, however it dies (SIGKILL, the
//! OOM killer, a runner's hard cancel): a small process of the engine's own binary, in a
//! process group of its own, reading the step process groups the engine starts from a pipe.
//! When the engine is gone the pipe closes and the guard kills every group still listed.
//! Signals the engine receives (Ctrl-C, SIGTERM) are handled by the engine itself; the
//! guard is only for deaths that leave no chance to clean up. A process that leaves its
//! group on purpose (`setsid`, a daemon) is beyond it, as it is beyond the group kill.

use std::collections::BTreeSet;
use std::io::{BufRead as _, Write as _};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The hidden first argument that makes the engine's binary run as the guard.
pub const ARG: &str = "__process-guard";

/// The binary to start as the guard; set once by the command line's `main` (a library user,
/// such as a unit test, has no guard: its binary is not the engine).
static EXE: OnceLock<PathBuf> = OnceLock::new();
static PIPE: OnceLock<Option<Mutex<ChildStdin>>> = OnceLock::new();

/// Lets steps be guarded by `exe` (the engine's binary) from now on.
pub fn enable(exe: PathBuf) {
    let _ = EXE.set(exe);
}

/// Tells the guard (started on first use) about a new step process group.
pub fn register(group: libc::pid_t) {
    send(&format!("+{group}\n"));
}

/// The group is being killed and reaped by the engine: the guard forgets it.
pub fn unregister(group: libc::pid_t) {
    send(&format!("-{group}\n"));
}

fn send(line: &str) {
    let pipe = PIPE.get_or_init(|| start().map(Mutex::new));
    if let Some(pipe) = pipe {
        // A guard that died (killed by hand) only means less protection, never a failure.
        let _ = pipe
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write_all(line.as_bytes());
    }
}

fn start() -> Option<ChildStdin> {
    let exe = EXE.get()?;
    let child = Command::new(exe)
        .arg(ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own group: a terminal's Ctrl-C goes to the engine, not to the guard.
        .process_group(0)
        .spawn()
        .ok()?;
    child.stdin
}

/// The guard's life: track the groups, and kill those left when the engine's end closes.
pub fn run() -> std::process::ExitCode {
    let mut groups = BTreeSet::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let (sign, rest) = line.split_at(line.len().min(1));
        let Ok(group) = rest.parse::<libc::pid_t>() else {
            continue;
        };
        match sign {
            "+" if group > 1 => {
                groups.insert(group);
            }
            "-" => {
                groups.remove(&group);
            }
            _ => {}
        }
    }
    for group in groups {
        // SAFETY: plain syscall; the groups are the steps the engine started and never reaped.
        unsafe { libc::kill(-group, libc::SIGKILL) };
    }
    std::process::ExitCode::SUCCESS
}
