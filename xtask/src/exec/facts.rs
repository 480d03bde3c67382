//! The facts `when:` conditions ask about: this machine's environment, files and tools.

use crate::git::RefName;
use crate::model::{Facts, Workspace};
use crate::policy::SupplyChain;
use crate::tools::Toolbox;
use std::path::PathBuf;
use std::sync::OnceLock;

pub struct Machine {
    pub root: PathBuf,
    /// Tool directories the engine provisioned, searched before PATH.
    pub tool_dirs: Vec<PathBuf>,
    supply_chain: Option<SupplyChain>,
    /// Asked of git once, when a condition first needs it.
    git_ref: OnceLock<RefName>,
    staged: OnceLock<Vec<String>>,
    /// Variables built-ins exported during the run.
    pub exports: super::runner::Exports,
}

impl Machine {
    pub fn new(ws: &Workspace) -> Machine {
        Machine {
            root: ws.root.clone(),
            tool_dirs: Toolbox::existing_dirs(&ws.root, ws.pipelines.iter().flat_map(|p| &p.tools)),
            supply_chain: ws.policies.get::<SupplyChain>().cloned(),
            git_ref: OnceLock::new(),
            staged: OnceLock::new(),
            exports: Default::default(),
        }
    }
}

impl Facts for Machine {
    fn env_set(&self, name: &str) -> bool {
        let exported = self
            .exports
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .is_some_and(|v| !v.is_empty());
        exported || std::env::var_os(name).is_some_and(|v| !v.is_empty())
    }

    fn file_exists(&self, path: &str) -> bool {
        self.root.join(path).exists()
    }

    fn tool_found(&self, name: &str) -> bool {
        self.tool_dirs.iter().any(|d| d.join(name).is_file()) || which::which(name).is_ok()
    }

    fn git_ref(&self) -> RefName {
        self.git_ref
            .get_or_init(|| crate::git::current_ref(&self.root, &|n| std::env::var(n).ok()))
            .clone()
    }

    fn policy(&self, switch: &str) -> (bool, String) {
        debug_assert_eq!(
            switch, "signature-required",
            "switches are checked when loading"
        );
        match &self.supply_chain {
            Some(policy) => policy.signature_required(&self.git_ref()),
            None => (
                false,
                format!("there is no {}", crate::policy::supply_chain::PATH),
            ),
        }
    }

    fn staged(&self) -> Vec<String> {
        self.staged
            .get_or_init(|| crate::git::staged_paths(&self.root).unwrap_or_default())
            .clone()
    }

    fn in_ci(&self) -> bool {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        ci || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
    }
}
