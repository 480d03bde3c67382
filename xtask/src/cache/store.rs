//! The local content store under `target/xtask/cache/`: blobs named by their sha256
//! (`cas/ab/abcd…`) and action results named by the step's key (`ac/<key>`), the same layout
//! and encoding the Bazel HTTP remote cache uses, so what is stored here can go to a server
//! unchanged. Every file is written whole (temp file, then rename); a blob's mtime is its
//! last use, which `cache prune` goes by.

use super::proto::{ActionResult, Digest};
use anyhow::Context as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub struct Store {
    dir: PathBuf,
}

/// What the store holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub blobs: u64,
    pub blob_bytes: u64,
    pub actions: u64,
}

impl Store {
    /// The store in the cache directory `dir`.
    pub fn new(dir: &Path) -> Store {
        Store {
            dir: dir.to_owned(),
        }
    }

    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        let prefix = digest.hash.get(..2).unwrap_or("00");
        self.dir.join("cas").join(prefix).join(&digest.hash)
    }

    fn action_path(&self, key: &str) -> PathBuf {
        self.dir.join("ac").join(key)
    }

    /// Whether the blob is here with its size; a use, so its mtime is refreshed.
    pub fn has(&self, digest: &Digest) -> bool {
        let path = self.blob_path(digest);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() == digest.size => {
                touch(&path);
                true
            }
            _ => false,
        }
    }

    /// Copies the file at `path` into the store: its digest.
    pub fn put_file(&self, path: &Path) -> anyhow::Result<Digest> {
        let mut file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        self.put_reader(&mut file, None)
            .map_err(|e| anyhow::anyhow!("cannot store {}: {e}", path.display()))
    }

    pub fn put_bytes(&self, bytes: &[u8]) -> anyhow::Result<Digest> {
        self.put_reader(&mut &bytes[..], None)
            .map_err(|e| anyhow::anyhow!("cannot store a blob: {e}"))
    }

    /// Stores what `from` yields; with `expected`, only when it has that digest (a blob from
    /// a server is checked before anything uses it). `Err` says why nothing was stored.
    pub fn put_reader(
        &self,
        from: &mut impl std::io::Read,
        expected: Option<&Digest>,
    ) -> Result<Digest, String> {
        let cas = self.dir.join("cas");
        std::fs::create_dir_all(&cas)
            .map_err(|e| format!("cannot create {}: {e}", cas.display()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&cas).map_err(|e| e.to_string())?;
        let (hash, size) = xtask_inputs::digest::sha256_copy(from, tmp.as_file_mut())
            .map_err(|e| e.to_string())?;
        let digest = Digest { hash, size };
        if let Some(expected) = expected
            && *expected != digest
        {
            return Err(format!(
                "its content has sha256 {} ({} bytes), not the {} ({} bytes) it is named by",
                digest.hash, digest.size, expected.hash, expected.size
            ));
        }
        let path = self.blob_path(&digest);
        if !self.has(&digest) {
            let dir = path.parent().expect("in cas/ab");
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            tmp.as_file_mut().flush().map_err(|e| e.to_string())?;
            tmp.persist(&path).map_err(|e| e.to_string())?;
        }
        Ok(digest)
    }

    pub fn put_action(&self, key: &str, result: &ActionResult) -> anyhow::Result<()> {
        xtask_inputs::fsutil::write_atomic(&self.action_path(key), &result.encode())
    }

    /// The action result stored under `key`; `Err` for one that cannot be read.
    pub fn action(&self, key: &str) -> Result<Option<ActionResult>, String> {
        match std::fs::read(self.action_path(key)) {
            Ok(bytes) => ActionResult::decode(&bytes).map(Some),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The bytes of a stored action result, for an upload.
    pub fn action_bytes(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.action_path(key)).ok()
    }

    /// A stored blob as text (a step's logged output).
    pub fn text(&self, digest: &Digest) -> Option<String> {
        let bytes = std::fs::read(self.blob_path(digest)).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Counts what is stored.
    pub fn usage(&self) -> Usage {
        let mut usage = Usage::default();
        for (_, meta) in self.blobs() {
            usage.blobs += 1;
            usage.blob_bytes += meta.len();
        }
        usage.actions = std::fs::read_dir(self.dir.join("ac")).map_or(0, |d| d.count() as u64);
        usage
    }

    /// Removes the least recently used blobs until the rest fit in `max_bytes`, and the
    /// action results that name a removed blob: what was removed.
    pub fn prune(&self, max_bytes: u64) -> anyhow::Result<Usage> {
        let mut blobs = self.blobs();
        let mut total: u64 = blobs.iter().map(|(_, m)| m.len()).sum();
        blobs.sort_by_key(|(_, m)| m.modified().ok());
        let mut removed = Usage::default();
        let mut gone = std::collections::HashSet::new();
        for (path, meta) in blobs {
            if total <= max_bytes {
                break;
            }
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
            total -= meta.len();
            removed.blobs += 1;
            removed.blob_bytes += meta.len();
            gone.insert(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
        if gone.is_empty() {
            return Ok(removed);
        }
        for entry in std::fs::read_dir(self.dir.join("ac"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(result) = ActionResult::decode(&std::fs::read(entry.path()).unwrap_or_default())
            else {
                continue;
            };
            let names = result.files.iter().map(|f| &f.digest).chain(&result.stdout);
            if names.into_iter().any(|d| gone.contains(&d.hash)) {
                std::fs::remove_file(entry.path())?;
                removed.actions += 1;
            }
        }
        Ok(removed)
    }

    fn blobs(&self) -> Vec<(PathBuf, std::fs::Metadata)> {
        let mut out = Vec::new();
        for dir in std::fs::read_dir(self.dir.join("cas"))
            .into_iter()
            .flatten()
            .flatten()
        {
            for file in std::fs::read_dir(dir.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if let Ok(meta) = file.metadata()
                    && meta.is_file()
                {
                    out.push((file.path(), meta));
                }
            }
        }
        out
    }
}

fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(std::time::SystemTime::now());
    }
}
