//! Reading the workspace's HEAD commit from `.git` directly: the report wants it on every
//! run, and starting `git` would cost more than the rest of a small run.

use std::path::{Path, PathBuf};
use xtask_process::LOCATION_VARS;

/// `git` in `dir`, on the repository found there: without the variables a hook may have set
/// for another repository.
pub fn command_in(dir: &Path) -> std::process::Command {
    let mut command = std::process::Command::new("git");
    command.current_dir(dir);
    for var in LOCATION_VARS {
        command.env_remove(var);
    }
    command
}

/// The commit HEAD points at, if `root` is (inside) a git work tree with a valid HEAD.
pub fn head_commit(root: &Path) -> Option<String> {
    let git_dir = git_dir(root)?;
    let common = match std::fs::read_to_string(git_dir.join("commondir")) {
        Ok(rel) => git_dir.join(rel.trim()),
        Err(_) => git_dir.clone(),
    };
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref: ") else {
        return is_hash(head).then(|| head.to_owned());
    };
    for dir in [&git_dir, &common] {
        if let Ok(hash) = std::fs::read_to_string(dir.join(reference)) {
            let hash = hash.trim();
            return is_hash(hash).then(|| hash.to_owned());
        }
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (hash, name) = line.split_once(' ')?;
        (name == reference && is_hash(hash)).then(|| hash.to_owned())
    })
}

/// What HEAD is: a branch, a tag (checked out exactly), or a detached commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefName {
    Branch(String),
    Tag(String),
    Detached,
}

impl std::fmt::Display for RefName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefName::Branch(name) => write!(f, "branch {name}"),
            RefName::Tag(name) => write!(f, "tag {name}"),
            RefName::Detached => write!(f, "a detached HEAD"),
        }
    }
}

impl RefName {
    /// `refs/heads/main`, `refs/tags/v1`, or `HEAD`.
    pub fn full(&self) -> String {
        match self {
            RefName::Branch(name) => format!("refs/heads/{name}"),
            RefName::Tag(name) => format!("refs/tags/{name}"),
            RefName::Detached => "HEAD".into(),
        }
    }
}

/// The ref being built: under GitHub Actions `GITHUB_REF_TYPE`/`GITHUB_REF_NAME`, else what
/// git says of HEAD (a tag pointing at HEAD wins over the branch).
pub fn current_ref(root: &Path, env: &dyn Fn(&str) -> Option<String>) -> RefName {
    if env("GITHUB_ACTIONS").as_deref() == Some("true")
        && let (Some(kind), Some(name)) = (env("GITHUB_REF_TYPE"), env("GITHUB_REF_NAME"))
    {
        return if kind == "tag" {
            RefName::Tag(name)
        } else {
            RefName::Branch(name)
        };
    }
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(args)
            .current_dir(root)
            .output()
            .ok()?;
        let text = String::from_utf8(out.stdout).ok()?.trim().to_owned();
        (out.status.success() && !text.is_empty()).then_some(text)
    };
    if let Some(tag) = git(&["describe", "--tags", "--exact-match", "HEAD"]) {
        return RefName::Tag(tag);
    }
    match git(&["symbolic-ref", "--short", "-q", "HEAD"]) {
        Some(branch) => RefName::Branch(branch),
        None => RefName::Detached,
    }
}

/// `.git` of the nearest enclosing work tree; follows `gitdir:` files of worktrees.
fn git_dir(root: &Path) -> Option<PathBuf> {
    let mut dir = Some(root);
    while let Some(d) = dir {
        let candidate = d.join(".git");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if let Ok(text) = std::fs::read_to_string(&candidate) {
            let target = text.trim().strip_prefix("gitdir: ")?;
            return Some(d.join(target));
        }
        dir = d.parent();
    }
    None
}

fn is_hash(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Paths staged for commit (where the index differs from HEAD; everything in the index before
/// the first commit), relative to `root`. A hook's index (`GIT_INDEX_FILE`) counts.
pub fn staged_paths(root: &Path) -> Result<Vec<String>, String> {
    let mut git = std::process::Command::new("git");
    git.current_dir(root);
    paths(
        git,
        &[
            "diff",
            "--cached",
            "--name-only",
            "--no-renames",
            "--relative",
            "-z",
        ],
    )
}

/// The files git tracks below `root`, relative to it.
pub fn tracked_files(root: &Path) -> Result<Vec<String>, String> {
    let mut git = std::process::Command::new("git");
    git.current_dir(root);
    paths(git, &["ls-files", "-z"])
}

/// Runs a git command that prints NUL-separated paths.
fn paths(mut git: std::process::Command, args: &[&str]) -> Result<Vec<String>, String> {
    let out = git
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_owned());
    }
    Ok(out
        .stdout
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::head_commit;
    use std::process::Command;

    fn git(dir: &std::path::Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    #[test]
    fn agrees_with_git_for_branches_packed_refs_detached_heads_and_worktrees() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        assert_eq!(head_commit(&repo), None, "no commit yet");
        for args in [
            ["config", "user.email", "t@example.com"],
            ["config", "user.name", "t"],
        ] {
            git(&repo, &args);
        }
        git(&repo, &["commit", "-q", "--allow-empty", "-m", "one"]);
        let first = git(&repo, &["rev-parse", "HEAD"]);
        assert_eq!(head_commit(&repo).as_deref(), Some(first.as_str()));
        git(&repo, &["pack-refs", "--all"]);
        assert_eq!(
            head_commit(&repo.join(".")).as_deref(),
            Some(first.as_str())
        );
        git(&repo, &["commit", "-q", "--allow-empty", "-m", "two"]);
        git(&repo, &["checkout", "-q", "--detach", &first]);
        assert_eq!(head_commit(&repo).as_deref(), Some(first.as_str()));
        git(&repo, &["worktree", "add", "-q", "../wt", "main"]);
        let second = git(&dir.path().join("wt"), &["rev-parse", "HEAD"]);
        assert_eq!(
            head_commit(&dir.path().join("wt")).as_deref(),
            Some(second.as_str())
        );
    }
}
