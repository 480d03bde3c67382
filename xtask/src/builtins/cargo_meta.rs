//! `cargo metadata`, read as JSON: the workspace's packages and every locked package. The
//! engine parses the structured output with serde_json rather than pulling in a crate.

use crate::model::StepContext;
use anyhow::{Context as _, bail};
use serde_json::Value;

/// Runs `cargo metadata --format-version 1 --locked` (with `--no-deps` when `no_deps`).
pub fn metadata(ctx: &mut StepContext<'_>, no_deps: bool) -> anyhow::Result<Value> {
    let mut argv: Vec<String> = ["cargo", "metadata", "--format-version", "1", "--locked"]
        .map(String::from)
        .to_vec();
    if no_deps {
        argv.push("--no-deps".into());
    }
    let file = tempfile::tempfile().context("cannot create a temporary file")?;
    let finished = ctx.command(&argv, Some(file.try_clone()?))?;
    if !finished.status.success() {
        ctx.out.write_all(finished.output.as_bytes())?;
        bail!(
            "`cargo metadata` failed ({})",
            xtask_process::describe(finished.status)
        );
    }
    let text = xtask_process::read_back(file)?;
    serde_json::from_str(&text).context("`cargo metadata` printed something that is not JSON")
}

/// `(name, version)` of every package `cargo metadata` resolved (all of Cargo.lock).
pub fn locked_packages(metadata: &Value) -> Vec<(String, String)> {
    let mut packages: Vec<(String, String)> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p["name"].as_str()?.to_owned(),
                p["version"].as_str()?.to_owned(),
            ))
        })
        .collect();
    packages.sort();
    packages.dedup();
    packages
}
