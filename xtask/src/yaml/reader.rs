//! Typed reading of YAML nodes that records every mistake as a diagnostic and carries on,
//! so one `check` reports all errors of a file.

use crate::diagnostic::{Diagnostic, Named, SourceFile, Span};
use crate::text::suggest::did_you_mean;
use crate::yaml::Node;

pub struct Reader<'s> {
    pub src: &'s SourceFile,
    pub diags: Vec<Diagnostic>,
}

/// A mapping's entries, after unknown and duplicate keys were reported.
pub struct Fields<'n> {
    pub node: &'n Node,
    entries: Vec<(&'n Node, &'n Node)>,
}

impl<'n> Fields<'n> {
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(_, v)| *v)
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|(k, _)| k.scalar() == Some(key))
            .map(|(k, _)| k.span)
    }

    /// Every key and value, in file order.
    pub fn entries(&self) -> &[(&'n Node, &'n Node)] {
        &self.entries
    }
}

impl<'s> Reader<'s> {
    pub fn new(src: &'s SourceFile) -> Self {
        Reader {
            src,
            diags: Vec::new(),
        }
    }

    pub fn error(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.diags.push(self.src.error(span, message));
        self.diags.last_mut().expect("just pushed")
    }

    /// Reports `node` not being what `key` needs.
    pub fn type_error(&mut self, node: &Node, key: &str, expected: &str) {
        let kind = node.kind();
        self.error(
            node.span,
            format!("`{key}` must be {expected}, found {kind}"),
        );
    }

    /// A mapping with keys from `allowed`; unknown keys get a "did you mean" and duplicates
    /// point at the first one.
    pub fn fields<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Option<Fields<'n>> {
        let Some(map) = node.map() else {
            let kind = node.kind();
            self.error(node.span, format!("{what} must be a mapping, found {kind}"));
            return None;
        };
        let mut entries: Vec<(&Node, &Node)> = Vec::new();
        for (key, value) in map {
            let Some(name) = key.string() else {
                self.error(key.span, format!("keys in {what} must be strings"));
                continue;
            };
            if let Some((first, _)) = entries.iter().find(|(k, _)| k.scalar() == Some(name)) {
                let line = first.span.start.line;
                self.error(key.span, format!("`{name}` is given twice in {what}"))
                    .hint = Some(format!("the first `{name}` is on line {line}; keep one"));
                continue;
            }
            if !allowed.contains(&name) {
                let hint = match did_you_mean(name, allowed.iter().copied()) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("valid keys are: {}", allowed.join(", ")),
                };
                self.error(key.span, format!("unknown key `{name}` in {what}"))
                    .hint = Some(hint);
                continue;
            }
            entries.push((key, value));
        }
        Some(Fields { node, entries })
    }

    pub fn string(&mut self, node: &Node, key: &str) -> Option<String> {
        match node.string() {
            Some(s) if node.map().is_none() && node.seq().is_none() => Some(s.to_owned()),
            _ => {
                self.type_error(node, key, "a string");
                None
            }
        }
    }

    /// A workspace-relative path that stays inside the workspace.
    pub fn workspace_path(&mut self, node: &Node, key: &str) -> Option<String> {
        let value = self.string(node, key)?;
        if crate::text::relpath::escapes(&value) {
            self.error(
                node.span,
                format!("`{value}` is not a path inside the workspace"),
            );
            return None;
        }
        Some(value)
    }

    pub fn boolean(&mut self, node: &Node, key: &str) -> Option<bool> {
        let value = node.boolean();
        if value.is_none() {
            self.type_error(node, key, "`true` or `false`");
        }
        value
    }

    /// A list of strings, each with its position.
    pub fn names(&mut self, node: &Node, key: &str) -> Option<Vec<Named>> {
        let Some(items) = node.seq() else {
            self.type_error(node, key, "a list of strings");
            return None;
        };
        let mut names = Vec::new();
        for item in items {
            if let Some(name) = self.string(item, key) {
                names.push(Named {
                    name,
                    span: item.span,
                });
            }
        }
        Some(names)
    }

    /// An `env:` mapping of variable names to string values (numbers and booleans as written).
    pub fn env(&mut self, node: &Node) -> Vec<(String, String)> {
        let Some(map) = node.map() else {
            self.type_error(node, "env", "a mapping of variable names to values");
            return Vec::new();
        };
        let mut vars: Vec<(String, String)> = Vec::new();
        for (key, value) in map {
            let Some(name) = self.env_name(key, "env") else {
                continue;
            };
            if vars.iter().any(|(n, _)| *n == name) {
                self.error(key.span, format!("`{name}` is given twice in `env`"));
                continue;
            }
            if value.map().is_some() || value.seq().is_some() {
                self.type_error(value, &name, "a string");
                continue;
            }
            let text = if value.is_null() {
                ""
            } else {
                value.scalar().unwrap_or_default()
            };
            vars.push((name, text.to_owned()));
        }
        vars
    }

    /// A valid environment variable name.
    pub fn env_name(&mut self, node: &Node, key: &str) -> Option<String> {
        let name = self.string(node, key)?;
        if !crate::text::ident::is_env_name(&name) {
            self.error(
                node.span,
                format!("`{name}` is not a valid environment variable name"),
            )
            .hint = Some("use letters, digits and `_`, not starting with a digit".into());
            return None;
        }
        Some(name)
    }

    /// Points at a character `offset` inside the scalar `node` when it sits on one line.
    pub fn span_in(&self, node: &Node, offset: usize) -> Span {
        let single_line = node.span.start.line == node.span.end.line;
        match (&node.value, single_line) {
            (crate::yaml::Value::Scalar { quoted, .. }, true) => {
                let col = node.span.start.col + offset + usize::from(*quoted);
                Span::at(node.span.start.line, col)
            }
            _ => node.span,
        }
    }
}
