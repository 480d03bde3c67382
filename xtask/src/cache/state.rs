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
    pub components: Components,
    pub outputs: Vec<Output>,
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

pub fn write(path: &Path, state: &StepState) -> anyhow::Result<()> {
    write_atomic(path, &serde_json::to_vec_pretty(state)?)
}

/// Writes a temp file next to `path` and renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().expect("cache files live in a directory");
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}
