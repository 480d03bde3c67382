//! The positioned YAML tree: every node remembers where it was written, scalars keep their
//! raw text and style, mappings keep key order. Built here from the parser's events so the
//! debug build that `cargo xtask` runs builds and drops trees optimised.

use crate::yaml::{Event, Marker, ScalarStyle};
use std::collections::HashMap;

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

/// What a node holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A scalar as written; `quoted` is true for quoted and block scalars, which are always strings.
    Scalar {
        text: String,
        quoted: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

impl Node {
    /// The scalar's text, whatever YAML type it would resolve to.
    pub fn scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, quoted: false } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// A boolean in the YAML 1.2 core schema (`true`/`false`, unquoted).
    pub fn boolean(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar {
                text,
                quoted: false,
            } => match text.as_str() {
                "true" | "True" | "TRUE" => Some(true),
                "false" | "False" | "FALSE" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A string: any non-null scalar (a plain `1.10` stays the text `1.10`).
    pub fn string(&self) -> Option<&str> {
        if self.is_null() { None } else { self.scalar() }
    }

    pub fn seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value under `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.map()?
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(_, v)| v)
    }

    /// How the node reads in an error message: "a string", "a list", ...
    pub fn kind(&self) -> &'static str {
        match &self.value {
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
            Value::Scalar { .. } if self.is_null() => "nothing (null)",
            Value::Scalar { .. } if self.boolean().is_some() => "a boolean",
            Value::Scalar {
                text,
                quoted: false,
            } if text.parse::<f64>().is_ok() => "a number",
            Value::Scalar { .. } => "a string",
        }
    }
}

/// Why a document is refused: where, what, and what to do about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
}

impl Error {
    fn new(span: Span, message: impl Into<String>) -> Error {
        Error {
            span,
            message: message.into(),
            hint: None,
        }
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }
}

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

/// Parses the single YAML document in `text`. An empty document is a null node.
pub fn parse(text: &str) -> Result<Node, Box<Error>> {
    let mut stack: Vec<Frame> = Vec::new();
    // Anchored nodes with their size and depth.
    let mut anchors: HashMap<usize, (Node, usize, usize)> = HashMap::new();
    let mut nodes = 0usize;
    let mut root: Option<Node> = None;
    let mut documents = 0;
    let events = crate::yaml::events(text).map_err(|e| {
        let at = pos(*e.marker());
        Box::new(Error::new(
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
                        Error::new(span, "a pipeline file holds exactly one YAML document")
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
                        return Err(Box::new(Error::new(span, "this alias expands the document too far").with_hint(
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
                    return Err(Box::new(Error::new(
                        span,
                        "alias refers to an unknown anchor",
                    )));
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
                Error::new(
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
                            return Err(Box::new(Error::new(node.span, format!("duplicate key `{text}`"))
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
