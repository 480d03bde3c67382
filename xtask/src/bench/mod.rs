//! `cargo xtask bench`: the engine's overhead on generated step graphs, measured next to
//! `just` and go-task running the same graphs in the same session.

mod graphs;
mod measure;

pub use graphs::{Case, Graph};
pub use measure::{Sample, median, time_runs};
