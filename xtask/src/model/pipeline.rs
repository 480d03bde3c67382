//! A pipeline (one file under `pipelines/`) and the set of them in a workspace.

use super::{Condition, Step, Tool};
use crate::diagnostic::Named;
use std::path::PathBuf;

#[derive(Debug)]
pub struct Pipeline {
    /// The file stem: `pipelines/sbom.yaml` is the pipeline `sbom`.
    pub name: String,
    /// Workspace-relative path of the file.
    pub file: String,
    pub description: String,
    pub needs: Vec<Named>,
    /// Pipelines this one runs after when both are in a run (without needing them).
    pub after: Vec<Named>,
    pub when: Option<Condition>,
    pub env: Vec<(String, String)>,
    pub secrets: Vec<String>,
    pub tools: Vec<Tool>,
    pub steps: Vec<Step>,
}

impl Pipeline {
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// Every pipeline of a workspace, sorted by name, and the policies the engine applies.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub pipelines: Vec<Pipeline>,
    pub policies: crate::policy::Policies,
}

impl Workspace {
    pub fn pipeline(&self, name: &str) -> Option<&Pipeline> {
        self.pipelines.iter().find(|p| p.name == name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.pipelines.iter().map(|p| p.name.as_str())
    }

    /// Names of every declared secret, across all pipelines and the secrets policy.
    pub fn secret_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .pipelines
            .iter()
            .flat_map(|p| p.secrets.iter().map(String::as_str))
            .chain(self.policies.secret_names())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}
