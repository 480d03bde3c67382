//! The audit log: JSON Lines, one entry per webhook call, each line carrying the sha256 of
//! the line before it (`prev`), so an edited, inserted or deleted line breaks the chain.
//! The daemon opens the file once and holds an exclusive lock on `<log>.lock` (with its pid
//! in it) for its lifetime, so a second daemon on the same log refuses to start; a write
//! that fails or is cut short is truncated back to the last whole line, so the file never
//! keeps half an entry.

use anyhow::{Context as _, bail};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One webhook call as it is logged. It never holds the secret or the signature.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub time: String,
    pub event: &'static str,
    pub outcome: &'static str,
    pub status: u16,
    pub reason: Option<String>,
    pub key_id: Option<String>,
    pub key_class: Option<String>,
    pub namespace: Option<String>,
    pub version: Option<u64>,
    pub owner: Option<String>,
    pub peer: Option<String>,
}

/// A logged line: its number in the chain and the hash of the line before it come first.
#[derive(Serialize)]
struct Line<'a> {
    seq: u64,
    prev: &'a str,
    #[serde(flatten)]
    entry: &'a Entry,
}

pub struct AuditLog {
    path: PathBuf,
    file: std::fs::File,
    /// Locked for the daemon's lifetime; holds its pid.
    _lock: std::fs::File,
    /// The length of the file up to its last whole line.
    len: u64,
    /// The held file's identity and whether the last append failed, shared with the
    /// health check, which reads it without the log's lock.
    health: Health,
    seq: u64,
    last_hash: String,
}

/// The first line that breaks the chain (1-based) and what is wrong with it.
#[derive(Debug, PartialEq, Eq)]
pub struct Broken {
    pub line: usize,
    pub problem: String,
}

/// A verified log: how many entries, the hash of the last line, and the (key id, version)
/// pairs of accepted rotations.
#[derive(Debug)]
pub struct Verified {
    pub entries: u64,
    pub last_hash: String,
    pub accepted: HashSet<(String, u64)>,
}

impl AuditLog {
    /// Opens `path`, creating it if needed; an existing log must verify, and no other
    /// daemon may hold it.
    pub fn open(path: &Path) -> anyhow::Result<(AuditLog, HashSet<(String, u64)>)> {
        let lock = lock(path)?;
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read the audit log {}", path.display()));
            }
        };
        let verified = verify(&text).map_err(|b| {
            anyhow::anyhow!(
                "the audit log {} is broken at line {}: {}; refusing to append to it (`cave-daemon audit repair` removes a torn last line)",
                path.display(),
                b.line,
                b.problem
            )
        })?;
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot open the audit log {}", path.display()))?;
        let held = {
            use std::os::unix::fs::MetadataExt as _;
            let meta = file
                .metadata()
                .with_context(|| format!("cannot read the audit log {}", path.display()))?;
            (meta.dev(), meta.ino())
        };
        let log = AuditLog {
            path: path.to_owned(),
            file,
            _lock: lock,
            len: text.len() as u64,
            health: Health {
                path: path.to_owned(),
                file: held,
                failed: Default::default(),
            },
            seq: verified.entries,
            last_hash: verified.last_hash,
        };
        Ok((log, verified.accepted))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry and flushes it to disk before the caller answers the request. A
    /// failed or short write is cut back to the last whole line and is an error.
    pub fn append(&mut self, entry: &Entry) -> anyhow::Result<()> {
        let line = serde_json::to_string(&Line {
            seq: self.seq + 1,
            prev: &self.last_hash,
            entry,
        })?;
        if !self.health.in_place() {
            self.health.failed.store(true, Ordering::Relaxed);
            bail!(
                "the audit log {} was moved or deleted while the daemon held it; restart the daemon to start a new file",
                self.path.display()
            );
        }
        let bytes = format!("{line}\n");
        let written = self
            .file
            .write_all(bytes.as_bytes())
            .and_then(|()| self.file.sync_data());
        if let Err(e) = written {
            self.health.failed.store(true, Ordering::Relaxed);
            let _ = self.file.set_len(self.len);
            let _ = self.file.sync_data();
            return Err(e).with_context(|| {
                format!("cannot append to the audit log {}", self.path.display())
            });
        }
        self.health.failed.store(false, Ordering::Relaxed);
        self.len += bytes.len() as u64;
        self.seq += 1;
        self.last_hash = sha256_hex(line.as_bytes());
        Ok(())
    }

    /// A handle the health check reads without taking the log's lock (which a slow fsync
    /// may hold).
    pub fn health(&self) -> Health {
        self.health.clone()
    }
}

/// What `/healthz` needs to know of the audit log.
#[derive(Clone)]
pub struct Health {
    path: PathBuf,
    /// (device, inode) of the file the daemon holds.
    file: (u64, u64),
    failed: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Health {
    /// Whether the log can be appended to: the last append did not fail, and the path
    /// still names the file the daemon holds (not moved or deleted).
    pub fn writable(&self) -> bool {
        !self.failed.load(Ordering::Relaxed) && self.in_place()
    }

    fn in_place(&self) -> bool {
        use std::os::unix::fs::MetadataExt as _;
        std::fs::metadata(&self.path).is_ok_and(|named| (named.dev(), named.ino()) == self.file)
    }
}

/// Takes the exclusive lock of `<log>.lock` and writes this process's pid into it; another
/// daemon holding it is an error naming its pid.
fn lock(path: &Path) -> anyhow::Result<std::fs::File> {
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

/// `cave-daemon audit repair <file>`: removes a torn last line (a write cut short by a
/// crash) and nothing else; any other damage is an error naming the line.
pub fn repair(path: &Path) -> anyhow::Result<String> {
    let _lock = lock(path)?;
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if text.is_empty() || text.ends_with('\n') {
        return match verify(&text) {
            Ok(v) => Ok(format!(
                "{}: nothing to repair ({} entries, chain intact)",
                path.display(),
                v.entries
            )),
            Err(b) => bail!(
                "{}: line {}: {}; only a torn last line can be repaired",
                path.display(),
                b.line,
                b.problem
            ),
        };
    }
    let keep = text.rfind('\n').map_or(0, |i| i + 1);
    if let Err(b) = verify(&text[..keep]) {
        bail!(
            "{}: line {}: {}; only a torn last line can be repaired",
            path.display(),
            b.line,
            b.problem
        );
    }
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.set_len(keep as u64)?;
    file.sync_all()?;
    Ok(format!(
        "{}: removed a torn last line of {} bytes; {} entries remain, chain intact",
        path.display(),
        text.len() - keep,
        text[..keep].lines().count()
    ))
}

/// Checks the whole chain.
pub fn verify(text: &str) -> Result<Verified, Broken> {
    let mut prev = GENESIS.to_string();
    let mut accepted = HashSet::new();
    let mut entries = 0u64;
    if !text.is_empty() && !text.ends_with('\n') {
        let line = text.lines().count();
        return Err(Broken {
            line,
            problem: "the last line is incomplete (a torn write)".into(),
        });
    }
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let broken = |problem: String| Broken { line: n, problem };
        let value: Value =
            serde_json::from_str(line).map_err(|e| broken(format!("not a JSON object: {e}")))?;
        if value.get("prev").and_then(Value::as_str) != Some(prev.as_str()) {
            let problem = if n == 1 {
                "its `prev` is not the genesis hash (lines were deleted from the start)".to_string()
            } else {
                format!(
                    "its `prev` is not the sha256 of line {}: line {} was edited, or lines were inserted or deleted between them",
                    n - 1,
                    n - 1
                )
            };
            return Err(broken(problem));
        }
        if value.get("seq").and_then(Value::as_u64) != Some(n as u64) {
            return Err(broken(format!("its `seq` should be {n}")));
        }
        let id = value.get("key_id").and_then(Value::as_str);
        let version = value.get("version").and_then(Value::as_u64);
        if let (Some("accepted"), Some(id), Some(version)) =
            (value.get("outcome").and_then(Value::as_str), id, version)
        {
            accepted.insert((id.to_owned(), version));
        }
        prev = sha256_hex(line.as_bytes());
        entries += 1;
    }
    Ok(Verified {
        entries,
        last_hash: prev,
        accepted,
    })
}

/// `cave-daemon audit verify <file>`: Ok with a one-line report, or the first broken line.
pub fn verify_file(path: &Path) -> anyhow::Result<String> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    match verify(&text) {
        Ok(v) => Ok(format!(
            "{}: {} entries, chain intact, last hash {}",
            path.display(),
            v.entries,
            v.last_hash
        )),
        Err(b) => bail!("{}: line {}: {}", path.display(), b.line, b.problem),
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::signature::hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(outcome: &'static str, key: &str, version: u64) -> Entry {
        Entry {
            time: "2026-11-28T00:00:00Z".into(),
            event: "key-rotation",
            outcome,
            status: 200,
            reason: None,
            key_id: Some(key.into()),
            key_class: Some("admin".into()),
            namespace: Some("ns".into()),
            version: Some(version),
            owner: Some("ops".into()),
            peer: None,
        }
    }

    #[test]
    fn a_written_chain_verifies_and_remembers_accepted_rotations() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let (mut log, _) = AuditLog::open(&path).unwrap();
        log.append(&entry("accepted", "k1", 1)).unwrap();
        log.append(&entry("rejected", "k2", 1)).unwrap();
        let second = AuditLog::open(&path).err().unwrap().to_string();
        assert!(
            second.contains("is in use by another cave-daemon (pid "),
            "{second}"
        );
        drop(log);
        let (_, seen) = AuditLog::open(&path).unwrap();
        assert_eq!(seen, HashSet::from([("k1".to_string(), 1)]));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.lines()
                .next()
                .unwrap()
                .starts_with(&format!("{{\"seq\":1,\"prev\":\"{GENESIS}\","))
        );
        assert_eq!(verify(&text).unwrap().entries, 2);
    }

    #[test]
    fn edits_deletions_and_torn_lines_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let (mut log, _) = AuditLog::open(&path).unwrap();
        for v in 1..=3 {
            log.append(&entry("accepted", "k", v)).unwrap();
        }
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let edited = text.replacen("\"owner\":\"ops\"", "\"owner\":\"eve\"", 1);
        assert_eq!(verify(&edited).unwrap_err().line, 2);
        let deleted = format!("{}\n{}\n", lines[0], lines[2]);
        assert_eq!(verify(&deleted).unwrap_err().line, 2);
        assert_eq!(verify(&text[..text.len() - 5]).unwrap_err().line, 3);
        assert!(AuditLog::open(&path).is_ok());
        std::fs::write(&path, &edited).unwrap();
        let err = AuditLog::open(&path).err().unwrap().to_string();
        assert!(err.contains("is broken at line 2"), "{err}");
    }
}
