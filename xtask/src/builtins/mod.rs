//! Built-in steps (`uses:`): Rust functions with typed `with:` arguments, checked when the
//! pipeline files are loaded.

mod fs;

use crate::load::reader::Reader;
use crate::yaml::{Node, Span};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::io::Write;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a built-in sees while it runs.
pub struct StepContext<'a> {
    pub root: &'a Path,
    /// The step's working directory (the workspace root unless `cwd` is set).
    pub cwd: PathBuf,
    /// Variables the step adds to the engine's environment.
    pub env: &'a BTreeMap<String, String>,
    /// Captured step output; shown as the step's block, masked like process output.
    pub out: &'a mut dyn Write,
    cancelled: &'a AtomicBool,
}

impl<'a> StepContext<'a> {
    pub fn new(
        root: &'a Path,
        cwd: PathBuf,
        env: &'a BTreeMap<String, String>,
        out: &'a mut dyn Write,
        cancelled: &'a AtomicBool,
    ) -> Self {
        StepContext {
            root,
            cwd,
            env,
            out,
            cancelled,
        }
    }

    /// True once the run is interrupted or the step timed out; long built-ins check it.
    pub fn cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

pub trait Builtin: Debug + Send + Sync {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()>;
}

/// Checks a step's `with:` (absent: `None`) for a built-in; `uses` is where the step names it.
pub type Parse = fn(&mut Reader, with: Option<&Node>, uses: Span) -> Option<Arc<dyn Builtin>>;

/// A built-in's name, summary and argument parser.
pub struct Registration {
    pub name: &'static str,
    pub summary: &'static str,
    pub parse: Parse,
}

pub const REGISTRY: &[Registration] = &[fs::ENSURE_DIR, fs::REMOVE];

pub fn find(name: &str) -> Option<&'static Registration> {
    REGISTRY.iter().find(|b| b.name == name)
}
