//! The parsing and printing every engine run does: the YAML event stream of pipeline and
//! policy files and the positioned tree built from it, the JSON writer of the run report,
//! and the file-stamp table's lines.
//!
//! They live in a crate of their own for the debug build that `cargo xtask` runs. Generic
//! code is compiled in the crate that instantiates it, at that crate's optimisation level:
//! an `opt-level` for saphyr-parser in the dev profile still left its parser, instantiated
//! inside the engine, unoptimised, and serde's layers likewise. Instantiated here, both get
//! this crate's `opt-level` (see the workspace's Cargo.toml); the engine calls plain
//! functions.

pub mod json;
pub mod stamps;
pub mod tree;
pub mod yaml;
