//! YAML documents as trees of nodes that remember where they were written, so every later
//! check can point at `file:line:col`.

mod file;
mod parse;
mod reader;

pub use file::{read_collecting, read_file, read_source};
pub use parse::parse;
pub use reader::{Fields, Reader};
pub use xtask_codec::tree::{Node, Value};
