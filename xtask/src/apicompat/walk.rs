//! The structural walk: paths (matched with parameter names ignored) and webhooks (matched by
//! name), their operations, and the `$ref` resolution every part uses. Parameters, bodies and
//! responses, and security have files of their own; schemas go to `schema/`.

use super::Compare;
use super::deprecation::Removal;
use super::doc::{Doc, Loc, entries, escape};
use crate::yaml::Node;
use std::collections::BTreeSet;

/// Stands in for an absent `paths`, `responses` or `content`.
pub(super) static EMPTY: Node = Node {
    value: crate::yaml::Value::Map(Vec::new()),
    span: crate::diagnostic::Span {
        start: crate::diagnostic::Pos { line: 0, col: 0 },
        end: crate::diagnostic::Pos { line: 0, col: 0 },
    },
};

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `/users/{id}` and `/users/{user}` are the same path to a client.
fn template(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if !in_param => out.push(c),
            _ => {}
        }
    }
    out
}

/// What a path item is: a path clients call, or a webhook the API calls. In a webhook the
/// API sends the request and reads the response, so their directions are swapped.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Role {
    Path,
    Webhook,
}

impl<'d> Compare<'d> {
    pub(super) fn paths(&mut self) {
        let (base, rev) = (self.base, self.rev);
        let base_paths = base.root.get("paths").unwrap_or(&EMPTY);
        let rev_paths = rev.root.get("paths").unwrap_or(&EMPTY);
        let rev_paths_loc = key_loc(&rev.root, "paths", "#");
        let mut matched = BTreeSet::new();
        let by_template: std::collections::HashMap<String, (&str, &Node, &Node)> =
            entries(rev_paths)
                .map(|(p, k, v)| (template(p), (p, k, v)))
                .collect();
        for (path, key, item) in entries(base_paths) {
            let pointer = format!("#/paths/{}", escape(path));
            match by_template.get(&template(path)).copied() {
                None => self.path_removed(path, (item, key, pointer), rev_paths_loc.clone()),
                Some((rev_path, rev_key, rev_item)) => {
                    matched.insert(rev_path.to_owned());
                    let rev_pointer = format!("#/paths/{}", escape(rev_path));
                    self.path_item(
                        path,
                        Role::Path,
                        (item, pointer),
                        (rev_item, rev_key, rev_pointer),
                    );
                }
            }
        }
        for (path, key, _) in entries(rev_paths).filter(|(p, _, _)| !matched.contains(*p)) {
            let pointer = format!("#/paths/{}", escape(path));
            let at = Some(Loc::of(&pointer, key));
            self.emit("path-added", format!("{path} is new"), None, at);
        }
    }

    /// A removed path breaks the clients of its operations, unless each was deprecated and
    /// its sunset passed. A path without operations serves nobody.
    fn path_removed(
        &mut self,
        path: &str,
        (item, key, pointer): (&'d Node, &'d Node, String),
        rev_at: Loc,
    ) {
        let Some((node, _)) = self.resolve_base(item, pointer.clone()) else {
            return;
        };
        let operations: Vec<&Node> = METHODS.iter().filter_map(|m| node.get(m)).collect();
        if operations.is_empty() {
            return;
        }
        let at = (Some(Loc::of(&pointer, key)), Some(rev_at));
        let judged: Vec<Removal> = operations.into_iter().map(|op| self.removal(op)).collect();
        if judged.iter().any(|j| matches!(j, Removal::Unannounced)) {
            self.emit("path-removed", format!("{path} was removed"), at.0, at.1);
        } else if let Some(early) = judged
            .into_iter()
            .find(|j| matches!(j, Removal::BeforeSunset(_)))
        {
            self.judge_removal(early, path, at.0, at.1);
        } else {
            self.judge_removal(Removal::AfterSunset, path, at.0, at.1);
        }
    }

    pub(super) fn webhooks(&mut self) {
        let (base, rev) = (self.base, self.rev);
        let base_hooks = base.root.get("webhooks").unwrap_or(&EMPTY);
        let rev_hooks = rev.root.get("webhooks").unwrap_or(&EMPTY);
        for (name, key, item) in entries(base_hooks) {
            let pointer = format!("#/webhooks/{}", escape(name));
            let label = format!("webhook `{name}`");
            match entries(rev_hooks).find(|(n, _, _)| *n == name) {
                None => {
                    let rev_at = key_loc(&rev.root, "webhooks", "#");
                    let message = format!("{label} was removed; subscribers no longer receive it");
                    self.emit(
                        "webhook-removed",
                        message,
                        Some(Loc::of(&pointer, key)),
                        Some(rev_at),
                    );
                }
                Some((_, rev_key, rev_item)) => {
                    let rev_pointer = pointer.clone();
                    self.path_item(
                        &label,
                        Role::Webhook,
                        (item, pointer),
                        (rev_item, rev_key, rev_pointer),
                    );
                }
            }
        }
        for (name, key, _) in entries(rev_hooks).filter(|(n, _, _)| base_hooks.get(n).is_none()) {
            let at = Some(Loc::of(&format!("#/webhooks/{}", escape(name)), key));
            self.emit(
                "webhook-added",
                format!("webhook `{name}` is new"),
                None,
                at,
            );
        }
    }

    fn path_item(
        &mut self,
        path: &str,
        role: Role,
        (b, b_ptr): (&'d Node, String),
        (r, r_key, r_ptr): (&'d Node, &'d Node, String),
    ) {
        let Some((b_node, b_ptr)) = self.resolve_base(b, b_ptr) else {
            return;
        };
        let Some((r_node, r_ptr)) = self.resolve_rev(r, r_ptr) else {
            return;
        };
        for method in METHODS {
            let upper = method.to_uppercase();
            let b_op = entries(b_node).find(|(k, _, _)| *k == method);
            let r_op = entries(r_node).find(|(k, _, _)| *k == method);
            let op_ptr = |p: &str| format!("{p}/{method}");
            let label = format!("{upper} {path}");
            match (b_op, r_op) {
                (Some((_, key, op)), None) => {
                    let at = (
                        Some(Loc::of(&op_ptr(&b_ptr), key)),
                        Some(Loc::of(&r_ptr, r_key)),
                    );
                    match self.removal(op) {
                        Removal::Unannounced => {
                            let message = format!("{label} was removed");
                            self.emit("operation-removed", message, at.0, at.1);
                        }
                        judged => self.judge_removal(judged, &label, at.0, at.1),
                    }
                }
                (None, Some((_, key, _))) => {
                    let at = Some(Loc::of(&op_ptr(&r_ptr), key));
                    self.emit("operation-added", format!("{label} is new"), None, at);
                }
                (Some((_, b_key, b_op)), Some((_, r_key, r_op))) => {
                    let (b_at, r_at) = (
                        Loc::of(&op_ptr(&b_ptr), b_key),
                        Loc::of(&op_ptr(&r_ptr), r_key),
                    );
                    self.deprecation_added(&label, (b_op, &b_at), (r_op, &r_at));
                    let b = (b_op, op_ptr(&b_ptr));
                    let r = (r_op, op_ptr(&r_ptr));
                    if role == Role::Path {
                        let b_params =
                            self.params(self.base, &[(b_node, b_ptr.clone()), b.clone()]);
                        let r_params = self.params(self.rev, &[(r_node, r_ptr.clone()), r.clone()]);
                        self.parameters(&label, b_params, r_params, r_at);
                        self.security(&label, b.clone(), r.clone());
                    }
                    self.request_body(&label, role, b.clone(), r.clone());
                    self.responses(&label, role, b, r);
                }
                (None, None) => {}
            }
        }
    }

    pub(super) fn resolve_base(
        &mut self,
        node: &'d Node,
        pointer: String,
    ) -> Option<(&'d Node, String)> {
        let resolved = self.base.resolve(node, pointer);
        resolved.map_err(|e| self.errors.push(*e)).ok()
    }

    pub(super) fn resolve_rev(
        &mut self,
        node: &'d Node,
        pointer: String,
    ) -> Option<(&'d Node, String)> {
        let resolved = self.rev.resolve(node, pointer);
        resolved.map_err(|e| self.errors.push(*e)).ok()
    }

    pub(super) fn resolve_in(
        &mut self,
        doc: &'d Doc,
        node: &'d Node,
        pointer: String,
    ) -> Option<(&'d Node, String)> {
        if std::ptr::eq(doc, self.base) {
            self.resolve_base(node, pointer)
        } else {
            self.resolve_rev(node, pointer)
        }
    }
}

/// The location of `key` in `map` (the map itself when the key is absent).
pub(super) fn key_loc(map: &Node, key: &str, map_ptr: &str) -> Loc {
    match entries(map).find(|(k, _, _)| *k == key) {
        Some((_, k, _)) => Loc::of(&format!("{map_ptr}/{}", escape(key)), k),
        None => Loc::of(map_ptr, map),
    }
}
