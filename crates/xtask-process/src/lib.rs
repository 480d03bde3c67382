//! Runs one command in its own process group, captures its output through one pipe (so
//! stdout and stderr keep their order), and can signal the whole group at any time.
//!
//! A crate of its own, below the engine, so the debug build that `cargo xtask` runs
//! compiles the per-step path (spawn, capture, the guard, reaping) optimised.

mod capture;
pub mod guard;
mod launcher;
pub mod mask;
pub mod postgres;
mod spawn;

pub use capture::Capture;
pub use launcher::{Launcher, read_back};

use crate::mask::Masker;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Variables git sets for hooks that pin a repository, its index and its work tree.
pub const LOCATION_VARS: [&str; 7] = [
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
];

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
    masker: &Masker,
) -> std::io::Result<Finished> {
    run_with(argv, cwd, env, control, masker, Spawn::default())
}

/// How a built-in wants a command run, beyond what a step's command gets.
#[derive(Default)]
pub struct Spawn {
    /// The child's stdout goes here; the captured output is then stderr alone.
    pub stdout: Option<std::fs::File>,
    /// Run as this (uid, gid), e.g. Postgres tools, which refuse to run as root.
    pub user: Option<(u32, u32)>,
}

pub fn run_with(
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    control: &Control,
    masker: &Masker,
    spawn: Spawn,
) -> std::io::Result<Finished> {
    let (mut reader, writer) = std::io::pipe()?;
    let program = resolve(&argv[0], env, cwd)?;
    let (mut leader, pidfd) = start(&program, argv, cwd, env, spawn, writer)?;
    let pid = leader.pid();
    guard::register(pid);
    *control.group.lock().unwrap_or_else(|e| e.into_inner()) = Some(pid);
    if control.cancelled() {
        control.signal(libc::SIGTERM);
    }
    let exit = ExitWatch::new(pid, pidfd);
    let mut capture = Capture::new(masker);
    let mut open = true;
    // One thread reads the output and notices the exit, so a step costs no extra thread.
    while !exit.exited() {
        let (readable, _) = poll(
            open.then_some(reader.as_raw_fd()),
            exit.fd(),
            exit.poll_interval(),
        )?;
        if readable {
            open = read_into(&mut reader, &mut capture);
        }
    }
    {
        // Stop whatever the step left behind, then let the leader go.
        let mut group = control.group.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: plain syscall on our own, still unreaped, process group.
        unsafe { libc::kill(-pid, libc::SIGKILL) };
        guard::unregister(pid);
        *group = None;
    }
    let status = leader.wait()?;
    let deadline = Instant::now() + DRAIN;
    while open {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            capture.push(b"\n[output incomplete: a process that left the step's process group still holds it open]\n");
            break;
        }
        if poll(Some(reader.as_raw_fd()), None, Some(left))?.0 {
            open = read_into(&mut reader, &mut capture);
        }
    }
    Ok(Finished {
        status,
        output: capture.finish(),
    })
}

/// A started process group leader, not yet reaped.
enum Leader {
    Spawned(libc::pid_t),
    Child(std::process::Child),
}

impl Leader {
    fn pid(&self) -> libc::pid_t {
        match self {
            Leader::Spawned(pid) => *pid,
            Leader::Child(child) => child.id() as libc::pid_t,
        }
    }

    fn wait(&mut self) -> std::io::Result<ExitStatus> {
        match self {
            Leader::Spawned(pid) => spawn::wait(*pid),
            Leader::Child(child) => child.wait(),
        }
    }
}

/// Starts the command with its output on `writer` (stdout to `spawn.stdout` if given):
/// through [`spawn::spawn`] with the run's environment block, or through `std::process`
/// when it must change user or a descriptor sits where stdin, stdout or stderr go. Returns
/// the leader and, when the start gave one, its pidfd.
fn start(
    program: &Path,
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    spawn: Spawn,
    writer: std::io::PipeWriter,
) -> std::io::Result<(Leader, Option<OwnedFd>)> {
    let stdout = spawn
        .stdout
        .as_ref()
        .map_or(writer.as_raw_fd(), |f| f.as_raw_fd());
    if spawn.user.is_none() && stdout > 2 && writer.as_raw_fd() > 2 {
        let started = self::spawn::spawn(program, argv, cwd, env, stdout, writer.as_raw_fd())?;
        return Ok((Leader::Spawned(started.pid), started.pidfd));
    }
    let out = match spawn.stdout {
        Some(file) => Stdio::from(file),
        None => Stdio::from(writer.try_clone()?),
    };
    let mut command = Command::new(program);
    command
        .args(&argv[1..])
        .current_dir(cwd)
        .envs(env)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(writer)
        .process_group(0);
    // Under a git hook these pin the hook's repository and index; a step's git works on the
    // repository of its own directory (the staged copy, say) unless the step sets them.
    for var in LOCATION_VARS {
        if !env.contains_key(var) {
            command.env_remove(var);
        }
    }
    if let Some((uid, gid)) = spawn.user {
        // Dropping root this way also clears the supplementary groups (std does that).
        command.uid(uid).gid(gid);
    }
    let spawned = command.spawn();
    // The command holds the pipe's write ends; drop them so the reader sees end-of-file.
    drop(command);
    Ok((Leader::Child(spawned?), None))
}

/// Reads what is available; false at end of file.
fn read_into(reader: &mut std::io::PipeReader, capture: &mut Capture) -> bool {
    // One buffer per thread: zeroing 16 KiB for every read showed in the per-step cost.
    thread_local!(static BUF: std::cell::RefCell<Box<[u8]>> =
        std::cell::RefCell::new(vec![0; 16 * 1024].into_boxed_slice()));
    BUF.with_borrow_mut(|buf| match reader.read(buf) {
        Ok(0) => false,
        Ok(n) => {
            capture.push(&buf[..n]);
            true
        }
        Err(e) => e.kind() == std::io::ErrorKind::Interrupted,
    })
}

/// Waits until the pipe or the exit watch is ready (or `timeout` passes); returns
/// (pipe readable or closed, process exited).
fn poll(
    pipe: Option<RawFd>,
    exit: Option<RawFd>,
    timeout: Option<Duration>,
) -> std::io::Result<(bool, bool)> {
    let mut fds: Vec<libc::pollfd> = [pipe, exit]
        .into_iter()
        .map(|fd| libc::pollfd {
            fd: fd.unwrap_or(-1),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    let ms = timeout.map_or(-1, |t| t.as_millis().clamp(1, i32::MAX as u128) as i32);
    // SAFETY: `fds` is a valid array of two pollfd; negative fds are ignored by poll.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, ms) };
    if n < 0 {
        let error = std::io::Error::last_os_error();
        return if error.kind() == std::io::ErrorKind::Interrupted {
            Ok((false, false))
        } else {
            Err(error)
        };
    }
    Ok((fds[0].revents != 0, fds[1].revents != 0))
}

/// Tells when a child has exited without reaping it: a pidfd where the kernel has them,
/// else a non-blocking `waitid(WNOWAIT)` checked every few milliseconds.
struct ExitWatch {
    pid: libc::pid_t,
    pidfd: Option<OwnedFd>,
}

impl ExitWatch {
    fn new(pid: libc::pid_t, pidfd: Option<OwnedFd>) -> ExitWatch {
        let pidfd = pidfd.or_else(|| {
            // SAFETY: plain syscall; a non-negative result is a new fd we own.
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
            (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
        });
        ExitWatch { pid, pidfd }
    }

    fn fd(&self) -> Option<RawFd> {
        self.pidfd.as_ref().map(|fd| fd.as_raw_fd())
    }

    fn poll_interval(&self) -> Option<Duration> {
        self.pidfd.is_none().then(|| Duration::from_millis(5))
    }

    fn exited(&self) -> bool {
        // SAFETY: siginfo_t is plain data; waitid only writes into it.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        // SAFETY: plain syscall on our own child; WNOWAIT leaves it unreaped.
        let r = unsafe { libc::waitid(libc::P_PID, self.pid as libc::id_t, &mut info, flags) };
        // SAFETY: after a successful waitid, si_pid is initialised (0 when nothing exited).
        r == 0 && unsafe { info.si_pid() } != 0
    }
}

/// The program's path, searched on the step's PATH, so the child makes one `execve`
/// instead of one attempt per PATH entry.
/// A run asks for the same few programs again and again (a chain of `cargo` steps), so
/// each (program, PATH) is searched once per run.
fn resolve(
    program: &str,
    env: &BTreeMap<String, String>,
    cwd: &Path,
) -> std::io::Result<std::path::PathBuf> {
    /// (program, PATH, where it was found): a handful per run, compared without hashing or
    /// copying the PATH.
    type Found = Vec<(String, Option<String>, std::path::PathBuf)>;
    static FOUND: Mutex<Found> = Mutex::new(Vec::new());
    if program.contains('/') {
        return Ok(program.into());
    }
    let inherited;
    let path = match env.get("PATH") {
        Some(path) => Some(path.as_str()),
        None => {
            inherited = std::env::var("PATH").ok();
            inherited.as_deref()
        }
    };
    let hit = FOUND
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .find(|(p, on, _)| p == program && on.as_deref() == path)
        .map(|(_, _, found)| found.clone());
    if let Some(hit) = hit {
        return Ok(hit);
    }
    // A relative PATH entry depends on the directory: those searches are not remembered.
    let cacheable = path.is_some_and(|p| std::env::split_paths(p).all(|d| d.is_absolute()));
    let resolved = which::which_in(program, path, cwd)
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::NotFound))?;
    if cacheable {
        FOUND.lock().unwrap_or_else(|e| e.into_inner()).push((
            program.to_owned(),
            path.map(str::to_owned),
            resolved.clone(),
        ));
    }
    Ok(resolved)
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
