//! The comparison behind every generated file's check mode (`drift`, `workflow --check`):
//! the same bytes, the same text but CRLF line endings, or a diff numbered on both sides.

use similar::{ChangeTag, TextDiff};
use std::fmt::Write as _;

/// How a committed file compares with what its generator writes.
#[derive(Debug, PartialEq)]
pub enum Comparison {
    Same,
    /// Equal but for CRLF line endings in the committed file; `line` is the first such line.
    LineEndings {
        line: usize,
    },
    /// `diff` from `numbered_diff`; `first` is the committed file's first differing line.
    Differs {
        diff: String,
        first: usize,
    },
}

/// Compares the committed bytes of `name` with the generated ones.
pub fn compare(committed: &[u8], generated: &[u8], name: &str) -> Comparison {
    if committed == generated {
        return Comparison::Same;
    }
    let committed = String::from_utf8_lossy(committed);
    let generated = String::from_utf8_lossy(generated);
    if committed.contains("\r\n") && committed.replace("\r\n", "\n") == generated {
        // `lines()` would strip the `\r` it looks for.
        let line = committed
            .split('\n')
            .position(|l| l.ends_with('\r'))
            .unwrap_or(0)
            + 1;
        return Comparison::LineEndings { line };
    }
    let (diff, first) = numbered_diff(&committed, &generated, name);
    Comparison::Differs { diff, first }
}

/// A unified diff (3 lines of context) with old and new line numbers on every line, and the
/// first differing line of the old text.
pub fn numbered_diff(old: &str, new: &str, name: &str) -> (String, usize) {
    let diff = TextDiff::from_lines(old, new);
    let mut out = format!("--- {name} (committed)\n+++ {name} (generated)\n");
    let mut first = None;
    for group in diff.grouped_ops(3) {
        let (Some(head), Some(tail)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = head.old_range().start..tail.old_range().end;
        let new_range = head.new_range().start..tail.new_range().end;
        let _ = writeln!(
            out,
            "@@ -{},{} +{},{} @@",
            old_range.start + 1,
            old_range.len(),
            new_range.start + 1,
            new_range.len()
        );
        for op in &group {
            for change in diff.iter_changes(op) {
                let (sign, old_no, new_no) = match change.tag() {
                    ChangeTag::Equal => (' ', change.old_index(), change.new_index()),
                    ChangeTag::Delete => ('-', change.old_index(), None),
                    ChangeTag::Insert => ('+', None, change.new_index()),
                };
                if sign != ' ' && first.is_none() {
                    first = Some(
                        change
                            .old_index()
                            .or(op.old_range().start.into())
                            .unwrap_or(0)
                            + 1,
                    );
                }
                let number = |n: Option<usize>| n.map_or(String::new(), |n| (n + 1).to_string());
                let text = change.value().trim_end_matches('\n');
                let _ = writeln!(
                    out,
                    "{:>5} {:>5} {sign}{text}",
                    number(old_no),
                    number(new_no)
                );
            }
        }
    }
    (out, first.unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::{Comparison, compare, numbered_diff};

    #[test]
    fn numbers_both_sides_and_finds_the_first_change() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\nnew\n";
        let (diff, first) = numbered_diff(old, new, "x.yaml");
        assert_eq!(first, 5);
        assert_eq!(
            diff,
            "--- x.yaml (committed)\n+++ x.yaml (generated)\n\
             @@ -2,7 +2,8 @@\n\
             \x20   2     2  b\n    3     3  c\n    4     4  d\n    5       -e\n          5 +E\n\
             \x20   6     6  f\n    7     7  g\n    8     8  h\n          9 +new\n"
        );
    }

    #[test]
    fn tells_line_endings_from_content() {
        assert_eq!(compare(b"a\nb\n", b"a\nb\n", "f"), Comparison::Same);
        assert_eq!(
            compare(b"a\nb\r\nc\r\n", b"a\nb\nc\n", "f"),
            Comparison::LineEndings { line: 2 }
        );
        assert!(matches!(
            compare(b"a\r\nx\r\n", b"a\nb\n", "f"),
            Comparison::Differs { first: 1, .. }
        ));
    }
}
