//! Content digests of files, with a stat fast path: a file whose size, mtime, ctime and inode
//! are unchanged since it was last hashed keeps its digest. Hashing spreads over the cores.

use crate::digest::sha256_file;
use crate::walk::Found;
use std::collections::BTreeMap;

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone, Debug, PartialEq, Eq)]
struct Stamp {
    size: u64,
    mtime_ns: i64,
    ctime_ns: i64,
    inode: u64,
}

#[derive(Clone, Debug)]
struct Entry {
    stamp: Stamp,
    sha256: String,
}

/// Files modified this recently are hashed again next time: within a timestamp tick a
/// change could leave the stamp as it was.
const RACY_NS: i64 = 1_000_000_000;

pub struct FileDigests {
    path: PathBuf,
    /// Parsed on a thread of its own while the engine loads and plans; joined on first use.
    loading: Mutex<Option<std::thread::JoinHandle<Loaded>>>,
    table: std::sync::OnceLock<Mutex<Table>>,
    warning: Mutex<Option<String>>,
}

/// The stamp table as read from disk, with the warning if it was unreadable.
type Loaded = (Table, Option<String>);

/// Stamps from the last run (sorted, looked up by binary search: no hashing of 2,000 paths
/// at start-up) and those recorded in this run.
#[derive(Default)]
struct Table {
    loaded: Vec<(String, Entry)>,
    fresh: BTreeMap<String, Entry>,
}

impl Table {
    fn get(&self, path: &str) -> Option<&Entry> {
        self.fresh.get(path).or_else(|| {
            let i = self
                .loaded
                .binary_search_by(|(p, _)| p.as_str().cmp(path))
                .ok()?;
            Some(&self.loaded[i].1)
        })
    }
}

impl FileDigests {
    /// Starts loading the stamps of earlier runs; an unreadable file is ignored, with a
    /// warning from `take_warning`.
    pub fn load(path: PathBuf) -> FileDigests {
        let file = path.clone();
        let loading = std::thread::spawn(move || {
            let (loaded, warning) = match std::fs::read_to_string(&file) {
                Ok(text) => match parse(&text) {
                    Ok(loaded) => (loaded, None),
                    Err(line) => {
                        let why = format!(
                            "ignoring the unreadable file-digest cache {} (line {line})",
                            file.display()
                        );
                        (Vec::new(), Some(why))
                    }
                },
                Err(_) => (Vec::new(), None),
            };
            (
                Table {
                    loaded,
                    fresh: BTreeMap::new(),
                },
                warning,
            )
        });
        FileDigests {
            path,
            loading: Mutex::new(Some(loading)),
            table: std::sync::OnceLock::new(),
            warning: Mutex::new(None),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        let table = self.table.get_or_init(|| {
            let handle = self
                .loading
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take();
            let (table, warning) = handle.and_then(|h| h.join().ok()).unwrap_or_default();
            *self.warning.lock().unwrap_or_else(|e| e.into_inner()) = warning;
            Mutex::new(table)
        });
        table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The warning about an unreadable stamp file, once it has been read.
    pub fn take_warning(&self) -> Option<String> {
        drop(self.table());
        self.warning
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// The files `patterns` match under `root` (see [`crate::walk::expand`]), each with its
    /// sha256: a cache key's inputs.
    pub fn inputs(
        &self,
        root: &Path,
        patterns: &[String],
    ) -> anyhow::Result<BTreeMap<String, String>> {
        let files = crate::walk::expand(root, patterns)?;
        let digests = self.digests(root, &files)?;
        Ok(files.into_iter().map(|f| f.path).zip(digests).collect())
    }

    /// The files `patterns` match under `root` now, each with its digest and size: a
    /// step's outputs.
    pub fn outputs(
        &self,
        root: &Path,
        patterns: &[String],
    ) -> anyhow::Result<Vec<crate::state::Output>> {
        let files = crate::walk::expand(root, patterns)?;
        let digests = self.digests(root, &files)?;
        files
            .into_iter()
            .zip(digests)
            .map(|(Found { path, meta }, sha256)| {
                let size = match meta {
                    Some(meta) => meta.len(),
                    None => std::fs::metadata(root.join(&path))?.len(),
                };
                Ok(crate::state::Output { path, sha256, size })
            })
            .collect()
    }

    /// sha256 (hex) of each workspace-relative path, in order; a file that cannot be read is
    /// an error naming it.
    pub fn digests(&self, root: &Path, files: &[Found]) -> anyhow::Result<Vec<String>> {
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let mut out: Vec<Option<String>> = vec![None; paths.len()];
        let mut todo: Vec<(usize, Stamp)> = Vec::new();
        {
            let table = self.table();
            for (i, file) in files.iter().enumerate() {
                let rel = &file.path;
                let meta = match &file.meta {
                    Some(meta) => Ok(meta.clone()),
                    None => std::fs::metadata(root.join(rel)),
                };
                let stamp = meta
                    .map(|m| stamp(&m))
                    .map_err(|e| anyhow::anyhow!("cannot read {rel}: {e}"))?;
                match table.get(rel) {
                    Some(entry) if entry.stamp == stamp => out[i] = Some(entry.sha256.clone()),
                    _ => todo.push((i, stamp)),
                }
            }
        }
        let hashed = hash_parallel(root, &paths, &todo)?;
        let now = now_ns();
        let mut table = self.table();
        for ((i, stamp), sha) in todo.into_iter().zip(hashed) {
            if now - stamp.mtime_ns.max(stamp.ctime_ns) > RACY_NS {
                let entry = Entry {
                    stamp,
                    sha256: sha.clone(),
                };
                table.fresh.insert(paths[i].to_owned(), entry);
            }
            out[i] = Some(sha);
        }
        Ok(out
            .into_iter()
            .map(|d| d.expect("every path hashed"))
            .collect())
    }

    /// Writes the stamps back (atomically) when something changed.
    pub fn save(&self) -> anyhow::Result<()> {
        let table = self.table();
        if table.fresh.is_empty() {
            return Ok(());
        }
        let mut entries: BTreeMap<&str, &Entry> =
            table.loaded.iter().map(|(p, e)| (p.as_str(), e)).collect();
        entries.extend(table.fresh.iter().map(|(p, e)| (p.as_str(), e)));
        let mut text = String::with_capacity(entries.len() * 128);
        for (path, e) in entries {
            let s = &e.stamp;
            let line = xtask_codec::stamps::Line {
                sha256: &e.sha256,
                size: s.size,
                mtime_ns: s.mtime_ns,
                ctime_ns: s.ctime_ns,
                inode: s.inode,
                path,
            };
            line.write(&mut text);
        }
        crate::fsutil::write_atomic(&self.path, text.as_bytes())
    }
}

/// The table's lines (format, parser and writer in `xtask_codec::stamps`, optimised in debug builds
/// too: the engine reads the table on every run). `Err` is the bad line.
fn parse(text: &str) -> Result<Vec<(String, Entry)>, usize> {
    let mut entries: Vec<(String, Entry)> = xtask_codec::stamps::parse(text)?
        .into_iter()
        .map(|line| {
            let stamp = Stamp {
                size: line.size,
                mtime_ns: line.mtime_ns,
                ctime_ns: line.ctime_ns,
                inode: line.inode,
            };
            let sha256 = line.sha256.to_owned();
            (line.path.to_owned(), Entry { stamp, sha256 })
        })
        .collect();
    // Written sorted; sort anyway in case the file was edited by hand.
    if !entries.is_sorted_by(|a, b| a.0 < b.0) {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Ok(entries)
}

fn stamp(meta: &std::fs::Metadata) -> Stamp {
    Stamp {
        size: meta.size(),
        mtime_ns: meta.mtime() * 1_000_000_000 + meta.mtime_nsec(),
        ctime_ns: meta.ctime() * 1_000_000_000 + meta.ctime_nsec(),
        inode: meta.ino(),
    }
}

fn now_ns() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64)
}

/// Hashes the files of `todo` on all cores, largest first so the work evens out.
fn hash_parallel(
    root: &Path,
    paths: &[&str],
    todo: &[(usize, Stamp)],
) -> anyhow::Result<Vec<String>> {
    if todo.is_empty() {
        return Ok(Vec::new());
    }
    let mut order: Vec<usize> = (0..todo.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(todo[k].1.size));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Mutex<Vec<Option<anyhow::Result<String>>>> =
        Mutex::new((0..todo.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(todo.len());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(&k) = order.get(n) else { break };
                    let rel = &paths[todo[k].0];
                    let digest = sha256_file(&root.join(rel))
                        .map_err(|e| anyhow::anyhow!("cannot read {rel}: {e}"));
                    results.lock().unwrap_or_else(|e| e.into_inner())[k] = Some(digest);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every file hashed"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_sha256_and_reuse_old_stamps() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), "abc").unwrap();
        let db = FileDigests::load(dir.path().join("files.tsv"));
        let d = db.digests(dir.path(), &[Found::path("a".into())]).unwrap();
        assert_eq!(
            d,
            ["ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"]
        );
        // Freshly written: not remembered yet (it could still change within the same tick).
        assert!(db.table().fresh.is_empty());
        assert_eq!(db.take_warning(), None);
    }

    #[test]
    fn a_corrupt_database_is_ignored_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("files.tsv"), "not\ta\tvalid\tline").unwrap();
        let warning = FileDigests::load(dir.path().join("files.tsv"))
            .take_warning()
            .unwrap();
        assert!(
            warning.starts_with("ignoring the unreadable file-digest cache "),
            "{warning}"
        );
    }
}
