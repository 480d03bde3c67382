//! What the cache remembers of a step's last successful run, one file per step, written
//! atomically so concurrent engines never see half a file.

use crate::key::Components;

use serde::{Deserialize, Serialize};

use std::path::{Path, PathBuf};

/// 2: keys without absolute paths, with the platform.
pub const VERSION: u32 = 2;

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
    crate::fsutil::write_atomic(&parts_path(path), &serde_json::to_vec(&parts)?)?;
    crate::fsutil::write_atomic(path, &serde_json::to_vec_pretty(state)?)
}

/// The parts of the key recorded as `key`, if they are still there.
pub fn read_parts(path: &Path, key: &str) -> Option<Components> {
    let parts: Parts = serde_json::from_slice(&std::fs::read(parts_path(path)).ok()?).ok()?;
    (parts.key == key).then_some(parts.components)
}

fn parts_path(path: &Path) -> PathBuf {
    path.with_extension("parts.json")
}
