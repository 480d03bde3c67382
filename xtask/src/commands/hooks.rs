//! `cargo xtask hooks install|uninstall`: plain git hooks for people without the pre-commit
//! framework — `pre-commit` runs the `pre-commit` pipeline, `pre-push` runs `ci`. They go
//! where git looks for hooks (`git rev-parse --git-path hooks`: worktrees and
//! `core.hooksPath` included), carry a marker, and a hook without it is never touched unless
//! `--force` says so.

use crate::commands::App;
use crate::failure::Failure;
use anyhow::{Context as _, bail};
use std::path::{Path, PathBuf};

/// The line that marks a hook as ours.
const MARKER: &str = "# bkg-xtask-hook";

/// (hook, what it runs).
const HOOKS: [(&str, &str); 2] = [("pre-commit", "run pre-commit"), ("pre-push", "ci")];

fn script(args: &str) -> String {
    format!(
        "#!/bin/sh\n{MARKER}: installed by `cargo xtask hooks install`; `cargo xtask hooks uninstall` removes it.\n\
         # Runs the same engine as CI. Skip once with --no-verify; XTASK_HOOK_COMMAND replaces\n\
         # `cargo xtask` (e.g. with a prebuilt binary).\n\
         exec ${{XTASK_HOOK_COMMAND:-cargo xtask}} {args}\n"
    )
}

/// The directory git runs hooks from.
fn hooks_dir(root: &Path) -> anyhow::Result<PathBuf> {
    let out = crate::git::command_in(root)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "{} is not in a git repository: {}",
            root.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|text| text.lines().any(|l| l.starts_with(MARKER)))
}

pub fn install(app: &App, root: &Path, force: bool) -> Result<(), Failure> {
    let dir = hooks_dir(root)?;
    let foreign: Vec<PathBuf> = HOOKS
        .iter()
        .map(|(hook, _)| dir.join(hook))
        .filter(|p| p.exists() && !is_ours(p))
        .collect();
    if !force && let Some(first) = foreign.first() {
        return Err(anyhow::anyhow!(
            "{} exists and was not installed by cargo xtask (another tool's hook, or your own); nothing was changed. \
             Pass --force to replace it, or call `cargo xtask run pre-commit` from it yourself",
            first.display()
        )
        .into());
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (hook, args) in HOOKS {
        let path = dir.join(hook);
        let replaced = foreign.contains(&path);
        xtask_inputs::fsutil::write_atomic_mode(&path, script(args).as_bytes(), 0o755)?;
        let note = if replaced {
            " (replaced the existing hook, --force)"
        } else {
            ""
        };
        println!(
            "{} {} runs `cargo xtask {args}`{note}",
            app.style.green("✓"),
            path.display()
        );
    }
    Ok(())
}

pub fn uninstall(app: &App, root: &Path) -> Result<(), Failure> {
    let dir = hooks_dir(root)?;
    let mut removed = 0;
    for (hook, _) in HOOKS {
        let path = dir.join(hook);
        if !path.exists() {
            continue;
        }
        if is_ours(&path) {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
            println!("{} removed {}", app.style.green("✓"), path.display());
            removed += 1;
        } else {
            println!(
                "kept {}: it was not installed by cargo xtask",
                path.display()
            );
        }
    }
    if removed == 0 {
        println!(
            "no hooks of cargo xtask were installed in {}",
            dir.display()
        );
    }
    Ok(())
}
