//! The base document: `--base REF`, else the merge base with the default branch (the pull
//! request's target under Actions, `origin/HEAD`, `origin/main`, `main`), else the latest tag;
//! read with `git show`. A shallow clone is deepened when the base is missing from it, or the
//! error names the exact fetch command.

use anyhow::{Context as _, bail};
use std::path::Path;

/// Names the base when neither `--base` nor `with: base` does.
pub const BASE_ENV: &str = "XTASK_API_BASE";

/// What the comparison runs against.
pub enum Base {
    Found {
        /// How the base was chosen, for the report (`merge base with origin/main`).
        how: String,
        commit: String,
        text: String,
    },
    /// Nothing to compare with, and why.
    Missing(String),
}

pub fn resolve(
    root: &Path,
    file: &str,
    explicit: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Base> {
    if git(root, &["rev-parse", "--is-inside-work-tree"]).is_err() {
        return Ok(Base::Missing(
            "the workspace is not a git repository".into(),
        ));
    }
    let Ok(head) = verify(root, "HEAD") else {
        return Ok(Base::Missing("the repository has no commit yet".into()));
    };
    let (how, commit) = match explicit {
        Some(reference) => (format!("{reference} (--base)"), commit_of(root, reference)?),
        None => match default_branch_base(root, &head, env)? {
            Some(found) => found,
            None => match latest_tag(root, &head) {
                Some(found) => found,
                None => return Ok(Base::Missing("no base: HEAD is on the default branch (or there is none) and no tag precedes it".into())),
            },
        },
    };
    match git(root, &["show", &format!("{commit}:./{file}")]) {
        Ok(text) => Ok(Base::Found { how, commit, text }),
        Err(_) => Ok(Base::Missing(format!(
            "{file} does not exist at the base ({how}, {})",
            &commit[..commit.len().min(12)]
        ))),
    }
}

/// The commit `reference` names, fetching it into a shallow clone when it is missing.
fn commit_of(root: &Path, reference: &str) -> anyhow::Result<String> {
    let branch = reference.strip_prefix("origin/").unwrap_or(reference);
    let problem = format!(
        "the base `{reference}` is not in this clone and fetching it failed; fetch it with"
    );
    with_fetch(root, branch, &problem, |fetched| {
        let found = verify(root, reference);
        if fetched {
            found.or_else(|_| verify(root, &format!("origin/{branch}")))
        } else {
            found
        }
    })
}

/// `attempt`, and when it fails, again after fetching `branch` (its argument says which try
/// it is); if that fails too, the error names the fetch command after `problem`.
fn with_fetch<T>(
    root: &Path,
    branch: &str,
    problem: &str,
    attempt: impl Fn(bool) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    if let Ok(found) = attempt(false) {
        return Ok(found);
    }
    let fetch = fetch_args(root, branch);
    if git(root, &fetch.iter().map(String::as_str).collect::<Vec<_>>()).is_ok()
        && let Ok(found) = attempt(true)
    {
        return Ok(found);
    }
    bail!("{problem}: git {}", fetch.join(" "))
}

/// The commit a ref names, if it names one.
fn verify(root: &Path, reference: &str) -> anyhow::Result<String> {
    git(
        root,
        &[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{reference}^{{commit}}"),
        ],
    )
}

/// `fetch` arguments that bring `branch` in as `origin/<branch>`, with the whole history
/// when the clone is shallow (a merge base needs it).
fn fetch_args(root: &Path, branch: &str) -> Vec<String> {
    let shallow = git(root, &["rev-parse", "--is-shallow-repository"]).is_ok_and(|s| s == "true");
    let mut args: Vec<String> = ["fetch", "--quiet", "--no-tags"].map(String::from).to_vec();
    if shallow {
        args.push("--unshallow".into());
    }
    args.push("origin".into());
    args.push(format!("+refs/heads/{branch}:refs/remotes/origin/{branch}"));
    args
}

fn default_branch_base(
    root: &Path,
    head: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<(String, String)>> {
    // A pull request names its target branch; that one must be compared with.
    if let Some(target) = env("GITHUB_BASE_REF").filter(|b| !b.is_empty()) {
        let reference = format!("origin/{target}");
        commit_of(root, &reference)?;
        return merge_base(root, head, &reference)
            .map(|mb| Some((format!("the merge base with {reference}"), mb)));
    }
    for reference in ["origin/HEAD", "origin/main", "main"] {
        if verify(root, reference).is_err() {
            continue;
        }
        let mb = merge_base(root, head, reference)?;
        // On the default branch itself the merge base is HEAD: compare with the last release.
        if mb != head {
            return Ok(Some((format!("the merge base with {reference}"), mb)));
        }
        return Ok(None);
    }
    Ok(None)
}

fn merge_base(root: &Path, head: &str, reference: &str) -> anyhow::Result<String> {
    let problem = format!(
        "HEAD and {reference} have no merge base in this clone (shallow?); fetch the history with"
    );
    with_fetch(
        root,
        reference.trim_start_matches("origin/"),
        &problem,
        |_| git(root, &["merge-base", head, reference]),
    )
}

/// The newest tag before HEAD (before HEAD's own tag when HEAD is tagged: a release compares
/// with the previous one).
fn latest_tag(root: &Path, head: &str) -> Option<(String, String)> {
    let start = if git(root, &["describe", "--tags", "--exact-match", head]).is_ok() {
        format!("{head}^")
    } else {
        head.to_owned()
    };
    let tag = git(root, &["describe", "--tags", "--abbrev=0", &start]).ok()?;
    let commit = verify(root, &tag).ok()?;
    Some((format!("the latest tag {tag}"), commit))
}

fn git(root: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = crate::git::command_in(root)
        .args(args)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .trim_end_matches('\n')
        .to_owned())
}
