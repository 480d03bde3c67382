//! Puts a cached step's outputs back into the workspace from the store: every path checked
//! first (relative, inside the workspace, through no symlink, never into `.git`), then each
//! file written beside its place and renamed over it with its mode, so a reader sees the old
//! file or the new one, never half of one.

use super::proto::{ActionResult, OutputFile};
use super::store::Store;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Component, Path};

/// Why an action result may not be restored into `root`; `Ok` when every path is safe.
pub fn check_paths(root: &Path, result: &ActionResult) -> Result<(), String> {
    for file in &result.files {
        check_path(root, &file.path)?;
    }
    Ok(())
}

fn check_path(root: &Path, path: &str) -> Result<(), String> {
    let relative = Path::new(path);
    let escapes = path.is_empty()
        || path.contains('\\')
        || relative
            .components()
            .any(|c| !matches!(c, Component::Normal(_)));
    if escapes {
        return Err(format!(
            "it names `{path}`, which is not a path inside the workspace"
        ));
    }
    if relative.components().next() == Some(Component::Normal(".git".as_ref())) {
        return Err(format!("it names `{path}`, inside .git"));
    }
    let mut at = root.to_owned();
    for part in relative.parent().into_iter().flat_map(Path::components) {
        at.push(part);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(format!(
                "it names `{path}`, under the symlink {}",
                at.display()
            ));
        }
    }
    Ok(())
}

/// Writes every output file of `result` (all in the store) into `root`.
pub fn restore(root: &Path, store: &Store, result: &ActionResult) -> Result<(), String> {
    check_paths(root, result)?;
    for file in &result.files {
        write(root, store, file).map_err(|e| format!("cannot restore {}: {e}", file.path))?;
    }
    Ok(())
}

fn write(root: &Path, store: &Store, file: &OutputFile) -> std::io::Result<()> {
    let dest = root.join(&file.path);
    let dir = dest.parent().expect("a file in a directory");
    std::fs::create_dir_all(dir)?;
    let mut from = std::fs::File::open(store.blob_path(&file.digest))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::copy(&mut from, tmp.as_file_mut())?;
    let mode = if file.executable { 0o755 } else { 0o644 };
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))?;
    tmp.persist(&dest).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::proto::Digest;

    fn result(path: &str) -> ActionResult {
        ActionResult {
            files: vec![OutputFile {
                path: path.into(),
                digest: Digest {
                    hash: "0".repeat(64),
                    size: 0,
                },
                executable: false,
            }],
            ..ActionResult::default()
        }
    }

    #[test]
    fn paths_outside_the_workspace_are_refused() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(check_paths(root.path(), &result("target/out.txt")), Ok(()));
        for bad in [
            "../evil",
            "/etc/passwd",
            "a/../../b",
            "",
            "./a",
            ".git/hooks/pre-commit",
        ] {
            assert!(check_paths(root.path(), &result(bad)).is_err(), "{bad}");
        }
        std::os::unix::fs::symlink("/tmp", root.path().join("link")).unwrap();
        assert_eq!(
            check_paths(root.path(), &result("link/x")),
            Err(format!(
                "it names `link/x`, under the symlink {}",
                root.path().join("link").display()
            ))
        );
    }
}
