//! `fs/ensure-dir` and `fs/remove`: small file-system built-ins for preparing and cleaning
//! directories inside the workspace.

use crate::model::{Builtin, Registration, StepContext, With};
use crate::text::relpath;
use crate::yaml::{Node, Reader};
use anyhow::Context as _;
use std::sync::Arc;

pub const ENSURE_DIR: Registration = Registration {
    name: "fs/ensure-dir",
    summary: "create directories (and their parents) inside the workspace",
    required: &[],
    optional: &["path", "paths"],
    parse: |r, with| {
        Some(Arc::new(EnsureDir {
            paths: paths(r, with, "fs/ensure-dir")?,
        }))
    },
};

pub const REMOVE: Registration = Registration {
    name: "fs/remove",
    summary: "remove files or directories inside the workspace, if they exist",
    required: &[],
    optional: &["path", "paths"],
    parse: |r, with| {
        Some(Arc::new(Remove {
            paths: paths(r, with, "fs/remove")?,
        }))
    },
};

#[derive(Debug)]
struct EnsureDir {
    paths: Vec<String>,
}

#[derive(Debug)]
struct Remove {
    paths: Vec<String>,
}

impl Builtin for EnsureDir {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        for path in &self.paths {
            std::fs::create_dir_all(ctx.root.join(path))
                .with_context(|| format!("cannot create directory {path}"))?;
            writeln!(ctx.out, "ensured {path}/")?;
        }
        Ok(())
    }
}

impl Builtin for Remove {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        for path in &self.paths {
            let full = ctx.root.join(path);
            let result = match std::fs::symlink_metadata(&full) {
                Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(&full),
                Ok(_) => std::fs::remove_file(&full),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    writeln!(ctx.out, "{path} does not exist")?;
                    continue;
                }
                Err(e) => Err(e),
            };
            result.with_context(|| format!("cannot remove {path}"))?;
            writeln!(ctx.out, "removed {path}")?;
        }
        Ok(())
    }
}

/// `with: { path: P }` or `with: { paths: [P, ...] }`, each inside the workspace.
fn paths(r: &mut Reader, with: &With, name: &str) -> Option<Vec<String>> {
    let nodes: Vec<&Node> = match (with.get("path"), with.get("paths")) {
        (Some(p), None) => vec![p],
        (None, Some(list)) => match list.seq() {
            Some(items) if !items.is_empty() => items.iter().collect(),
            _ => {
                r.type_error(list, "paths", "a non-empty list of paths");
                return None;
            }
        },
        _ => {
            r.error(
                with.span,
                format!("`{name}` takes exactly one of `path` and `paths`"),
            );
            return None;
        }
    };
    let mut paths = Vec::new();
    for node in nodes {
        let path = r.string(node, "path")?;
        if relpath::escapes(&path) || path.trim_matches(['.', '/']).is_empty() {
            r.error(
                node.span,
                format!("`{path}` is not a path inside the workspace"),
            )
            .hint = Some("use a relative path below the workspace root".into());
            return None;
        }
        paths.push(path);
    }
    Some(paths)
}
