//! Where something was written: positions and ranges in a source file, and names with theirs.

pub use xtask_codec::tree::{Pos, Span};

/// A name written in a file, with where it was written (for `needs` diagnostics).
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    pub name: String,
    pub span: Span,
}
