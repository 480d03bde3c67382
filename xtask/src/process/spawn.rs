//! Starting a step's process with `posix_spawn` directly, from an environment block built
//! once per run. `std::process::Command` copies, sorts and re-encodes the whole environment
//! for every command that changes one variable (each step gets `XTASK_STEP`), which was
//! two fifths of the engine's own instructions on a chain of short steps.

use std::collections::BTreeMap;
use std::ffi::{CString, OsString};
use std::os::fd::RawFd;
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::path::Path;
use std::process::ExitStatus;
use std::sync::OnceLock;

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

/// Starts `program` with `argv` in `cwd` as the leader of a new process group: stdin from
/// /dev/null, stdout and stderr onto the given descriptors, signal mask and SIGPIPE reset,
/// `env` over the engine's environment and the variables in `remove` left out. The caller
/// reaps it with [`wait`].
pub fn spawn(
    program: &Path,
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    remove: &[&str],
    stdout: RawFd,
    stderr: RawFd,
) -> std::io::Result<libc::pid_t> {
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
    // SAFETY: every pointer handed to posix_spawn points into the CStrings above, alive
    // until it returns; the attribute and action objects are initialised before use and
    // destroyed after.
    unsafe {
        let mut actions: libc::posix_spawn_file_actions_t = std::mem::zeroed();
        let mut attr: libc::posix_spawnattr_t = std::mem::zeroed();
        check(libc::posix_spawn_file_actions_init(&mut actions))?;
        check(libc::posix_spawnattr_init(&mut attr))?;
        let result = (|| {
            check(libc::posix_spawn_file_actions_adddup2(
                &mut actions,
                stdout,
                1,
            ))?;
            check(libc::posix_spawn_file_actions_adddup2(
                &mut actions,
                stderr,
                2,
            ))?;
            check(libc::posix_spawn_file_actions_addopen(
                &mut actions,
                0,
                c"/dev/null".as_ptr(),
                libc::O_RDONLY,
                0,
            ))?;
            check(libc::posix_spawn_file_actions_addchdir_np(
                &mut actions,
                cwd.as_ptr(),
            ))?;
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            let mut default: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut default);
            libc::sigaddset(&mut default, libc::SIGPIPE);
            check(libc::posix_spawnattr_setsigmask(&mut attr, &empty))?;
            check(libc::posix_spawnattr_setsigdefault(&mut attr, &default))?;
            check(libc::posix_spawnattr_setpgroup(&mut attr, 0))?;
            let flags = libc::POSIX_SPAWN_SETPGROUP
                | libc::POSIX_SPAWN_SETSIGMASK
                | libc::POSIX_SPAWN_SETSIGDEF;
            check(libc::posix_spawnattr_setflags(&mut attr, flags as _))?;
            let mut pid: libc::pid_t = 0;
            check(libc::posix_spawn(
                &mut pid,
                program.as_ptr(),
                &actions,
                &attr,
                argp.as_ptr() as *const *mut libc::c_char,
                envp.as_ptr() as *const *mut libc::c_char,
            ))?;
            Ok(pid)
        })();
        libc::posix_spawn_file_actions_destroy(&mut actions);
        libc::posix_spawnattr_destroy(&mut attr);
        result
    }
}

/// posix_spawn's functions return the error number rather than setting errno.
fn check(code: libc::c_int) -> std::io::Result<()> {
    match code {
        0 => Ok(()),
        code => Err(std::io::Error::from_raw_os_error(code)),
    }
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
