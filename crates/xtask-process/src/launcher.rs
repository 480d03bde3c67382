//! What a command needs besides its argv — the variables, the control it answers to, the
//! masker for its output — bundled, so code that runs tools on a step's behalf (built-ins,
//! policy checks) runs them exactly like the step would.

use super::{Control, Finished, Spawn, run_with};
use crate::mask::Masker;
use std::collections::BTreeMap;
use std::path::Path;

pub struct Launcher<'a> {
    /// Variables added to the engine's environment.
    pub env: &'a BTreeMap<String, String>,
    pub control: &'a Control,
    pub masker: &'a Masker,
}

impl Launcher<'_> {
    /// Runs `argv` in `cwd` in its own process group, cancellable through the control.
    pub fn run(&self, argv: &[String], cwd: &Path, spawn: Spawn) -> anyhow::Result<Finished> {
        run_with(argv, cwd, self.env, self.control, self.masker, spawn)
            .map_err(|e| anyhow::anyhow!("cannot run `{}`: {e}", argv[0]))
    }
}

/// A temp file a command wrote its stdout to (`Spawn::stdout`), read from its start.
pub fn read_back(mut file: std::fs::File) -> std::io::Result<String> {
    use std::io::{Read, Seek};
    let mut text = String::new();
    file.rewind()?;
    file.read_to_string(&mut text)?;
    Ok(text)
}
