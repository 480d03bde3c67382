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
use std::os::unix::ffi::OsStrExt as _;
use std::path::Path;
use std::process::ExitStatus;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};

/// One variable of the engine's environment.
struct Inherited {
    name: OsString,
    /// `NAME=value`.
    entry: CString,
    /// One of the git variables that pin a hook's repository (see [`crate::LOCATION_VARS`]).
    location: bool,
}

/// The engine's environment when the first step started, sorted by name like a step's
/// own variables, so the two merge in one pass.
fn inherited() -> &'static [Inherited] {
    static ENV: OnceLock<Vec<Inherited>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut vars: Vec<Inherited> = std::env::vars_os()
            .filter_map(|(name, value)| Inherited::new(name, value.as_bytes()))
            .collect();
        vars.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
        vars
    })
}

impl Inherited {
    fn new(name: OsString, value: &[u8]) -> Option<Inherited> {
        let entry = entry(name.as_bytes(), value);
        let location = crate::LOCATION_VARS
            .iter()
            .any(|var| name.as_bytes() == var.as_bytes());
        Some(Inherited {
            entry: CString::new(entry).ok()?,
            name,
            location,
        })
    }
}

/// `NAME=value`, as the environment block holds it (without the NUL).
fn entry(name: &[u8], value: &[u8]) -> Vec<u8> {
    let mut entry = Vec::with_capacity(name.len() + value.len() + 2);
    entry.extend_from_slice(name);
    entry.push(b'=');
    entry.extend_from_slice(value);
    entry
}

/// The step's environment block: its own variables, and the engine's that it does not
/// set, less the git location variables it does not set either.
fn env_block(
    inherited: &[Inherited],
    env: &BTreeMap<String, String>,
) -> std::io::Result<(Vec<CString>, Vec<*const libc::c_char>)> {
    let mut own = Vec::with_capacity(env.len());
    for (name, value) in env {
        own.push(c_string(entry(name.as_bytes(), value.as_bytes()))?);
    }
    let mut block = Vec::with_capacity(inherited.len() + own.len() + 1);
    let mut names = env.keys().zip(&own).peekable();
    for var in inherited {
        let mut overridden = false;
        while let Some((name, entry)) = names.peek() {
            match name.as_bytes().cmp(var.name.as_bytes()) {
                std::cmp::Ordering::Greater => break,
                order => {
                    overridden = order == std::cmp::Ordering::Equal;
                    block.push(entry.as_ptr());
                    names.next();
                }
            }
        }
        if !overridden && !var.location {
            block.push(var.entry.as_ptr());
        }
    }
    block.extend(names.map(|(_, entry)| entry.as_ptr()));
    block.push(std::ptr::null());
    Ok((own, block))
}

fn c_string(bytes: impl Into<Vec<u8>>) -> std::io::Result<CString> {
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
/// engine's environment less the git location variables `env` does not set (under a hook
/// they pin the hook's repository; a step's git works on its own). The caller reaps it with
/// [`wait`].
pub fn spawn(
    program: &Path,
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    stdout: RawFd,
    stderr: RawFd,
) -> std::io::Result<Started> {
    let program = c_string(program.as_os_str().as_bytes())?;
    let cwd = c_string(cwd.as_os_str().as_bytes())?;
    let args = argv
        .iter()
        .map(|a| c_string(a.as_bytes()))
        .collect::<std::io::Result<Vec<_>>>()?;
    let (_own, envp) = env_block(inherited(), env)?;
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

/// Set once the kernel has refused `CLONE_PIDFD` (it came with Linux 5.2).
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_merges_the_steps_variables_over_the_engines_and_drops_git_locations() {
        let inherited: Vec<Inherited> = [("GIT_DIR", "/hook"), ("HOME", "/root"), ("PATH", "/bin")]
            .into_iter()
            .map(|(name, value)| Inherited::new(name.into(), value.as_bytes()).unwrap())
            .collect();
        let env: BTreeMap<String, String> = [("A", "1"), ("PATH", "/tools"), ("ZZ", "2")]
            .into_iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        let (_own, block) = env_block(&inherited, &env).unwrap();
        let entries: Vec<String> = block
            .iter()
            .take_while(|p| !p.is_null())
            // SAFETY: the pointers point into `_own` and `inherited`, both alive here.
            .map(|&p| {
                unsafe { std::ffi::CStr::from_ptr(p) }
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(entries, ["A=1", "HOME=/root", "PATH=/tools", "ZZ=2"]);
        assert!(block.last().unwrap().is_null());
        let pinned: BTreeMap<String, String> =
            [("GIT_DIR".to_string(), "/mine".to_string())].into();
        let (_own, block) = env_block(&inherited, &pinned).unwrap();
        // SAFETY: as above.
        let first = unsafe { std::ffi::CStr::from_ptr(block[0]) };
        assert_eq!(first.to_str().unwrap(), "GIT_DIR=/mine");
        assert_eq!(block.len(), 4);
    }
}
