//! An OpenAPI document as the positioned YAML tree: navigation by JSON pointer, local `$ref`
//! resolution (chains followed, cycles and dangling targets reported at their line), and the
//! line of every node so findings point into both documents.

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::yaml::Node;

pub struct Doc {
    pub src: SourceFile,
    pub root: Node,
    /// `schemas/User` → the index of `User` in `components.schemas`: references resolve in
    /// constant time, whatever the number of components.
    components: std::collections::HashMap<String, usize>,
}

/// Where a finding sits in one document.
#[derive(Clone, Debug, PartialEq)]
pub struct Loc {
    pub pointer: String,
    pub line: usize,
}

impl Doc {
    /// Parses `text`; a YAML mistake, or a top level that is not an OpenAPI 3 document, is a
    /// positioned diagnostic naming `label` (the file, or `openapi.yaml@<base>`).
    pub fn parse(label: &str, text: String) -> Result<Doc, Box<Diagnostic>> {
        let src = SourceFile::new(label, text);
        let root = crate::yaml::parse(&src)?;
        let Some(_) = root.map() else {
            return Err(Box::new(
                src.error(root.span, "an OpenAPI document is a mapping")
                    .with_hint("the file starts with `openapi: 3.x`"),
            ));
        };
        match root.get("openapi").and_then(Node::scalar) {
            Some(v) if v.starts_with("3.") => {}
            Some(v) => {
                return Err(Box::new(src.error(
                    root.get("openapi").expect("present").span,
                    format!("`openapi: {v}` is not OpenAPI 3.x"),
                )));
            }
            None => {
                return Err(Box::new(
                    src.error(root.span, "the document has no `openapi: 3.x` version")
                        .with_hint("only OpenAPI 3.0 and 3.1 documents are compared"),
                ));
            }
        }
        if let Some(paths) = root.get("paths")
            && paths.map().is_none()
            && !paths.is_null()
        {
            return Err(Box::new(src.error(
                paths.span,
                format!("`paths` must be a mapping, found {}", paths.kind()),
            )));
        }
        let mut components = std::collections::HashMap::new();
        for (group, _, members) in entries(root.get("components").unwrap_or(&root)) {
            for (i, (name, _)) in members.map().unwrap_or_default().iter().enumerate() {
                if let Some(name) = name.scalar() {
                    components.insert(format!("{}/{}", escape(group), escape(name)), i);
                }
            }
        }
        Ok(Doc {
            src,
            root,
            components,
        })
    }

    pub fn error(&self, node: &Node, message: String) -> Diagnostic {
        self.src.error(node.span, message)
    }

    /// `info.version`.
    pub fn version(&self) -> Option<&str> {
        self.root.get("info")?.get("version")?.scalar()
    }

    /// The node a `#/a/b` pointer names.
    fn lookup(&self, pointer: &str) -> Option<&Node> {
        let rest = pointer.strip_prefix('#')?;
        // `#/components/<group>/<name>/...`: the first three steps through the index.
        let indexed = rest.strip_prefix("/components/").and_then(|r| {
            let group_end = r.find('/')?;
            let name_end = r[group_end + 1..]
                .find('/')
                .map_or(r.len(), |i| group_end + 1 + i);
            let index = *self.components.get(&r[..name_end])?;
            let members = self
                .root
                .get("components")?
                .get(&unescape(&r[..group_end]))?;
            Some((&members.map()?.get(index)?.1, &r[name_end..]))
        });
        let (start, rest) = indexed.unwrap_or((&self.root, rest));
        if rest.is_empty() {
            return Some(start);
        }
        rest.strip_prefix('/')?
            .split('/')
            .try_fold(start, |node, part| {
                let key = unescape(part);
                match &node.value {
                    crate::yaml::Value::Seq(items) => items.get(key.parse::<usize>().ok()?),
                    _ => node.get(&key),
                }
            })
    }

    /// What `node` names once its `$ref`s are followed; `node` itself when they dangle or
    /// cycle (`resolve` reports those).
    pub fn target<'d>(&'d self, node: &'d Node) -> &'d Node {
        let mut current = node;
        for _ in 0..64 {
            match current.get("$ref").and_then(Node::scalar) {
                Some(reference) => match self.lookup(reference) {
                    Some(next) => current = next,
                    None => return node,
                },
                None => return current,
            }
        }
        node
    }

    /// Follows `$ref`s from `node` (at `pointer`) to what they name; the pointer of the
    /// result is the target's. A dangling or cyclic reference is an error at the `$ref`.
    pub fn resolve<'d>(
        &'d self,
        node: &'d Node,
        pointer: String,
    ) -> Result<(&'d Node, String), Box<Diagnostic>> {
        let (mut node, mut pointer) = (node, pointer);
        let mut seen: Vec<&str> = Vec::new();
        while let Some(reference) = node.get("$ref") {
            let Some(target) = reference.scalar() else {
                return Err(Box::new(
                    self.error(reference, "`$ref` must be a string".into()),
                ));
            };
            if !target.starts_with('#') {
                return Err(Box::new(
                    self.error(
                        reference,
                        format!("`$ref: {target}` points outside the document"),
                    )
                    .with_hint("only local references (`#/components/...`) are compared"),
                ));
            }
            if seen.contains(&target) || seen.len() > 64 {
                return Err(Box::new(self.error(
                    reference,
                    format!(
                        "`$ref: {target}` is a cycle of references that never reaches a definition"
                    ),
                )));
            }
            seen.push(target);
            node = self.lookup(target).ok_or_else(|| {
                Box::new(self.error(
                    reference,
                    format!("`$ref: {target}` names nothing in this document"),
                ))
            })?;
            pointer = target.to_owned();
        }
        Ok((node, pointer))
    }
}

/// Unescapes one JSON pointer segment.
fn unescape(segment: &str) -> std::borrow::Cow<'_, str> {
    if segment.contains('~') {
        segment.replace("~1", "/").replace("~0", "~").into()
    } else {
        segment.into()
    }
}

/// Escapes one JSON pointer segment.
pub fn escape(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len() + 2);
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The entries of a mapping node (nothing for anything else).
pub fn entries(node: &Node) -> impl Iterator<Item = (&str, &Node, &Node)> {
    node.map()
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| Some((k.scalar()?, k, v)))
}

impl Loc {
    pub fn of(pointer: &str, node: &Node) -> Loc {
        Loc {
            pointer: pointer.to_owned(),
            line: node.span.start.line,
        }
    }
}
