//! The up-to-date-check benchmark: one step whose inputs are a generated tree of many files,
//! described for the engine and for go-task's checksum method.

use std::io::Write as _;
use std::path::Path;

pub struct Tree {
    pub files: usize,
    pub file_size: usize,
}

impl Tree {
    pub fn total_bytes(&self) -> usize {
        self.files * self.file_size
    }

    /// Writes `data/dNN/fNNNN.bin` with pseudo-random content, the pipeline and the Taskfile.
    pub fn write(&self, dir: &Path) -> std::io::Result<()> {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut buf = vec![0u8; self.file_size];
        for i in 0..self.files {
            let sub = dir.join(format!("data/d{:02}", i % 50));
            std::fs::create_dir_all(&sub)?;
            for chunk in buf.chunks_mut(8) {
                // xorshift64: cheap bytes that no file system or hash can shortcut.
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
            }
            std::fs::File::create(sub.join(format!("f{i:04}.bin")))?.write_all(&buf)?;
        }
        std::fs::create_dir_all(dir.join("pipelines"))?;
        std::fs::write(
            dir.join("pipelines/bench.yaml"),
            "steps:\n  - id: check\n    run: [\"true\"]\n    inputs: [\"data/**\"]\n",
        )?;
        std::fs::write(
            dir.join("Taskfile.yml"),
            "version: '3'\nsilent: true\ntasks:\n  all:\n    method: checksum\n    sources: [\"data/**/*\"]\n    cmds: [\"true\"]\n",
        )
    }

    /// Changes one byte of one file (same size, new content).
    pub fn touch_one(dir: &Path, round: usize) -> std::io::Result<()> {
        let path = dir.join("data/d07/f0007.bin");
        let mut bytes = std::fs::read(&path)?;
        bytes[0] = bytes[0].wrapping_add(1 + (round % 200) as u8);
        std::fs::write(path, bytes)
    }
}
