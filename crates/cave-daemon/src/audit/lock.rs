//! The audit log's single-writer lock: an exclusive lock on `<log>.lock`, which holds the
//! pid of the daemon that has it, so a second daemon on the same log can name the first.

use anyhow::{Context as _, bail};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Takes the exclusive lock of `<log>.lock` and writes this process's pid into it; another
/// daemon holding it is an error naming its pid.
pub fn lock(path: &Path) -> anyhow::Result<std::fs::File> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let holder = std::fs::read_to_string(&lock_path).unwrap_or_default();
            let holder = holder.trim();
            let who = if holder.is_empty() {
                "another cave-daemon".to_string()
            } else {
                format!("another cave-daemon (pid {holder})")
            };
            bail!(
                "the audit log {} is in use by {who}; two daemons must not append to one log",
                path.display()
            );
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", lock_path.display()));
        }
    }
    file.set_len(0)?;
    file.write_all(format!("{}\n", std::process::id()).as_bytes())?;
    Ok(file)
}
