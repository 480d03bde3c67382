//! The guard that makes step processes die with the engine, however it dies (SIGKILL, the
//! OOM killer, a runner's hard cancel): a small `sh` process in a process group of its own
//! that waits for the end of a pipe only the engine holds. The engine lists its live step
//! process groups in a table in shared memory (a file mapped into both; one fixed-width
//! line per group), so starting or ending a step costs a few memory writes and no system
//! call or wake-up. When the pipe closes — the engine exited or died — the guard kills
//! every group the table still lists. The table is an unnamed file, so nothing is left
//! behind however either process ends. Signals the engine receives
//! (Ctrl-C, SIGTERM) are handled by the engine itself; the guard is for deaths that leave no
//! chance to clean up. A process that leaves its group on purpose (`setsid`, a daemon) is
//! beyond it, as it is beyond the group kill.

use std::os::fd::AsRawFd as _;
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// Bytes per slot: a marker byte, up to 14 digits, a newline.
const SLOT: usize = 16;
/// Slots in the table: a header, then one per group; more concurrent steps go unguarded.
const SLOTS: usize = 1024;
/// The first byte of a slot the guard must skip (empty, or being written).
const SKIP: u8 = b'#';
/// The header of a table whose engine exited cleanly.
const DONE: &[u8] = b"done";

/// The table comes as stdout (an unnamed file, opened for reading too): moved to fd 3, it
/// is read once stdin ends. A `done` header ends the guard; otherwise every group in a
/// slot not marked `#` is killed.
const SCRIPT: &str = r#"exec 3<&1 1>/dev/null
while read -r _; do :; done
read -r header <&3
[ "$header" = done ] && exit
while read -r id; do
  case $id in ''|'#'*) ;; *) kill -s KILL -- "-$id" 2>/dev/null ;; esac
done <&3
"#;

/// The shared table, once the guard runs.
struct Table {
    memory: *mut u8,
    /// The write end of the guard's pipe: open for as long as the engine lives.
    _alive: std::io::PipeWriter,
}

// SAFETY: the mapping lives for the whole process; slots are written under `GUARD`'s lock.
unsafe impl Send for Table {}

/// The groups in each slot, as the engine knows them, and the table once it exists.
struct Guard {
    groups: [Option<libc::pid_t>; SLOTS],
    table: Option<Table>,
    started: bool,
}

static GUARD: Mutex<Guard> = Mutex::new(Guard {
    groups: [None; SLOTS],
    table: None,
    started: false,
});

fn locked() -> std::sync::MutexGuard<'static, Guard> {
    GUARD.lock().unwrap_or_else(|e| e.into_inner())
}

/// Lists a new step process group. The first call creates the table and starts the guard
/// on a thread of its own (one `sh`, a millisecond or more), so no step waits for it.
pub fn register(group: libc::pid_t) {
    let mut guard = locked();
    if !guard.started {
        guard.started = true;
        guard.table = start();
    }
    let Some(table) = &guard.table else {
        return;
    };
    // Slot 0 is the header.
    let Some(slot) = guard.groups.iter().skip(1).position(Option::is_none) else {
        return;
    };
    let slot = slot + 1;
    table.list(slot, group);
    guard.groups[slot] = Some(group);
}

/// The engine is about to exit with no step process left, so the guard has nothing to kill:
/// the header tells it so, and it ends without reading the rest of the table.
pub fn dismiss() {
    let guard = locked();
    if let Some(table) = &guard.table
        && guard.groups.iter().all(Option::is_none)
    {
        table.write(0, DONE);
    }
}

/// The group is being killed and reaped by the engine: the guard forgets it.
pub fn unregister(group: libc::pid_t) {
    let mut guard = locked();
    if let Some(slot) = guard.groups.iter().position(|g| *g == Some(group)) {
        guard.groups[slot] = None;
        if let Some(table) = &guard.table {
            table.write(slot, &[SKIP]);
        }
    }
}

impl Table {
    /// Lists `group` in `slot`. The digits land while the slot is still marked; one byte
    /// then makes it live, so an engine killed in between never leaves half a number for
    /// the guard to kill.
    fn list(&self, slot: usize, group: libc::pid_t) {
        let digits = group.to_string();
        let mut line = [b' '; SLOT];
        line[0] = SKIP;
        line[1..1 + digits.len()].copy_from_slice(digits.as_bytes());
        line[SLOT - 1] = b'\n';
        self.write(slot, &line);
        self.write(slot, b" ");
    }

    /// Writes `bytes` at the start of `slot`, visibly to the guard even if the engine is
    /// killed right after.
    fn write(&self, slot: usize, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            // SAFETY: slot < SLOTS and i < SLOT, inside the mapping of SLOTS * SLOT bytes.
            unsafe { std::ptr::write_volatile(self.memory.add(slot * SLOT + i), b) };
        }
        std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
    }
}

/// Creates the table and the pipe, and starts the guard on a thread of its own; `None` (no
/// protection, never a failed run) if the table cannot be made.
fn start() -> Option<Table> {
    // An unnamed file (nothing to remove, however the engine ends), in memory where the
    // system has a tmpfs for it: on a disk it made a one-step run about 1 ms slower.
    let shm = std::path::Path::new("/dev/shm");
    let file = if shm.is_dir() {
        tempfile::tempfile_in(shm)
    } else {
        tempfile::tempfile()
    }
    .ok()?;
    let mut empty = [b' '; SLOT];
    empty[0] = SKIP;
    empty[SLOT - 1] = b'\n';
    std::io::Write::write_all(&mut &file, &empty.repeat(SLOTS)).ok()?;
    // The guard reads through the same open file, so from its start.
    std::io::Seek::seek(&mut &file, std::io::SeekFrom::Start(0)).ok()?;
    // SAFETY: a shared, read-write mapping of the whole file we just wrote, never unmapped.
    let memory = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            SLOTS * SLOT,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            file.as_raw_fd(),
            0,
        )
    };
    if memory == libc::MAP_FAILED {
        return None;
    }
    let (reader, writer) = std::io::pipe().ok()?;
    std::thread::spawn(move || {
        // An absolute path: `sh` alone is searched by trying every PATH entry in the child.
        Command::new("/bin/sh")
            .args(["-c", SCRIPT, "xtask-guard"])
            .stdin(reader)
            .stdout(Stdio::from(file))
            .stderr(Stdio::null())
            // Its own group: a terminal's Ctrl-C goes to the engine, not to the guard.
            .process_group(0)
            .spawn()
    });
    Some(Table {
        memory: memory.cast(),
        _alive: writer,
    })
}
