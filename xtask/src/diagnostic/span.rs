//! Where something was written: positions and ranges in a source file, and names with theirs.

/// A position in a source file: 1-based line and 1-based column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// A range of a source file; `end` is exclusive and may lie on a later line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn at(line: usize, col: usize) -> Span {
        let pos = Pos { line, col };
        Span {
            start: pos,
            end: pos,
        }
    }
}

/// A name written in a file, with where it was written (for `needs` diagnostics).
#[derive(Clone, Debug, PartialEq)]
pub struct Named {
    pub name: String,
    pub span: Span,
}
