//! Starting a step's process: a `clone(CLONE_VM | CLONE_VFORK)` child that sets up its
//! descriptors, group and directory and calls `execve`, from an environment block built
//! once per run. Two costs of the standard ways are gone: `std::process::Command` copies,
//! sorts and re-encodes the whole environment for every command that changes one variable
//! (each step gets `XTASK_STEP`), and glibc's `posix_spawn` (2.36) resets every one of the
//! 64 signal dispositions with two system calls each while the engine's thread waits —
//! together with its per-spawn stack mapping, about a tenth of a bare spawn. The child
//! here resets only the signals the engine has handlers for, and its pidfd comes with
//! the clone (`CLONE_PIDFD`) instead of a separate `pidfd_open`.

use std::collections::BTreeMap;
use std::ffi::{CString, OsString};
use std::os::fd::{FromRawFd as _, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::path::Path;
use std::process::ExitStatus;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// The engine's environment when the first step started, as `NAME=value` entries.
fn inherited() -> &'static [(OsString, CString)] {
    static ENV: OnceLock<Vec<(OsString, CString)>> = OnceLock::new();
    ENV.get_or_init(|| {
        std::env::vars_os()
            .filter_map(|(name, value)| {
                let mut entry = name.clone().into_vec();
                entry.push(b'=');
                entry.extend_from_slice(value.as_bytes());
                Some((name, CString::new(entry).ok()?))
            })
            .collect()
    })
}

fn c_string(bytes: &[u8]) -> std::io::Result<CString> {
    CString::new(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "an argument or variable contains a NUL byte",
        )
    })
}

/// A started process: its id, and a pidfd when the kernel gave one.
pub struct Started {
    pub pid: libc::pid_t,
    pub pidfd: Option<OwnedFd>,
}

/// Starts `program` with `argv` in `cwd` as the leader of a new process group: stdin from
/// /dev/null, stdout and stderr onto the given descriptors (both above 2), signal mask and
/// dispositions reset (SIGPIPE too, which the Rust runtime ignores), `env` over the
/// engine's environment and the variables in `remove` left out. The caller reaps it with
/// [`wait`].
pub fn spawn(
    program: &Path,
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    remove: &[&str],
    stdout: RawFd,
    stderr: RawFd,
) -> std::io::Result<Started> {
    let program = c_string(program.as_os_str().as_bytes())?;
    let cwd = c_string(cwd.as_os_str().as_bytes())?;
    let args = argv
        .iter()
        .map(|a| c_string(a.as_bytes()))
        .collect::<std::io::Result<Vec<_>>>()?;
    let own = env
        .iter()
        .map(|(name, value)| c_string(format!("{name}={value}").as_bytes()))
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut envp: Vec<*const libc::c_char> = inherited()
        .iter()
        .filter(|(name, _)| {
            let name = name.to_str();
            !name.is_some_and(|n| env.contains_key(n) || remove.contains(&n))
        })
        .map(|(_, entry)| entry.as_ptr())
        .chain(own.iter().map(|e| e.as_ptr()))
        .collect();
    envp.push(std::ptr::null());
    let mut argp: Vec<*const libc::c_char> = args.iter().map(|a| a.as_ptr()).collect();
    argp.push(std::ptr::null());
    let child = Child {
        program: program.as_ptr(),
        argv: argp.as_ptr(),
        envp: envp.as_ptr(),
        cwd: cwd.as_ptr(),
        stdout,
        stderr,
        handled: handled_signals(),
        failure: AtomicI32::new(0),
    };
    clone_child(&child)
}

/// What the child needs, all of it prepared by the parent: between clone and exec the
/// child shares the engine's memory and may only make system calls.
struct Child {
    program: *const libc::c_char,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
    cwd: *const libc::c_char,
    stdout: RawFd,
    stderr: RawFd,
    /// Signals that may have a handler in the engine (bit n for signal n).
    handled: u64,
    /// Set by a child that could not start the program: the errno, negated for chdir.
    failure: AtomicI32,
}

/// Bytes of stack for the child: it makes a few system calls and nothing else.
const STACK: usize = 64 * 1024;

/// Whether the kernel accepts `CLONE_PIDFD` (Linux 5.2 and later).
static NO_PIDFD: AtomicBool = AtomicBool::new(false);

fn clone_child(child: &Child) -> std::io::Result<Started> {
    // One stack per thread: the thread is suspended until the child has called execve
    // or exited (CLONE_VFORK), so the stack is free again when clone returns.
    thread_local!(static STACK_MEMORY: std::cell::RefCell<Vec<u128>> =
        std::cell::RefCell::new(vec![0; STACK / 16]));
    STACK_MEMORY.with_borrow_mut(|stack| {
        // SAFETY: sigset_t is plain data, filled by sigfillset before use.
        let mut all: libc::sigset_t = unsafe { std::mem::zeroed() };
        let mut old: libc::sigset_t = unsafe { std::mem::zeroed() };
        let mut pidfd: libc::c_int = -1;
        let top = stack.as_mut_ptr_range().end.cast::<libc::c_void>();
        let with_pidfd = !NO_PIDFD.load(Ordering::Relaxed);
        let flags = libc::CLONE_VM | libc::CLONE_VFORK | libc::SIGCHLD;
        // SAFETY: the child runs `exec_child` on its own stack with a pointer to `child`,
        // which outlives it (the parent is suspended until the child execs or exits); all
        // signals are blocked around the clone so no handler of the engine runs in the
        // child before it has reset them.
        let pid = unsafe {
            libc::sigfillset(&mut all);
            // The raw call: glibc's wrappers leave its own internal signals unblocked.
            sigmask(&all, &mut old);
            let arg = std::ptr::from_ref(child).cast_mut().cast::<libc::c_void>();
            let mut pid = if with_pidfd {
                libc::clone(
                    exec_child,
                    top,
                    flags | libc::CLONE_PIDFD,
                    arg,
                    &mut pidfd as *mut libc::c_int,
                )
            } else {
                -1
            };
            if with_pidfd && pid < 0 && *libc::__errno_location() == libc::EINVAL {
                NO_PIDFD.store(true, Ordering::Relaxed);
            }
            if pid < 0 && NO_PIDFD.load(Ordering::Relaxed) {
                pid = libc::clone(exec_child, top, flags, arg);
            }
            let error = std::io::Error::last_os_error();
            sigmask(&old, std::ptr::null_mut());
            if pid < 0 {
                return Err(error);
            }
            pid
        };
        // SAFETY: a non-negative pidfd from clone is a new descriptor we own.
        let pidfd = (pidfd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(pidfd) });
        match child.failure.load(Ordering::SeqCst) {
            0 => Ok(Started { pid, pidfd }),
            failure => {
                wait(pid)?;
                let error = std::io::Error::from_raw_os_error(failure.abs());
                Err(if failure < 0 {
                    // Not the error's own kind: a missing directory is not a missing program.
                    std::io::Error::other(format!("cannot enter the working directory: {error}"))
                } else {
                    error
                })
            }
        }
    })
}

/// Sets the calling thread's signal mask with the system call itself.
///
/// # Safety
/// `set` must point to a valid sigset_t; `old` is null or points to one to write.
unsafe fn sigmask(set: *const libc::sigset_t, old: *mut libc::sigset_t) {
    // SAFETY: as the caller promises; the kernel's sigset is 8 bytes.
    unsafe { libc::syscall(libc::SYS_rt_sigprocmask, libc::SIG_SETMASK, set, old, 8) };
}

/// The child between clone and exec: system calls only (no allocation, no locks), then
/// execve; a failure is left in `failure` for the parent, which is still waiting.
extern "C" fn exec_child(arg: *mut libc::c_void) -> libc::c_int {
    // SAFETY: `arg` is the `Child` the parent passed and keeps alive; every pointer in it
    // points to a NUL-terminated string or array the parent holds until clone returns.
    unsafe {
        let child = &*arg.cast::<Child>();
        let fail = |errno: libc::c_int| -> libc::c_int {
            child.failure.store(errno, Ordering::SeqCst);
            libc::_exit(127)
        };
        let errno = || *libc::__errno_location();
        let mut default: libc::sigaction = std::mem::zeroed();
        default.sa_sigaction = libc::SIG_DFL;
        for signal in 1..64 {
            if child.handled & (1 << signal) == 0 {
                continue;
            }
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, std::ptr::null(), &mut current) == 0
                && current.sa_sigaction != libc::SIG_DFL
                && (current.sa_sigaction != libc::SIG_IGN || signal == libc::SIGPIPE)
            {
                libc::sigaction(signal, &default, std::ptr::null_mut());
            }
        }
        if libc::setpgid(0, 0) < 0
            || libc::dup2(child.stdout, 1) < 0
            || libc::dup2(child.stderr, 2) < 0
        {
            return fail(errno());
        }
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDONLY);
        if null < 0 || (null != 0 && (libc::dup2(null, 0) < 0 || libc::close(null) < 0)) {
            return fail(errno());
        }
        if libc::chdir(child.cwd) < 0 {
            return fail(-errno());
        }
        let mut empty: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut empty);
        sigmask(&empty, std::ptr::null_mut());
        libc::execve(child.program, child.argv, child.envp);
        fail(errno())
    }
}

/// The signals whose disposition the child must reset: those with a handler when the
/// first step starts, those the engine installs handlers for later (SIGINT, SIGTERM
/// during a run) and SIGPIPE, which the Rust runtime ignores and a step must not inherit.
fn handled_signals() -> u64 {
    static HANDLED: OnceLock<u64> = OnceLock::new();
    *HANDLED.get_or_init(|| {
        let mut set: u64 = [libc::SIGINT, libc::SIGTERM, libc::SIGPIPE]
            .iter()
            .fold(0, |set, s| set | 1 << s);
        for signal in 1..32 {
            // SAFETY: a query of the disposition only; sigaction writes into `current`.
            let mut current: libc::sigaction = unsafe { std::mem::zeroed() };
            let queried = unsafe { libc::sigaction(signal, std::ptr::null(), &mut current) };
            if queried == 0
                && current.sa_sigaction != libc::SIG_DFL
                && current.sa_sigaction != libc::SIG_IGN
            {
                set |= 1 << signal;
            }
        }
        set
    })
}

/// Reaps the process `spawn` started.
pub fn wait(pid: libc::pid_t) -> std::io::Result<ExitStatus> {
    use std::os::unix::process::ExitStatusExt as _;
    let mut status = 0;
    loop {
        // SAFETY: plain syscall on our own child.
        if unsafe { libc::waitpid(pid, &mut status, 0) } == pid {
            return Ok(ExitStatus::from_raw(status));
        }
        let error = std::io::Error::last_os_error();
        if error.kind() != std::io::ErrorKind::Interrupted {
            return Err(error);
        }
    }
}
