//! A step: one command or built-in, with its dependencies and limits.

use super::Builtin;
use super::Condition;
use crate::diagnostic::{Named, Span};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Sh,
}

impl Shell {
    pub const NAMES: [&'static str; 2] = ["bash", "sh"];

    pub fn from_name(name: &str) -> Option<Shell> {
        match name {
            "bash" => Some(Shell::Bash),
            "sh" => Some(Shell::Sh),
            _ => None,
        }
    }

    /// The argv that runs `script`; bash gets pipefail like GitHub Actions' default shell.
    pub fn argv(self, script: &str) -> Vec<String> {
        let head: &[&str] = match self {
            Shell::Bash => &["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"],
            Shell::Sh => &["sh", "-ec"],
        };
        head.iter()
            .map(|s| s.to_string())
            .chain([script.to_string()])
            .collect()
    }
}

#[derive(Clone, Debug)]
pub enum Action {
    /// A process, run directly without a shell.
    Run(Vec<String>),
    /// A script run by a shell (`shell: bash`).
    Shell(Shell, String),
    /// A built-in step, its `with:` arguments already checked.
    Uses(String, Arc<dyn Builtin>),
}

#[derive(Clone, Debug)]
pub struct Step {
    pub id: String,
    /// Where the step's mapping starts (the `- id:` line), for annotations.
    pub span: Span,
    pub action: Action,
    /// `None`: the step waits for the one before it.
    pub needs: Option<Vec<Named>>,
    pub when: Option<Condition>,
    pub env: Vec<(String, String)>,
    pub cwd: Option<String>,
    pub timeout: Option<Duration>,
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub continue_on_error: bool,
    /// The step provides a service (a server) to the steps after it: it starts only when
    /// one of them will really run, and its cleanup stops it on every exit path.
    pub service: bool,
    /// `cache: local`: the step's results never go to a remote cache.
    pub local_cache: bool,
}
