//! The audit log: JSON Lines, one entry per webhook call, each line carrying the sha256 of
//! the line before it (`prev`), so an edited, inserted or deleted line breaks the chain;
//! with a signing key, signed checkpoints at an interval and on shutdown protect the chain's
//! end as well. The daemon opens the file once and holds an exclusive lock on `<log>.lock`
//! (with its pid in it) for its lifetime, so a second daemon on the same log refuses to
//! start; a write that fails or is cut short is truncated back to the last whole line, so
//! the file never keeps half an entry.

mod chain;
mod checkpoint;
mod files;
mod lock;

pub use chain::{Broken, Verified, verify};
pub use checkpoint::payload as checkpoint_payload;
pub use files::{repair, verify_file};

use anyhow::{Context as _, bail};
use cosign_key::{SigningKey, VerifyingKey};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

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
struct Line<'a, T> {
    seq: u64,
    prev: &'a str,
    #[serde(flatten)]
    body: &'a T,
}

/// The first line of a log started by a reopen: where the previous file ended.
#[derive(Serialize)]
struct Continued<'a> {
    time: &'a str,
    event: &'static str,
    previous_seq: u64,
    previous_hash: &'a str,
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
    /// Signs checkpoints (`--audit-key`).
    key: Option<SigningKey>,
    /// Entries after the last checkpoint.
    unsigned: u64,
}

impl AuditLog {
    /// Opens `path`, creating it if needed; an existing log must verify (with `key`, its
    /// checkpoints too), and no other daemon may hold it.
    pub fn open(path: &Path, key: Option<SigningKey>) -> anyhow::Result<(AuditLog, Verified)> {
        let lock = lock::lock(path)?;
        let text = match std::fs::read(path) {
            Ok(bytes) => String::from_utf8(bytes)
                .map_err(|_| anyhow::anyhow!("{} is not UTF-8 text", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(e)
                    .with_context(|| format!("cannot read the audit log {}", path.display()));
            }
        };
        let public = key.as_ref().map(VerifyingKey::from);
        let verified = verify(&text, public.as_ref()).map_err(|b| {
            anyhow::anyhow!(
                "the audit log {} is broken at line {}: {}; refusing to append to it (`cave-daemon audit repair` removes a torn last line)",
                path.display(),
                b.line,
                b.problem
            )
        })?;
        let file = open_append(path)?;
        let log = AuditLog {
            path: path.to_owned(),
            _lock: lock,
            len: text.len() as u64,
            health: Health {
                path: path.to_owned(),
                file: Arc::new(Mutex::new(identity(&file, path)?)),
                failed: Default::default(),
            },
            file,
            seq: verified.entries,
            unsigned: verified.unsigned(),
            last_hash: verified.last_hash.clone(),
            key,
        };
        Ok((log, verified))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Entries no checkpoint covers yet.
    pub fn unsigned(&self) -> u64 {
        self.unsigned
    }

    /// Appends one entry and flushes it to disk before the caller answers the request. A
    /// failed or short write is cut back to the last whole line and is an error.
    pub fn append(&mut self, entry: &Entry) -> anyhow::Result<()> {
        self.ensure_in_place()?;
        self.write_line(entry)?;
        self.unsigned += 1;
        Ok(())
    }

    /// With a signing key and entries since the last checkpoint, appends a signed
    /// checkpoint; returns whether it did.
    pub fn checkpoint(&mut self, time: &str) -> anyhow::Result<bool> {
        if self.key.is_none() || self.unsigned == 0 {
            return Ok(false);
        }
        self.ensure_in_place()?;
        self.sign_held(time)
    }

    /// Signs a checkpoint into the file the daemon holds, wherever its path now is.
    fn sign_held(&mut self, time: &str) -> anyhow::Result<bool> {
        let Some(key) = &self.key else {
            return Ok(false);
        };
        if self.unsigned == 0 {
            return Ok(false);
        }
        let body = checkpoint::sign(key, self.seq + 1, &self.last_hash, time);
        self.write_line(&body)?;
        self.unsigned = 0;
        Ok(true)
    }

    /// Log rotation (SIGHUP): once the file was moved away, signs a last checkpoint into
    /// it and starts a new log at the path, whose first line names where the old one
    /// ended. Returns what happened, for the daemon's stderr.
    pub fn reopen(&mut self, time: &str) -> anyhow::Result<String> {
        if self.health.in_place() {
            return Ok(format!(
                "{} was not moved; it stays open",
                self.path.display()
            ));
        }
        self.sign_held(time)?;
        let file = open_append(&self.path)?;
        let meta = file.metadata()?;
        if meta.len() > 0 {
            bail!(
                "cannot start a new audit log at {}: a file with content is already there; move it away and send SIGHUP again",
                self.path.display()
            );
        }
        let (previous_seq, previous_hash) = (self.seq, std::mem::take(&mut self.last_hash));
        *self.health.file.lock().unwrap_or_else(|e| e.into_inner()) = identity(&file, &self.path)?;
        self.file = file;
        self.len = 0;
        self.seq = 0;
        self.last_hash = GENESIS.to_string();
        self.unsigned = 0;
        self.write_line(&Continued {
            time,
            event: "log-continued",
            previous_seq,
            previous_hash: &previous_hash,
        })?;
        self.unsigned = 1;
        Ok(format!(
            "started a new audit log at {} (the previous one ended at seq {previous_seq})",
            self.path.display()
        ))
    }

    /// The daemon never writes into a file its path no longer names.
    fn ensure_in_place(&self) -> anyhow::Result<()> {
        if !self.health.in_place() {
            self.health.failed.store(true, Ordering::Relaxed);
            bail!(
                "the audit log {} was moved or deleted while the daemon held it; send SIGHUP to start a new file",
                self.path.display()
            );
        }
        Ok(())
    }

    /// Writes one chained line and flushes it; on failure the file is cut back.
    fn write_line(&mut self, body: &impl Serialize) -> anyhow::Result<()> {
        let line = serde_json::to_string(&Line {
            seq: self.seq + 1,
            prev: &self.last_hash,
            body,
        })?;
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

    /// What the daemon has written so far, to check the file against without holding the
    /// log's lock (`Written::check`).
    pub fn written(&self) -> Written {
        Written {
            path: self.path.clone(),
            len: self.len,
            seq: self.seq,
            last_hash: self.last_hash.clone(),
            key: self.key.as_ref().map(VerifyingKey::from),
        }
    }

    /// A handle the health check reads without taking the log's lock (which a slow fsync
    /// may hold).
    pub fn health(&self) -> Health {
        self.health.clone()
    }
}

/// The log as the daemon wrote it up to a moment: its length, entry count and last hash.
pub struct Written {
    path: PathBuf,
    len: u64,
    seq: u64,
    last_hash: String,
    key: Option<VerifyingKey>,
}

impl Written {
    /// Re-reads the file and checks that its first `len` bytes are exactly what the daemon
    /// wrote: the chain (and with a key, every checkpoint) verifies and ends at the same
    /// entry and hash. Catches an edit, a truncation or a rebuilt chain while the daemon runs.
    pub fn check(&self) -> Result<(), String> {
        let bytes = std::fs::read(&self.path)
            .map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
        let Some(prefix) = bytes.get(..self.len as usize) else {
            return Err(format!(
                "{} is {} bytes, shorter than the {} the daemon wrote: it was truncated",
                self.path.display(),
                bytes.len(),
                self.len
            ));
        };
        let text = std::str::from_utf8(prefix)
            .map_err(|_| format!("{} is no longer UTF-8 text", self.path.display()))?;
        let v = verify(text, self.key.as_ref())
            .map_err(|b| format!("{}: line {}: {}", self.path.display(), b.line, b.problem))?;
        if v.entries != self.seq || v.last_hash != self.last_hash {
            return Err(format!(
                "{}: its {} entries end in hash {}, but the daemon wrote {} ending in {}: lines were replaced",
                self.path.display(),
                v.entries,
                v.last_hash,
                self.seq,
                self.last_hash
            ));
        }
        Ok(())
    }
}

fn open_append(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("cannot open the audit log {}", path.display()))
}

/// (device, inode) of an open file.
fn identity(file: &std::fs::File, path: &Path) -> anyhow::Result<(u64, u64)> {
    let meta = file
        .metadata()
        .with_context(|| format!("cannot read the audit log {}", path.display()))?;
    Ok((meta.dev(), meta.ino()))
}

/// What `/healthz` needs to know of the audit log.
#[derive(Clone)]
pub struct Health {
    path: PathBuf,
    /// (device, inode) of the file the daemon holds; a reopen replaces it.
    file: Arc<Mutex<(u64, u64)>>,
    failed: Arc<std::sync::atomic::AtomicBool>,
}

impl Health {
    /// Whether the log can be appended to: the last append did not fail, and the path
    /// still names the file the daemon holds (not moved or deleted).
    pub fn writable(&self) -> bool {
        !self.failed.load(Ordering::Relaxed) && self.in_place()
    }

    fn in_place(&self) -> bool {
        let held = *self.file.lock().unwrap_or_else(|e| e.into_inner());
        std::fs::metadata(&self.path).is_ok_and(|named| (named.dev(), named.ino()) == held)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::signature::hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

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
        let (mut log, _) = AuditLog::open(&path, None).unwrap();
        log.append(&entry("accepted", "k1", 1)).unwrap();
        log.append(&entry("rejected", "k2", 1)).unwrap();
        let second = AuditLog::open(&path, None).err().unwrap().to_string();
        assert!(
            second.contains("is in use by another cave-daemon (pid "),
            "{second}"
        );
        drop(log);
        let (_, verified) = AuditLog::open(&path, None).unwrap();
        assert_eq!(verified.accepted, HashSet::from([("k1".to_string(), 1)]));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.lines()
                .next()
                .unwrap()
                .starts_with(&format!("{{\"seq\":1,\"prev\":\"{GENESIS}\","))
        );
        assert_eq!(verify(&text, None).unwrap().entries, 2);
    }

    #[test]
    fn edits_deletions_and_torn_lines_are_found() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        let (mut log, _) = AuditLog::open(&path, None).unwrap();
        for v in 1..=3 {
            log.append(&entry("accepted", "k", v)).unwrap();
        }
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let edited = text.replacen("\"owner\":\"ops\"", "\"owner\":\"eve\"", 1);
        assert_eq!(verify(&edited, None).unwrap_err().line, 2);
        let deleted = format!("{}\n{}\n", lines[0], lines[2]);
        assert_eq!(verify(&deleted, None).unwrap_err().line, 2);
        assert_eq!(verify(&text[..text.len() - 5], None).unwrap_err().line, 3);
        assert!(AuditLog::open(&path, None).is_ok());
        std::fs::write(&path, &edited).unwrap();
        let err = AuditLog::open(&path, None).err().unwrap().to_string();
        assert!(err.contains("is broken at line 2"), "{err}");
    }
}
