//! Workspace-relative paths: checked lexically so a pipeline cannot write outside the workspace.

use std::path::{Component, Path};

/// True when `path` is absolute or climbs above the directory it is relative to.
pub fn escapes(path: &str) -> bool {
    let mut depth: usize = 0;
    for component in Path::new(path).components() {
        match component {
            Component::Prefix(_) | Component::RootDir => return true,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            Component::Normal(_) => depth += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::escapes;

    #[test]
    fn detects_paths_leaving_the_workspace() {
        assert!(!escapes("target/xtask/sbom.json"));
        assert!(!escapes("crates/a/../b"));
        assert!(!escapes("."));
        assert!(escapes("../outside"));
        assert!(escapes("a/../../b"));
        assert!(escapes("/etc/passwd"));
    }
}
