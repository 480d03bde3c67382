//! `cargo xtask bench`: the engine's overhead on generated step graphs, measured next to
//! `just` and go-task running the same graphs in the same session.

mod graphs;
mod measure;
pub mod openapi;
mod tree;

pub use graphs::{Case, Graph};
pub use measure::{
    Runner, Sample, interleaved, median, spawn_floor, time_once, time_runs, time_runs_after,
};
pub use tree::Tree;
