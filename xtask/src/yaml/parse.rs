//! Builds the positioned tree from the YAML parser's events.

use super::{Node, Value};
use crate::diagnostic::{Diagnostic, Pos, SourceFile, Span};
use std::collections::HashMap;
use xtask_codec::yaml::{Event, Marker, ScalarStyle};

enum Frame {
    Seq(Vec<Node>, Pos, usize),
    /// Entries, the key waiting for its value, the start, the anchor, and the line of
    /// each scalar key so far (YAML forbids a key twice in one mapping).
    Map(
        Vec<(Node, Node)>,
        Option<Node>,
        Pos,
        usize,
        HashMap<String, usize>,
    ),
}

/// Deeper nesting is refused: no pipeline needs it, and every later walk of the tree
/// (and dropping it) recurses.
const MAX_DEPTH: usize = 64;
/// Aliases copy their anchor's node; this bounds what a few lines of aliases of aliases
/// can expand to.
const MAX_NODES: usize = 100_000;

/// Parses the single YAML document in `src`. An empty file is a null node.
pub fn parse(src: &SourceFile) -> Result<Node, Box<Diagnostic>> {
    let mut stack: Vec<Frame> = Vec::new();
    // Anchored nodes with their size and depth.
    let mut anchors: HashMap<usize, (Node, usize, usize)> = HashMap::new();
    let mut nodes = 0usize;
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let events = xtask_codec::yaml::events(&src.text).map_err(|e| {
        let at = pos(*e.marker());
        Box::new(src.error(
            Span { start: at, end: at },
            format!("invalid YAML: {}", e.info()),
        ))
    })?;
    for (event, span) in events {
        let span = Span {
            start: pos(span.start),
            end: pos(span.end),
        };
        let done = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(Box::new(
                        src.error(span, "a pipeline file holds exactly one YAML document")
                            .with_hint("remove the `---` separator and merge the documents"),
                    ));
                }
                None
            }
            Event::Scalar(text, style, anchor, _) => {
                let quoted = style != ScalarStyle::Plain;
                let node = Node {
                    value: Value::Scalar {
                        text: text.into_owned(),
                        quoted,
                    },
                    span,
                };
                Some((node, anchor))
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some((node, size, depth)) => {
                    nodes += size;
                    if nodes > MAX_NODES || stack.len() + depth > MAX_DEPTH {
                        return Err(Box::new(src.error(span, "this alias expands the document too far").with_hint(
                            "pipeline files stay small; copy the values instead of nesting aliases",
                        )));
                    }
                    Some((
                        Node {
                            span,
                            ..node.clone()
                        },
                        0,
                    ))
                }
                None => {
                    return Err(Box::new(
                        src.error(span, "alias refers to an unknown anchor"),
                    ));
                }
            },
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::Seq(Vec::new(), span.start, anchor));
                None
            }
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map(
                    Vec::new(),
                    None,
                    span.start,
                    anchor,
                    HashMap::new(),
                ));
                None
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (value, start, anchor) = match stack.pop() {
                    Some(Frame::Seq(items, start, anchor)) => (Value::Seq(items), start, anchor),
                    Some(Frame::Map(entries, _, start, anchor, _)) => {
                        (Value::Map(entries), start, anchor)
                    }
                    None => continue,
                };
                let end = if span.end > start { span.end } else { start };
                Some((
                    Node {
                        value,
                        span: Span { start, end },
                    },
                    anchor,
                ))
            }
            _ => None,
        };
        if stack.len() > MAX_DEPTH {
            return Err(Box::new(
                src.error(
                    span,
                    format!("the document nests deeper than {MAX_DEPTH} levels"),
                )
                .with_hint("flatten the structure"),
            ));
        }
        let Some((node, anchor)) = done else { continue };
        nodes += 1;
        if anchor > 0 {
            let (size, depth) = measure(&node);
            anchors.insert(anchor, (node.clone(), size, depth));
        }
        match stack.last_mut() {
            Some(Frame::Seq(items, ..)) => items.push(node),
            Some(Frame::Map(entries, key, _, _, seen)) => match key.take() {
                Some(k) => entries.push((k, node)),
                None => {
                    if let Some(text) = node.scalar() {
                        if let Some(first) = seen.get(text) {
                            return Err(Box::new(
                                src.error(node.span, format!("duplicate key `{text}`"))
                                    .with_hint(format!(
                                        "the first `{text}` is on line {first}; a mapping holds each key once, keep one"
                                    )),
                            ));
                        }
                        seen.insert(text.to_owned(), node.span.start.line);
                    }
                    *key = Some(node);
                }
            },
            None => root = Some(node),
        }
    }
    Ok(root.unwrap_or(Node {
        value: Value::Scalar {
            text: String::new(),
            quoted: false,
        },
        span: Span::at(1, 1),
    }))
}

/// Number of nodes and nesting depth of a tree.
fn measure(node: &Node) -> (usize, usize) {
    let children: Vec<&Node> = match &node.value {
        Value::Scalar { .. } => Vec::new(),
        Value::Seq(items) => items.iter().collect(),
        Value::Map(entries) => entries.iter().flat_map(|(k, v)| [k, v]).collect(),
    };
    children
        .into_iter()
        .map(measure)
        .fold((1, 1), |(size, depth), (s, d)| (size + s, depth.max(d + 1)))
}

fn pos(marker: Marker) -> Pos {
    Pos {
        line: marker.line().max(1),
        col: marker.col() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
