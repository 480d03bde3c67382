//! Expands `inputs`/`outputs` globs to files, walking only below each pattern's literal
//! prefix and never into `.git` or `target` directories unless the prefix names them.

use glob::{MatchOptions, Pattern};
use std::path::Path;

const OPTIONS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: true,
    require_literal_leading_dot: false,
};

/// A file found by a walk, with its metadata when the walk got it for free.
pub struct Found {
    pub path: String,
    pub meta: Option<std::fs::Metadata>,
}

impl Found {
    pub fn path(path: String) -> Found {
        Found { path, meta: None }
    }
}

/// The files matching `patterns`, sorted by workspace-relative path and unique. A pattern
/// that matches a directory stands for every file below it.
pub fn expand(root: &Path, patterns: &[String]) -> std::io::Result<Vec<Found>> {
    let mut files = Vec::new();
    for pattern in patterns {
        expand_one(root, pattern, &mut files)?;
    }
    files.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    files.dedup_by(|a, b| a.path == b.path);
    Ok(files)
}

fn expand_one(root: &Path, pattern: &str, out: &mut Vec<Found>) -> std::io::Result<()> {
    let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
    let prefix = literal_prefix(pattern);
    let start = root.join(&prefix);
    let Ok(meta) = std::fs::metadata(&start) else {
        return Ok(());
    };
    let rest = pattern[prefix.len()..].trim_start_matches('/');
    if prefix == pattern || (meta.is_dir() && (rest == "**" || rest == "**/*")) {
        // No wildcard (a file, or a directory standing for its contents), or a pattern that
        // takes everything below its prefix: no matching needed.
        if meta.is_dir() {
            walk(root, &start, &prefix, &|_| true, out)?;
        } else {
            out.push(Found::path(prefix));
        }
        return Ok(());
    }
    let Ok(glob) = Pattern::new(pattern) else {
        return Ok(());
    };
    let matches = move |rel: &str| glob.matches_with(rel, OPTIONS);
    if meta.is_dir() {
        walk(root, &start, &prefix, &matches, out)?;
    }
    Ok(())
}

/// The leading path components without wildcards (`crates/x/src` of `crates/x/src/**/*.rs`).
fn literal_prefix(pattern: &str) -> String {
    let parts: Vec<&str> = pattern
        .split('/')
        .take_while(|c| !c.contains(['*', '?', '[']))
        .collect();
    parts.join("/")
}

/// A directory still to be read: where it is, its workspace-relative name, and whether
/// everything below it matches.
struct Job {
    dir: std::path::PathBuf,
    rel: String,
    all: bool,
}

/// Walks `dir` on all cores: directories go into a shared queue, each worker reads one
/// directory at a time and stats its files through the directory handle.
fn walk(
    root: &Path,
    dir: &Path,
    rel: &str,
    matches: &(dyn Fn(&str) -> bool + Sync),
    out: &mut Vec<Found>,
) -> std::io::Result<()> {
    use std::sync::{Condvar, Mutex};
    let first = Job {
        dir: dir.to_owned(),
        rel: rel.to_owned(),
        all: false,
    };
    // (pending jobs, workers busy with a job, first error)
    let state = Mutex::new((vec![first], 0usize, None::<std::io::Error>));
    let wake = Condvar::new();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let found = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut mine = Vec::new();
                loop {
                    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                    while s.0.is_empty() && s.1 > 0 && s.2.is_none() {
                        s = wake.wait(s).unwrap_or_else(|e| e.into_inner());
                    }
                    let Some(job) = s.0.pop().filter(|_| s.2.is_none()) else {
                        break;
                    };
                    s.1 += 1;
                    drop(s);
                    let mut more = Vec::new();
                    let result = read_one(root, &job, matches, &mut more, &mut mine);
                    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                    s.0.extend(more);
                    s.1 -= 1;
                    if let Err(e) = result {
                        s.2.get_or_insert(e);
                    }
                    wake.notify_all();
                }
                found
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .append(&mut mine);
            });
        }
    });
    let (_, _, error) = state.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(e) = error {
        return Err(e);
    }
    out.append(&mut found.into_inner().unwrap_or_else(|e| e.into_inner()));
    Ok(())
}

/// Reads one directory: subdirectories become jobs, matching files are found.
fn read_one(
    root: &Path,
    job: &Job,
    matches: &(dyn Fn(&str) -> bool + Sync),
    jobs: &mut Vec<Job>,
    out: &mut Vec<Found>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(&job.dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let mut child = String::with_capacity(job.rel.len() + 1 + name.len());
        if !job.rel.is_empty() {
            child.push_str(&job.rel);
            child.push('/');
        }
        child.push_str(&name);
        let kind = entry.file_type()?;
        let matched = job.all || matches(&child);
        if kind.is_dir() {
            if name != ".git" && name != "target" {
                jobs.push(Job {
                    dir: entry.path(),
                    rel: child,
                    all: matched,
                });
            }
        } else if kind.is_file() && matched {
            // fstatat on the open directory: no path lookup from the root per file.
            let meta = entry.metadata().ok();
            out.push(Found { path: child, meta });
        } else if kind.is_symlink() && matched && root.join(&child).is_file() {
            out.push(Found::path(child));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_globs_directories_and_skips_target() {
        let dir = tempfile::tempdir().unwrap();
        for f in [
            "src/a.rs",
            "src/deep/b.rs",
            "src/c.txt",
            "target/x.rs",
            "Cargo.lock",
            "docs/d.md",
        ] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, f).unwrap();
        }
        let e = |p: &[&str]| {
            expand(
                dir.path(),
                &p.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
            .unwrap()
            .into_iter()
            .map(|f| f.path)
            .collect::<Vec<_>>()
        };
        assert_eq!(e(&["**/*.rs"]), ["src/a.rs", "src/deep/b.rs"]);
        assert_eq!(e(&["src/*.rs"]), ["src/a.rs"]);
        assert_eq!(e(&["docs", "Cargo.lock"]), ["Cargo.lock", "docs/d.md"]);
        assert_eq!(e(&["target/*.rs"]), ["target/x.rs"]);
        assert_eq!(e(&["missing/**"]), Vec::<String>::new());
        assert_eq!(e(&["src/deep"]), ["src/deep/b.rs"]);
    }
}
