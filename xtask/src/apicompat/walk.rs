//! The structural walk: paths (matched with parameter names ignored), operations,
//! parameters (path-level merged under operation-level), request bodies, responses, media
//! types and security requirements. Schemas go to `schema.rs`.

use super::Compare;
use super::doc::{Doc, Loc, entries, escape};
use crate::yaml::Node;
use std::collections::BTreeSet;

/// Stands in for an absent `paths`, `responses` or `content`.
static EMPTY: Node = Node {
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

/// A node and the node whose line locates it (its mapping key).
#[derive(Clone, Copy)]
pub(super) struct Item<'d> {
    pub node: &'d Node,
    pub key: &'d Node,
}

struct Param<'d> {
    name: String,
    location: String,
    required: bool,
    schema: Option<(&'d Node, String)>,
    loc: Loc,
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
            let found = by_template.get(&template(path)).copied();
            match found {
                None => self.emit(
                    "path-removed",
                    format!("{path} was removed"),
                    Some(Loc::of(&pointer, key)),
                    Some(rev_paths_loc.clone()),
                ),
                Some((rev_path, rev_key, rev_item)) => {
                    matched.insert(rev_path.to_owned());
                    let rev_pointer = format!("#/paths/{}", escape(rev_path));
                    self.path_item(
                        path,
                        (Item { node: item, key }, pointer),
                        (
                            Item {
                                node: rev_item,
                                key: rev_key,
                            },
                            rev_pointer,
                        ),
                    );
                }
            }
        }
        for (path, key, _) in entries(rev_paths).filter(|(p, _, _)| !matched.contains(*p)) {
            let pointer = format!("#/paths/{}", escape(path));
            self.emit(
                "path-added",
                format!("{path} is new"),
                None,
                Some(Loc::of(&pointer, key)),
            );
        }
    }

    fn path_item(
        &mut self,
        path: &str,
        (b, b_ptr): (Item<'d>, String),
        (r, r_ptr): (Item<'d>, String),
    ) {
        let Some((b_node, b_ptr)) = self.resolve_base(b.node, b_ptr) else {
            return;
        };
        let Some((r_node, r_ptr)) = self.resolve_rev(r.node, r_ptr) else {
            return;
        };
        for method in METHODS {
            let upper = method.to_uppercase();
            let b_op = entries(b_node).find(|(k, _, _)| *k == method);
            let r_op = entries(r_node).find(|(k, _, _)| *k == method);
            let op_ptr = |p: &str| format!("{p}/{method}");
            match (b_op, r_op) {
                (Some((_, key, _)), None) => {
                    self.emit(
                        "operation-removed",
                        format!("{upper} {path} was removed"),
                        Some(Loc::of(&op_ptr(&b_ptr), key)),
                        Some(Loc::of(&r_ptr, r.key)),
                    );
                }
                (None, Some((_, key, _))) => {
                    self.emit(
                        "operation-added",
                        format!("{upper} {path} is new"),
                        None,
                        Some(Loc::of(&op_ptr(&r_ptr), key)),
                    );
                }
                (Some((_, _, b_op)), Some((_, r_key, r_op))) => {
                    let label = format!("{upper} {path}");
                    let b_params = self.params(
                        self.base,
                        &[(b_node, b_ptr.clone()), (b_op, op_ptr(&b_ptr))],
                    );
                    let r_params =
                        self.params(self.rev, &[(r_node, r_ptr.clone()), (r_op, op_ptr(&r_ptr))]);
                    self.parameters(&label, b_params, r_params, Loc::of(&op_ptr(&r_ptr), r_key));
                    self.request_body(&label, (b_op, op_ptr(&b_ptr)), (r_op, op_ptr(&r_ptr)));
                    self.responses(&label, (b_op, op_ptr(&b_ptr)), (r_op, op_ptr(&r_ptr)));
                    self.security(&label, (b_op, op_ptr(&b_ptr)), (r_op, op_ptr(&r_ptr)));
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

    fn resolve_in(
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

    /// The parameters in effect: the path item's, overridden by the operation's.
    fn params(&mut self, doc: &'d Doc, levels: &[(&'d Node, String)]) -> Vec<Param<'d>> {
        let mut out: Vec<Param<'d>> = Vec::new();
        for (owner, owner_ptr) in levels {
            let Some(list) = owner.get("parameters") else {
                continue;
            };
            let Some(items) = list.seq() else {
                self.errors.push(doc.error(
                    list,
                    format!("`parameters` must be a list, found {}", list.kind()),
                ));
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                let Some((node, pointer)) =
                    self.resolve_in(doc, item, format!("{owner_ptr}/parameters/{i}"))
                else {
                    continue;
                };
                let (Some(name), Some(location)) = (
                    node.get("name").and_then(Node::scalar),
                    node.get("in").and_then(Node::scalar),
                ) else {
                    self.errors
                        .push(doc.error(node, "a parameter needs `name` and `in`".into()));
                    continue;
                };
                let required = location == "path"
                    || node
                        .get("required")
                        .and_then(Node::boolean)
                        .unwrap_or(false);
                let schema = node.get("schema").map(|s| (s, format!("{pointer}/schema")));
                let param = Param {
                    name: name.to_owned(),
                    location: location.to_owned(),
                    required,
                    schema,
                    loc: Loc::of(&pointer, item),
                };
                out.retain(|p| !(p.name == param.name && p.location == param.location));
                out.push(param);
            }
        }
        out
    }

    fn parameters(&mut self, op: &str, base: Vec<Param<'d>>, rev: Vec<Param<'d>>, rev_op: Loc) {
        let mut used = vec![false; rev.len()];
        for b in &base {
            let same = rev
                .iter()
                .position(|r| r.name == b.name && r.location == b.location);
            let moved = rev.iter().position(|r| {
                r.name == b.name
                    && r.location != b.location
                    && !base
                        .iter()
                        .any(|o| o.name == r.name && o.location == r.location)
            });
            let what = format!("{op}: {} parameter `{}`", b.location, b.name);
            match (same, moved) {
                (Some(i), _) => {
                    used[i] = true;
                    let r = &rev[i];
                    if !b.required && r.required {
                        self.emit(
                            "request-parameter-became-required",
                            format!("{what} became required"),
                            Some(b.loc.clone()),
                            Some(r.loc.clone()),
                        );
                    } else if b.required && !r.required {
                        self.emit(
                            "request-parameter-became-optional",
                            format!("{what} became optional"),
                            Some(b.loc.clone()),
                            Some(r.loc.clone()),
                        );
                    }
                    if let (Some(bs), Some(rs)) = (&b.schema, &r.schema) {
                        self.schema(true, &what, bs.clone(), rs.clone());
                    }
                }
                (None, Some(i)) => {
                    used[i] = true;
                    let message = format!("{what} moved to {}", rev[i].location);
                    self.emit(
                        "request-parameter-location-changed",
                        message,
                        Some(b.loc.clone()),
                        Some(rev[i].loc.clone()),
                    );
                }
                (None, None) => self.emit(
                    "request-parameter-removed",
                    format!("{what} was removed"),
                    Some(b.loc.clone()),
                    Some(rev_op.clone()),
                ),
            }
        }
        for (r, _) in rev.iter().zip(used).filter(|(_, used)| !used) {
            let what = format!("{op}: {} parameter `{}`", r.location, r.name);
            if r.required {
                self.emit(
                    "request-parameter-added-required",
                    format!("{what} is new and required"),
                    None,
                    Some(r.loc.clone()),
                );
            } else {
                self.emit(
                    "request-parameter-added",
                    format!("{what} is new"),
                    None,
                    Some(r.loc.clone()),
                );
            }
        }
    }

    fn request_body(
        &mut self,
        op: &str,
        (b_op, b_ptr): (&'d Node, String),
        (r_op, r_ptr): (&'d Node, String),
    ) {
        let b = match b_op.get("requestBody") {
            Some(n) => self.resolve_base(n, format!("{b_ptr}/requestBody")),
            None => None,
        };
        let r = match r_op.get("requestBody") {
            Some(n) => self.resolve_rev(n, format!("{r_ptr}/requestBody")),
            None => None,
        };
        let required = |n: &Node| n.get("required").and_then(Node::boolean).unwrap_or(false);
        match (b, r) {
            (None, Some((r, ptr))) => {
                let rule = if required(r) {
                    "request-body-added-required"
                } else {
                    "request-body-added"
                };
                self.emit(
                    rule,
                    format!(
                        "{op}: a request body is new{}",
                        if required(r) { " and required" } else { "" }
                    ),
                    Some(Loc::of(&b_ptr, b_op)),
                    Some(Loc::of(&ptr, r)),
                );
            }
            (Some((b, b_ptr)), Some((r, r_ptr))) => {
                if !required(b) && required(r) {
                    self.emit(
                        "request-body-became-required",
                        format!("{op}: the request body became required"),
                        Some(Loc::of(&b_ptr, b)),
                        Some(Loc::of(&r_ptr, r)),
                    );
                }
                self.content(true, &format!("{op} request body"), (b, b_ptr), (r, r_ptr));
            }
            // A body clients may still send and the server now ignores is not compared.
            (Some(_), None) | (None, None) => {}
        }
    }

    fn responses(
        &mut self,
        op: &str,
        (b_op, b_ptr): (&'d Node, String),
        (r_op, r_ptr): (&'d Node, String),
    ) {
        let b_responses = b_op.get("responses").unwrap_or(&EMPTY);
        let r_responses = r_op.get("responses").unwrap_or(&EMPTY);
        let r_loc = key_loc(r_op, "responses", &r_ptr);
        for (status, key, response) in entries(b_responses) {
            let b_resp_ptr = format!("{b_ptr}/responses/{}", escape(status));
            match entries(r_responses).find(|(s, _, _)| *s == status) {
                None => self.emit(
                    "response-status-removed",
                    format!("{op}: response {status} was removed"),
                    Some(Loc::of(&b_resp_ptr, key)),
                    Some(r_loc.clone()),
                ),
                Some((_, _, r_response)) => {
                    let r_resp_ptr = format!("{r_ptr}/responses/{}", escape(status));
                    let (Some(b), Some(r)) = (
                        self.resolve_base(response, b_resp_ptr),
                        self.resolve_rev(r_response, r_resp_ptr),
                    ) else {
                        continue;
                    };
                    self.content(false, &format!("{op} response {status}"), b, r);
                }
            }
        }
        for (status, key, _) in
            entries(r_responses).filter(|(s, _, _)| b_responses.get(s).is_none())
        {
            let ptr = format!("{r_ptr}/responses/{}", escape(status));
            self.emit(
                "response-status-added",
                format!("{op}: response {status} is new"),
                None,
                Some(Loc::of(&ptr, key)),
            );
        }
    }

    /// The media types of a request body or response, and their schemas.
    fn content(
        &mut self,
        request: bool,
        what: &str,
        (b, b_ptr): (&'d Node, String),
        (r, r_ptr): (&'d Node, String),
    ) {
        let b_content = b.get("content").unwrap_or(&EMPTY);
        let r_content = r.get("content").unwrap_or(&EMPTY);
        let side = if request { "request" } else { "response" };
        for (media, key, b_media) in entries(b_content) {
            let b_media_ptr = format!("{b_ptr}/content/{}", escape(media));
            match entries(r_content).find(|(m, _, _)| *m == media) {
                None => {
                    let rule = if request {
                        "request-content-type-removed"
                    } else {
                        "response-content-type-removed"
                    };
                    self.emit(
                        rule,
                        format!("{what}: {media} was removed"),
                        Some(Loc::of(&b_media_ptr, key)),
                        Some(key_loc(r, "content", &r_ptr)),
                    );
                }
                Some((_, _, r_media)) => {
                    let r_media_ptr = format!("{r_ptr}/content/{}", escape(media));
                    if let (Some(bs), Some(rs)) = (b_media.get("schema"), r_media.get("schema")) {
                        self.schema(
                            request,
                            &format!("{what} ({media})"),
                            (bs, format!("{b_media_ptr}/schema")),
                            (rs, format!("{r_media_ptr}/schema")),
                        );
                    }
                }
            }
        }
        for (media, key, _) in entries(r_content).filter(|(m, _, _)| b_content.get(m).is_none()) {
            let ptr = format!("{r_ptr}/content/{}", escape(media));
            self.emit(
                if request {
                    "request-content-type-added"
                } else {
                    "response-content-type-added"
                },
                format!("{what}: {media} is new ({side})"),
                None,
                Some(Loc::of(&ptr, key)),
            );
        }
    }

    /// Security requirements are alternatives, each a set of schemes. A client that met a
    /// base alternative must still meet one of the revision's with the same schemes.
    fn security(
        &mut self,
        op: &str,
        (b_op, b_ptr): (&'d Node, String),
        (r_op, r_ptr): (&'d Node, String),
    ) {
        let alternatives = |doc: &Doc, op: &Node| -> Vec<BTreeSet<String>> {
            let list = op.get("security").or_else(|| doc.root.get("security"));
            match list.and_then(Node::seq) {
                None => vec![BTreeSet::new()],
                Some([]) => vec![BTreeSet::new()],
                Some(items) => items
                    .iter()
                    .map(|req| entries(req).map(|(name, _, _)| name.to_owned()).collect())
                    .collect(),
            }
        };
        let (base, rev) = (alternatives(self.base, b_op), alternatives(self.rev, r_op));
        let b_loc = key_loc(b_op, "security", &b_ptr);
        let r_loc = key_loc(r_op, "security", &r_ptr);
        let show = |alt: &BTreeSet<String>| {
            if alt.is_empty() {
                "no authentication".to_owned()
            } else {
                alt.iter().cloned().collect::<Vec<_>>().join(" + ")
            }
        };
        for alt in &base {
            if !rev.iter().any(|r| r.is_subset(alt)) {
                let now: Vec<String> = rev.iter().map(show).collect();
                self.emit(
                    "security-requirement-added",
                    format!(
                        "{op}: clients using {} must now use {}",
                        show(alt),
                        now.join(" or ")
                    ),
                    Some(b_loc.clone()),
                    Some(r_loc.clone()),
                );
            }
        }
        // A new alternative accepts more clients, unless it only adds schemes to an old one.
        for alt in &rev {
            if !base.contains(alt) && !base.iter().any(|b| b.is_subset(alt)) {
                self.emit(
                    "security-requirement-removed",
                    format!("{op}: {} is accepted now", show(alt)),
                    Some(b_loc.clone()),
                    Some(r_loc.clone()),
                );
            }
        }
    }
}

/// The location of `key` in `map` (the map itself when the key is absent).
fn key_loc(map: &Node, key: &str, map_ptr: &str) -> Loc {
    match entries(map).find(|(k, _, _)| *k == key) {
        Some((_, k, _)) => Loc::of(&format!("{map_ptr}/{}", escape(key)), k),
        None => Loc::of(map_ptr, map),
    }
}
