//! The guard that makes step processes die with the engine, however it dies (SIGKILL, the
//! OOM killer, a runner's hard cancel): a small `sh` process in a process group of its own,
//! reading the step process groups the engine starts from a pipe. When the engine is gone
//! the pipe closes and the guard kills every group still listed. Signals the engine
//! receives (Ctrl-C, SIGTERM) are handled by the engine itself; the guard is for deaths
//! that leave no chance to clean up. A process that leaves its group on purpose (`setsid`,
//! a daemon) is beyond it, as it is beyond the group kill. POSIX sh starts in about a
//! millisecond, a fraction of what starting the engine's own binary again would cost.

use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

/// Lines for the guard; a thread of its own starts it and writes them, so a step never
/// waits for the guard to start.
static QUEUE: OnceLock<Mutex<Sender<String>>> = OnceLock::new();

/// `+<group>` adds a group, `-<group>` removes it; at end of input every listed group is
/// killed. The list is ` g1 g2 … ` (spaces around every id, so a match is a whole id).
const SCRIPT: &str = r#"groups=" "
while read -r line; do
  id=${line#?}
  case $line in
    +*) groups="$groups$id " ;;
    -*) case $groups in *" $id "*) groups="${groups%% $id *} ${groups#* $id }" ;; esac ;;
  esac
done
for id in $groups; do kill -s KILL -- "-$id" 2>/dev/null; done
"#;

/// Tells the guard (started on first use) about a new step process group.
pub fn register(group: libc::pid_t) {
    send(&format!("+{group}\n"));
}

/// The group is being killed and reaped by the engine: the guard forgets it.
pub fn unregister(group: libc::pid_t) {
    send(&format!("-{group}\n"));
}

fn send(line: &str) {
    let queue = QUEUE.get_or_init(|| {
        let (tx, rx) = channel::<String>();
        std::thread::spawn(move || {
            // A guard that cannot start, or that died (killed by hand), means less
            // protection, never a failure of the run.
            let Some(mut pipe) = start() else { return };
            for line in rx {
                if pipe.write_all(line.as_bytes()).is_err() {
                    return;
                }
            }
        });
        Mutex::new(tx)
    });
    let _ = queue
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .send(line.to_owned());
}

fn start() -> Option<ChildStdin> {
    let child = Command::new("sh")
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // Its own group: a terminal's Ctrl-C goes to the engine, not to the guard.
        .process_group(0)
        .spawn()
        .ok()?;
    child.stdin
}
