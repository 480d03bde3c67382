//! Reads a source file's single YAML document into the positioned tree
//! (`xtask_codec::tree`), its refusals as diagnostics with the file's line.

use super::Node;
use crate::diagnostic::{Diagnostic, SourceFile};

/// Parses the single YAML document in `src`. An empty file is a null node.
pub fn parse(src: &SourceFile) -> Result<Node, Box<Diagnostic>> {
    xtask_codec::tree::parse(&src.text).map_err(|e| {
        let diagnostic = src.error(e.span, e.message);
        Box::new(match e.hint {
            Some(hint) => diagnostic.with_hint(hint),
            None => diagnostic,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn parse_str(text: &str) -> Result<Node, Box<Diagnostic>> {
        parse(&SourceFile::new("t.yaml", text))
    }

    #[test]
    fn keys_and_values_carry_positions() {
        let root = parse_str("a: 1\nsteps:\n  - id: x\n    run: [echo, hi]\n").unwrap();
        let steps = root.get("steps").unwrap().seq().unwrap();
        let (key, value) = &steps[0].map().unwrap()[1];
        assert_eq!(key.scalar(), Some("run"));
        assert_eq!(key.span.start, Pos { line: 4, col: 5 });
        assert_eq!(key.span.end, Pos { line: 4, col: 8 });
        assert_eq!(value.seq().unwrap()[1].span.start, Pos { line: 4, col: 17 });
    }

    #[test]
    fn scalars_keep_their_text_and_quoting() {
        let root = parse_str("v: 1.10\nq: \"true\"\nb: true\nn: ~\n").unwrap();
        assert_eq!(root.get("v").unwrap().string(), Some("1.10"));
        assert_eq!(root.get("q").unwrap().boolean(), None);
        assert_eq!(root.get("b").unwrap().boolean(), Some(true));
        assert!(root.get("n").unwrap().is_null());
    }

    #[test]
    fn aliases_resolve_to_the_anchored_node() {
        let root = parse_str("a: &x [1, 2]\nb: *x\n").unwrap();
        assert_eq!(root.get("b").unwrap().seq().unwrap().len(), 2);
    }

    #[test]
    fn syntax_errors_are_positioned() {
        let err = parse_str("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.message.starts_with("invalid YAML: "), "{}", err.message);
        assert!(err.span.is_some());
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (name, prev) in ["b", "c", "d", "e", "f", "g"]
            .iter()
            .zip(["a", "b", "c", "d", "e", "f"])
        {
            bomb.push_str(&format!("{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert_eq!(
            parse_str(&bomb).unwrap_err().message,
            "this alias expands the document too far"
        );
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(
            parse_str(&deep).unwrap_err().message,
            "the document nests deeper than 64 levels"
        );
    }

    #[test]
    fn empty_file_is_null() {
        assert!(parse_str("").unwrap().is_null());
        assert!(parse_str("# only a comment\n").unwrap().is_null());
    }

    #[test]
    fn duplicate_keys_are_refused_at_the_second() {
        let err = parse_str("a: 1\nb:\n  c: 1\n  \"c\": 2\n").unwrap_err();
        assert_eq!(err.message, "duplicate key `c`");
        assert_eq!(err.span.unwrap().start, Pos { line: 4, col: 3 });
        assert_eq!(
            err.hint.as_deref(),
            Some("the first `c` is on line 3; a mapping holds each key once, keep one")
        );
        assert!(
            parse_str("a: { c: 1 }\nb: { c: 1 }\n").is_ok(),
            "one key per mapping"
        );
    }

    #[test]
    fn a_second_document_is_rejected() {
        let err = parse_str("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.span.unwrap().start.line, 2);
    }
}
