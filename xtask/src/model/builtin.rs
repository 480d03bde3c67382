//! The built-in step contract (`uses:`): the trait a built-in implements, what it sees while
//! it runs, and the registration that names it and checks its `with:` at load time. The
//! built-ins themselves live in `builtins/`, which registers them.

use crate::diagnostic::{Diagnostic, Span};
use crate::style::Style;
use crate::yaml::{Fields, Node, Reader};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use xtask_process::mask::Masker;
use xtask_process::{self as process, Control, Launcher};

/// Work a built-in leaves for the end of the run; it returns what it did, for the report.
pub type Cleanup = Box<dyn FnOnce() -> anyhow::Result<String> + Send>;

/// What a built-in may know of the run it is part of.
#[derive(Clone, Debug, Default)]
pub struct RunInfo {
    pub targets: Vec<String>,
    /// (name, pinned version) of the tools of the run's pipelines.
    pub tools: Vec<(String, String)>,
    pub started_at: Option<std::time::SystemTime>,
}

/// What a built-in sees while it runs.
pub struct StepContext<'a> {
    pub root: &'a Path,
    /// The step's working directory (the workspace root unless `cwd` is set).
    pub cwd: PathBuf,
    /// Variables the step adds to the engine's environment, PATH with provisioned tools.
    pub env: &'a BTreeMap<String, String>,
    /// Captured step output; shown as the step's block, masked like process output.
    pub out: &'a mut dyn Write,
    /// Problems at a file position (lint findings, the first line of a drift): annotated
    /// in GitHub Actions and listed in the JSON report. The built-in also writes them to
    /// `out` for the terminal.
    pub findings: Vec<Diagnostic>,
    /// Variables for later steps (`export`).
    pub exports: Vec<(String, String)>,
    /// Work for the end of the run (`on_cleanup`).
    pub cleanups: Vec<(String, Cleanup)>,
    pub run: &'a RunInfo,
    launcher: Launcher<'a>,
}

impl<'a> StepContext<'a> {
    pub fn new(
        root: &'a Path,
        cwd: PathBuf,
        env: &'a BTreeMap<String, String>,
        out: &'a mut dyn Write,
        run: &'a RunInfo,
        control: &'a Control,
        masker: &'a Masker,
    ) -> Self {
        StepContext {
            root,
            cwd,
            env,
            out,
            findings: Vec::new(),
            exports: Vec::new(),
            cleanups: Vec::new(),
            run,
            launcher: Launcher {
                env,
                control,
                masker,
            },
        }
    }

    /// True once the run is interrupted or the step timed out; long built-ins check it.
    pub fn cancelled(&self) -> bool {
        self.launcher.control.cancelled()
    }

    /// Runs a command like a `run:` step would (own process group, step environment,
    /// cancellation), with stdout into `stdout` when given. Its other output is returned
    /// masked.
    pub fn command(
        &self,
        argv: &[String],
        stdout: Option<std::fs::File>,
    ) -> anyhow::Result<process::Finished> {
        self.command_with(argv, &self.cwd, process::Spawn { stdout, user: None })
    }

    /// `command` in another directory, optionally as another user.
    pub fn command_with(
        &self,
        argv: &[String],
        cwd: &Path,
        spawn: process::Spawn,
    ) -> anyhow::Result<process::Finished> {
        self.launcher.run(argv, cwd, spawn)
    }

    /// Sets a variable for the steps that start after this one (the whole run's).
    pub fn export(&mut self, name: &str, value: &str) {
        self.exports.push((name.to_owned(), value.to_owned()));
    }

    /// Registers work to do when the run ends, however it ends (after failures and Ctrl-C
    /// too): stopping a server this step started, removing its files.
    pub fn on_cleanup(&mut self, label: &str, cleanup: Cleanup) {
        self.cleanups.push((label.to_owned(), cleanup));
    }

    /// How the step runs commands, for code that runs them on its behalf (policy checks).
    pub fn launcher(&self) -> &Launcher<'a> {
        &self.launcher
    }

    /// A variable of the step's environment: its own `env`, else the engine's.
    pub fn var(&self, name: &str) -> Option<String> {
        self.env
            .get(name)
            .cloned()
            .or_else(|| std::env::var(name).ok())
    }

    /// Records a finding and writes it, rendered, to the step's output.
    pub fn finding(&mut self, diag: Diagnostic) {
        let _ = write!(self.out, "{}", diag.render(Style::plain()));
        self.findings.push(diag);
    }
}

pub trait Builtin: Debug + Send + Sync {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()>;
}

/// Reads a built-in's `with:` arguments, whose keys `Registration::read` already checked.
pub type Parse = fn(&mut Reader, &With) -> Option<Arc<dyn Builtin>>;

/// A built-in's name, summary, the keys of its `with:` and its argument parser.
pub struct Registration {
    pub name: &'static str,
    pub summary: &'static str,
    /// Keys `with:` must have (`with:` itself is then required).
    pub required: &'static [&'static str],
    pub optional: &'static [&'static str],
    pub parse: Parse,
}

impl Registration {
    /// Checks a step's `with:` (absent: `None`; `uses` is where the step names the built-in):
    /// unknown keys, duplicates and each missing required key are reported, in one style for
    /// every built-in; then the built-in reads the values.
    pub fn read(
        &self,
        r: &mut Reader,
        with: Option<&Node>,
        uses: Span,
    ) -> Option<Arc<dyn Builtin>> {
        let name = self.name;
        let args = match with {
            None if !self.required.is_empty() => {
                let mut hint = format!("`{name}` takes {}", self.keys().join(", "));
                if !self.optional.is_empty() {
                    hint.push_str(&format!(" (optional: {})", self.optional.join(", ")));
                }
                r.error(
                    uses,
                    format!("`{name}` needs `with: {{ {} }}`", self.required.join(", ")),
                )
                .hint = Some(hint);
                return None;
            }
            None => With {
                fields: None,
                span: uses,
            },
            Some(node) => {
                let fields = r.fields(node, &format!("`with` of `{name}`"), &self.keys())?;
                let missing: Vec<&str> = self
                    .required
                    .iter()
                    .copied()
                    .filter(|k| fields.get(k).is_none())
                    .collect();
                for key in &missing {
                    r.error(node.span, format!("`{name}` needs `{key}`"));
                }
                let args = With {
                    fields: Some(fields),
                    span: node.span,
                };
                // The values that are there are still checked, so one pass reports all.
                let parsed = (self.parse)(r, &args);
                return parsed.filter(|_| missing.is_empty());
            }
        };
        (self.parse)(r, &args)
    }

    fn keys(&self) -> Vec<&'static str> {
        self.required.iter().chain(self.optional).copied().collect()
    }
}

/// A built-in's `with:` after its keys were checked: every required key is there.
pub struct With<'n> {
    fields: Option<Fields<'n>>,
    /// The `with:` mapping, or the `uses:` when there is none: where mistakes of the whole
    /// argument set point.
    pub span: Span,
}

impl<'n> With<'n> {
    /// The value of `key`; always `Some` for a required key.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.fields.as_ref()?.get(key)
    }
}
