//! What the cache remembers of a step's last successful run, one file per step, written
//! atomically so concurrent engines never see half a file.

use super::key::Components;
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

pub const VERSION: u32 = 1;

/// A file a step wrote, as the cache and the reports record it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Output {
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StepState {
    pub version: u32,
    pub key: String,
    pub outputs: Vec<Output>,
}

/// The parts of the key, kept in a file of their own (`<step>.parts.json`): only a miss
/// reads them, to say what changed, so a hit never parses every input's digest.
#[derive(Serialize, Deserialize)]
struct Parts {
    key: String,
    components: Components,
}

/// `target/xtask/cache/steps/<pipeline>/<step>.json`
pub fn path(cache_dir: &Path, pipeline: &str, step: &str) -> PathBuf {
    cache_dir
        .join("steps")
        .join(pipeline)
        .join(format!("{step}.json"))
}

/// The remembered state; `Err` describes a file that exists but cannot be used.
pub fn read(path: &Path) -> Result<Option<StepState>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let state: StepState = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    if state.version != VERSION {
        return Ok(None);
    }
    Ok(Some(state))
}

/// Writes the parts, then the state that points at them.
pub fn write(path: &Path, state: &StepState, components: Components) -> anyhow::Result<()> {
    let parts = Parts {
        key: state.key.clone(),
        components,
    };
    write_atomic(&parts_path(path), &serde_json::to_vec(&parts)?)?;
    write_atomic(path, &serde_json::to_vec_pretty(state)?)
}

/// The parts of the key recorded as `key`, if they are still there.
pub fn read_parts(path: &Path, key: &str) -> Option<Components> {
    let parts: Parts = serde_json::from_slice(&std::fs::read(parts_path(path)).ok()?).ok()?;
    (parts.key == key).then_some(parts.components)
}

fn parts_path(path: &Path) -> PathBuf {
    path.with_extension("parts.json")
}

/// Writes a temp file next to `path` and renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    // Readable like any other file the engine writes (the temp file starts out 0600);
    // nothing secret is ever written through here.
    write_atomic_mode(path, bytes, 0o644)
}

/// `write_atomic` with the file's mode (0755 for a git hook, say).
pub fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    let dir = path.parent().expect("files are written into a directory");
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    use std::os::unix::fs::PermissionsExt as _;
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}
