//! Tools a pipeline declares: found on PATH with the pinned version, or provisioned once
//! into `target/xtask/tools/<name>-<version>/` by the tool's install command.

mod provision;

use crate::model::Tool;
use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use xtask_process::mask::Masker;
use xtask_process::{self as process, Control};

pub struct Toolbox {
    root: PathBuf,
    install: bool,
    path: OsString,
    /// Per tool (name-version): the directory to put first on PATH (None: PATH has it) or why not.
    resolved: Mutex<HashMap<String, Result<Option<PathBuf>, String>>>,
    /// `--version` output of unpinned tools, asked once per run.
    reported: Mutex<HashMap<String, String>>,
}

impl Toolbox {
    pub fn new(root: &Path, install: bool) -> Toolbox {
        Toolbox {
            root: root.to_owned(),
            install,
            path: std::env::var_os("PATH").unwrap_or_default(),
            resolved: Mutex::new(HashMap::new()),
            reported: Mutex::new(HashMap::new()),
        }
    }

    pub fn tools_dir(root: &Path) -> PathBuf {
        root.join("target/xtask/tools")
    }

    /// Where a provisioned tool's executables live.
    pub fn bin_dir(root: &Path, tool: &Tool) -> PathBuf {
        Self::tools_dir(root).join(tool.dir_name()).join(&tool.bin)
    }

    /// The directories to put first on the PATH of a step of a pipeline with `tools`: the
    /// provisioned ones (a tool found on PATH needs none). Provisions what is missing; the
    /// error names the tool, the version and the hint.
    pub fn tool_dirs(
        &self,
        tools: &[Tool],
        control: &Control,
        masker: &Arc<Masker>,
        log: &mut String,
    ) -> Result<Vec<PathBuf>, String> {
        let mut dirs = Vec::new();
        for tool in tools {
            if let Some(dir) = self.ensure(tool, control, masker, log)? {
                dirs.push(dir);
            }
        }
        Ok(dirs)
    }

    /// The engine's own PATH, as the steps inherit it.
    pub fn engine_path(&self) -> &OsString {
        &self.path
    }

    fn ensure(
        &self,
        tool: &Tool,
        control: &Control,
        masker: &Arc<Masker>,
        log: &mut String,
    ) -> Result<Option<PathBuf>, String> {
        let mut resolved = self.resolved.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = resolved.get(&tool.dir_name()) {
            return known.clone();
        }
        let result = self.resolve(tool, control, masker, log);
        resolved.insert(tool.dir_name(), result.clone());
        result
    }

    fn resolve(
        &self,
        tool: &Tool,
        control: &Control,
        masker: &Arc<Masker>,
        log: &mut String,
    ) -> Result<Option<PathBuf>, String> {
        let provisioned = Self::bin_dir(&self.root, tool);
        if tool.install.is_some() && provisioned.join(&tool.name).is_file() {
            return Ok(Some(provisioned));
        }
        let found = which::which_in(&tool.name, Some(&self.path), &self.root).ok();
        let mismatch = match (&found, &tool.version) {
            (None, _) => None,
            (Some(_), None) => return Ok(None),
            (Some(exe), Some(version)) => match version_output(exe, tool) {
                Ok(output) if output.contains(version.as_str()) => return Ok(None),
                Ok(output) => Some(format!(
                    "`{} {}` printed `{}`",
                    exe.display(),
                    tool.version_args.join(" "),
                    output.lines().next().unwrap_or("").trim()
                )),
                Err(e) => Some(e),
            },
        };
        let wanted = match &tool.version {
            Some(v) => format!("tool `{}` {v}", tool.name),
            None => format!("tool `{}`", tool.name),
        };
        let problem = match mismatch {
            Some(detail) => {
                format!("{wanted} is needed, but the one on PATH is another version ({detail})")
            }
            None => format!("{wanted} is not on PATH"),
        };
        if tool.install.is_none() || !self.install {
            let off = if tool.install.is_some() {
                " (tool installation is off: --no-install-tools)"
            } else {
                ""
            };
            return Err(format!("{problem}{off}; {}", tool.hint()));
        }
        provision::install(&self.root, tool, control, masker, log)
            .map(Some)
            .map_err(|e| format!("{problem}, and installing it failed: {e:#}"))
    }

    /// Each tool's version for cache keys: the pin, or what an unpinned tool reports.
    pub fn versions(&self, tools: &[Tool]) -> BTreeMap<String, String> {
        tools
            .iter()
            .map(|tool| {
                let version = match &tool.version {
                    Some(pin) => pin.clone(),
                    None => self.reported_version(tool),
                };
                (tool.name.clone(), version)
            })
            .collect()
    }

    fn reported_version(&self, tool: &Tool) -> String {
        let mut reported = self.reported.lock().unwrap_or_else(|e| e.into_inner());
        reported
            .entry(tool.name.clone())
            .or_insert_with(|| {
                which::which_in(&tool.name, Some(&self.path), &self.root)
                    .ok()
                    .and_then(|exe| version_output(&exe, tool).ok())
                    .map_or_else(
                        || "not found".into(),
                        |out| out.lines().next().unwrap_or("").trim().to_owned(),
                    )
            })
            .clone()
    }

    /// Provisioned tool directories that exist already, for `tool:` conditions.
    pub fn existing_dirs<'t>(
        root: &Path,
        tools: impl IntoIterator<Item = &'t Tool>,
    ) -> Vec<PathBuf> {
        tools
            .into_iter()
            .map(|t| Self::bin_dir(root, t))
            .filter(|d| d.is_dir())
            .collect()
    }
}

/// The output of `<exe> --version` (or the tool's `version-args`).
fn version_output(exe: &Path, tool: &Tool) -> Result<String, String> {
    let output = std::process::Command::new(exe)
        .args(&tool.version_args)
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "cannot run `{} {}`: {e}",
                exe.display(),
                tool.version_args.join(" ")
            )
        })?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    Ok(text)
}

/// Runs a command to completion in its own process group with captured output.
fn run_captured(
    argv: &[String],
    cwd: &Path,
    env: &BTreeMap<String, String>,
    control: &Control,
    masker: &Arc<Masker>,
) -> anyhow::Result<process::Finished> {
    process::run(argv, cwd, env, control, masker)
        .map_err(|e| anyhow::anyhow!("cannot run `{}`: {e}", argv[0]))
}
