//! Runs one command in its own process group, captures its output through one pipe (so
//! stdout and stderr keep their order), and can signal the whole group at any time.

use super::capture::Capture;
use crate::mask::Masker;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

/// Shared between a running step and the scheduler: the step's process group (while its
/// leader is not reaped, so the id cannot be reused) and whether it was asked to stop.
#[derive(Default)]
pub struct Control {
    group: Mutex<Option<libc::pid_t>>,
    cancelled: AtomicBool,
}

impl Control {
    /// Sends `signal` to every process of the step and marks the step as cancelled.
    pub fn signal(&self, signal: i32) {
        self.cancelled.store(true, Ordering::SeqCst);
        if let Some(group) = *self.group.lock().unwrap_or_else(|e| e.into_inner()) {
            // SAFETY: plain syscall; the group leader is unreaped, so the id is still ours.
            unsafe { libc::kill(-group, signal) };
        }
    }

    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    pub fn flag(&self) -> &AtomicBool {
        &self.cancelled
    }
}

pub struct Finished {
    pub status: ExitStatus,
    pub output: String,
}

/// How long to wait for output after the step's processes are gone; only a process that
/// escaped the group (setsid) can hold the pipe open longer.
const DRAIN: Duration = Duration::from_secs(2);

pub fn run(
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    control: &Control,
    masker: &Arc<Masker>,
) -> std::io::Result<Finished> {
    let (mut reader, writer) = std::io::pipe()?;
    let mut command = Command::new(&argv[0]);
    command
        .args(&argv[1..])
        .current_dir(cwd)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(writer.try_clone()?)
        .stderr(writer)
        .process_group(0);
    let spawned = command.spawn();
    // The command holds the pipe's write ends; drop them so the reader sees end-of-file.
    drop(command);
    let mut child = spawned?;
    let pid = child.id() as libc::pid_t;
    *control.group.lock().unwrap_or_else(|e| e.into_inner()) = Some(pid);
    if control.cancelled() {
        control.signal(libc::SIGTERM);
    }
    let (sender, received) = mpsc::channel();
    let masker = Arc::clone(masker);
    std::thread::spawn(move || {
        let mut capture = Capture::new(&masker);
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            capture.push(&buf[..n]);
        }
        let _ = sender.send(capture.finish());
    });
    wait_until_exited(pid)?;
    {
        // Stop whatever the step left behind, then let the leader go.
        let mut group = control.group.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: plain syscall on our own, still unreaped, process group.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        *group = None;
    }
    let status = child.wait()?;
    let output = received.recv_timeout(DRAIN).unwrap_or_else(|_| {
        "[output incomplete: a process that left the step's process group still holds it open]\n".into()
    });
    Ok(Finished { status, output })
}

/// Blocks until `pid` has exited, without reaping it.
fn wait_until_exited(pid: libc::pid_t) -> std::io::Result<()> {
    loop {
        // SAFETY: siginfo_t is plain data; waitid only writes into it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let flags = libc::WEXITED | libc::WNOWAIT;
        // SAFETY: plain syscall on our own child.
        if unsafe { libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags) } == 0 {
            return Ok(());
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}

/// `exit status 3`, `killed by SIGKILL`.
pub fn describe(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt as _;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by {}", signal_name(signal)),
        _ => "unknown exit status".into(),
    }
}

pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGHUP => "SIGHUP".into(),
        libc::SIGSEGV => "SIGSEGV".into(),
        libc::SIGABRT => "SIGABRT".into(),
        libc::SIGPIPE => "SIGPIPE".into(),
        other => format!("signal {other}"),
    }
}
