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
    let matches = |rel: &str| glob.matches_with(rel, OPTIONS);
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

fn walk(
    root: &Path,
    dir: &Path,
    rel: &str,
    matches: &dyn Fn(&str) -> bool,
    out: &mut Vec<Found>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let child = if rel.is_empty() {
            name.to_string()
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if name == ".git" || name == "target" {
                continue;
            }
            if matches(&child) {
                walk(root, &entry.path(), &child, &|_| true, out)?;
            } else {
                walk(root, &entry.path(), &child, matches, out)?;
            }
        } else if kind.is_file() && matches(&child) {
            // fstatat on the open directory: no path lookup from the root per file.
            let meta = entry.metadata().ok();
            out.push(Found { path: child, meta });
        } else if kind.is_symlink() && matches(&child) && root.join(&child).is_file() {
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
