//! `git/staged`: what is about to be committed, as a directory of its own. A small git
//! repository at `path` (default `target/xtask/staged`, borrowing the workspace's objects)
//! whose index and files are exactly the commit's content — the index, or the temporary
//! index of `git commit <paths>`. Later steps run there (`cwd:`) and never see unstaged
//! edits; unchanged files keep their timestamps, so their cached steps stay cached.

use crate::model::{Builtin, Registration, StepContext, With};
use crate::text::relpath;
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

pub const STAGED: Registration = Registration {
    name: "git/staged",
    summary: "check out the content staged for commit into a directory of its own",
    required: &[],
    optional: &["path"],
    parse,
};

/// The variable later steps find the staged copy's workspace root in.
pub const EXPORT: &str = "XTASK_STAGED";
const DEFAULT_PATH: &str = "target/xtask/staged";

#[derive(Debug)]
struct Staged {
    path: String,
}

fn parse(r: &mut Reader, with: &With) -> Option<Arc<dyn Builtin>> {
    let path = match with.get("path") {
        None => DEFAULT_PATH.to_owned(),
        Some(node) => {
            let path = r.string(node, "path")?;
            if relpath::escapes(&path) || path.trim_matches('/').is_empty() {
                r.error(
                    node.span,
                    format!("`{path}` is not a directory inside the workspace"),
                );
                return None;
            }
            path
        }
    };
    Some(Arc::new(Staged { path }))
}

impl Builtin for Staged {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        // At the workspace: the hook's index (GIT_INDEX_FILE included) is the commit's content.
        let tree = git(Command::new("git").current_dir(ctx.root), &["write-tree"])
            .map_err(|e| anyhow::anyhow!("cannot read the index: {e}"))
            .context("resolve conflicts and stage the result before committing")?;
        let common = git(
            Command::new("git").current_dir(ctx.root),
            &["rev-parse", "--path-format=absolute", "--git-common-dir"],
        )?;
        let prefix = git(
            Command::new("git").current_dir(ctx.root),
            &["rev-parse", "--show-prefix"],
        )?;
        let dir = ctx.root.join(&self.path);
        if !dir.join(".git").is_dir() {
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", self.path))?;
            git(&mut crate::git::command_in(&dir), &["init", "--quiet"])?;
        }
        // Borrow the workspace's objects instead of copying them.
        let alternates = dir.join(".git/objects/info/alternates");
        std::fs::create_dir_all(alternates.parent().expect("has a parent"))?;
        std::fs::write(
            &alternates,
            format!("{}\n", Path::new(&common).join("objects").display()),
        )
        .with_context(|| format!("cannot write {}", alternates.display()))?;
        // Files whose content did not change keep their timestamps.
        git(
            &mut crate::git::command_in(&dir),
            &["read-tree", "--reset", "-u", &tree],
        )
        .with_context(|| format!("cannot check out the staged content into {}", self.path))?;
        let workspace = dir.join(prefix.trim_end_matches('/'));
        ctx.export(EXPORT, &workspace.display().to_string());
        let files = git(&mut crate::git::command_in(&dir), &["ls-files", "-z"])?
            .split('\0')
            .filter(|f| !f.is_empty())
            .count();
        writeln!(
            ctx.out,
            "staged content ({files} files, tree {}) in {}",
            &tree[..tree.len().min(12)],
            self.path
        )?;
        Ok(())
    }
}

/// Runs git and returns its trimmed stdout, or its stderr as the error.
fn git(command: &mut Command, args: &[&str]) -> anyhow::Result<String> {
    let out = command.args(args).output().context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
