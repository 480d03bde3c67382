//! What a cached step's inputs are and what they hash to: the files its globs match
//! (`walk`), their digests behind a table of stat stamps (`files`), the parts of its key
//! (`key`), and the SHA-256 and atomic-write helpers under them (`digest`, `fsutil`).
//!
//! A crate of its own, below the engine, so the debug build that `cargo xtask` runs checks
//! an unchanged tree at optimised speed.

pub mod digest;
pub mod files;
pub mod fsutil;
pub mod key;
pub mod state;
pub mod walk;
