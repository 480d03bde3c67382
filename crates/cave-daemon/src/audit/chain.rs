//! Checking a log: every line's `prev` is the sha256 of the line before and `seq` counts
//! from 1; with the public key, every checkpoint's signature too.

use super::{GENESIS, checkpoint, sha256_hex};
use cosign_key::VerifyingKey;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The first line that breaks the chain (1-based) and what is wrong with it.
#[derive(Debug, PartialEq, Eq)]
pub struct Broken {
    pub line: usize,
    pub problem: String,
}

/// A verified log: how many entries, the hash of the last line, the (key id, version)
/// pairs of accepted rotations, and what the checkpoints cover.
#[derive(Debug)]
pub struct Verified {
    pub entries: u64,
    pub last_hash: String,
    pub accepted: HashSet<(String, u64)>,
    /// Checkpoint lines (signatures checked only when a key was given).
    pub checkpoints: u64,
    /// The last checkpoint: its line and time.
    pub last_checkpoint: Option<(u64, String)>,
    /// Key class → `time` of its last accepted rotation.
    pub last_rotation: HashMap<String, String>,
}

impl Verified {
    /// Entries after the last checkpoint (none yet covers them).
    pub fn unsigned(&self) -> u64 {
        self.entries - self.last_checkpoint.as_ref().map_or(0, |(line, _)| *line)
    }
}

/// Checks the whole chain, and with `key` every checkpoint's signature.
pub fn verify(text: &str, key: Option<&VerifyingKey>) -> Result<Verified, Broken> {
    let mut prev = GENESIS.to_string();
    let mut accepted = HashSet::new();
    let mut entries = 0u64;
    let mut checkpoints = 0u64;
    let mut last_checkpoint = None;
    let mut last_rotation = HashMap::new();
    if !text.is_empty() && !text.ends_with('\n') {
        let line = text.lines().count();
        return Err(Broken {
            line,
            problem: "the last line is incomplete (a torn write)".into(),
        });
    }
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let broken = |problem: String| Broken { line: n, problem };
        let value: Value =
            serde_json::from_str(line).map_err(|e| broken(format!("not a JSON object: {e}")))?;
        if value.get("prev").and_then(Value::as_str) != Some(prev.as_str()) {
            let problem = if n == 1 {
                "its `prev` is not the genesis hash (lines were deleted from the start)".to_string()
            } else {
                format!(
                    "its `prev` is not the sha256 of line {}: line {} was edited, or lines were inserted or deleted between them",
                    n - 1,
                    n - 1
                )
            };
            return Err(broken(problem));
        }
        if value.get("seq").and_then(Value::as_u64) != Some(n as u64) {
            return Err(broken(format!("its `seq` should be {n}")));
        }
        let event = value.get("event").and_then(Value::as_str);
        if event == Some(checkpoint::EVENT) {
            if let Some(key) = key {
                checkpoint::check(key, n as u64, &prev, &value).map_err(broken)?;
            }
            checkpoints += 1;
            let time = value.get("time").and_then(Value::as_str).unwrap_or("");
            last_checkpoint = Some((n as u64, time.to_owned()));
        }
        let id = value.get("key_id").and_then(Value::as_str);
        let version = value.get("version").and_then(Value::as_u64);
        if let (Some("accepted"), Some(id), Some(version)) =
            (value.get("outcome").and_then(Value::as_str), id, version)
        {
            accepted.insert((id.to_owned(), version));
            let class = value.get("key_class").and_then(Value::as_str);
            if let (Some(class), Some(time)) = (class, value.get("time").and_then(Value::as_str)) {
                last_rotation.insert(class.to_owned(), time.to_owned());
            }
        }
        prev = sha256_hex(line.as_bytes());
        entries += 1;
    }
    Ok(Verified {
        entries,
        last_hash: prev,
        accepted,
        checkpoints,
        last_checkpoint,
        last_rotation,
    })
}
