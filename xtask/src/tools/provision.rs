//! Installs a pinned tool into its own directory, once, safely when several engines race,
//! and never leaving a half-installed tool behind.

use super::{Toolbox, run_captured, version_output};
use crate::model::Tool;
use crate::text::template;
use anyhow::{Context as _, bail};
use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xtask_process::mask::Masker;
use xtask_process::{Control, describe};

/// Installs `tool` and returns the directory holding its executables.
pub fn install(
    root: &Path,
    tool: &Tool,
    control: &Control,
    masker: &Arc<Masker>,
    log: &mut String,
) -> anyhow::Result<PathBuf> {
    let tools = Toolbox::tools_dir(root);
    let locks = tools.join(".locks");
    std::fs::create_dir_all(&locks)
        .with_context(|| format!("cannot create {}", locks.display()))?;
    let lock_path = locks.join(format!("{}.lock", tool.dir_name()));
    let lock = File::create(&lock_path)
        .with_context(|| format!("cannot create {}", lock_path.display()))?;
    // Another engine may be installing the same tool; wait for it instead of racing.
    lock.lock()
        .with_context(|| format!("cannot lock {}", lock_path.display()))?;
    let final_dir = tools.join(tool.dir_name());
    let bin_dir = final_dir.join(&tool.bin);
    if bin_dir.join(&tool.name).is_file() {
        return Ok(bin_dir);
    }
    let staging = tempfile::Builder::new()
        .prefix(&format!(".staging-{}-", tool.dir_name()))
        .tempdir_in(&tools)
        .context("cannot create a staging directory")?;
    let prefix = staging.path().display().to_string();
    let argv: Vec<String> = tool
        .install
        .as_ref()
        .expect("only tools with an install command are provisioned")
        .iter()
        .map(|w| {
            template::render(w, &|n| (n == "prefix").then(|| prefix.clone()))
                .unwrap_or_else(|_| w.clone())
        })
        .collect();
    log.push_str(&format!(
        "installing {} {} with: {}\n",
        tool.name,
        tool.version.as_deref().unwrap_or(""),
        argv.join(" ")
    ));
    let env = BTreeMap::from([("XTASK_TOOL_PREFIX".to_string(), prefix.clone())]);
    let finished = run_captured(&argv, staging.path(), &env, control, masker)?;
    if !finished.status.success() {
        log.push_str(&finished.output);
        bail!(
            "`{}` failed with {}",
            argv.join(" "),
            describe(finished.status)
        );
    }
    let staged_exe = staging.path().join(&tool.bin).join(&tool.name);
    if !staged_exe.is_file() {
        log.push_str(&finished.output);
        bail!(
            "the install command did not create {}/{}",
            tool.bin,
            tool.name
        );
    }
    if let Some(version) = &tool.version {
        let output = version_output(&staged_exe, tool).map_err(anyhow::Error::msg)?;
        if !output.contains(version.as_str()) {
            bail!(
                "the installed {} reports `{}`, not version {version}",
                tool.name,
                output.trim()
            );
        }
    }
    // The rename makes the tool appear complete or not at all.
    let staged = staging.keep();
    std::fs::rename(&staged, &final_dir)
        .with_context(|| format!("cannot move the tool into {}", final_dir.display()))?;
    log.push_str(&format!(
        "installed {} into {}\n",
        tool.name,
        final_dir.display()
    ));
    Ok(bin_dir)
}
