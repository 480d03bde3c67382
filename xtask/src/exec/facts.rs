//! The facts `when:` conditions ask about: this machine's environment, files and tools.

use crate::model::Facts;
use std::path::{Path, PathBuf};

pub struct Machine {
    pub root: PathBuf,
    /// Tool directories the engine provisioned, searched before PATH.
    pub tool_dirs: Vec<PathBuf>,
}

impl Machine {
    pub fn new(root: &Path) -> Machine {
        Machine {
            root: root.to_owned(),
            tool_dirs: Vec::new(),
        }
    }
}

impl Facts for Machine {
    fn env_set(&self, name: &str) -> bool {
        std::env::var_os(name).is_some_and(|v| !v.is_empty())
    }

    fn file_exists(&self, path: &str) -> bool {
        self.root.join(path).exists()
    }

    fn tool_found(&self, name: &str) -> bool {
        self.tool_dirs.iter().any(|d| d.join(name).is_file()) || which::which(name).is_ok()
    }

    fn in_ci(&self) -> bool {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        ci || std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
    }
}
