//! YAML documents as trees of nodes that remember where they were written, so every later
//! check can point at `file:line:col`.

mod node;
mod parse;

pub use node::{Node, Value};
pub use parse::parse;
