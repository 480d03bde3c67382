//! Parameters: the path item's overridden by the operation's, matched by name and location;
//! added, removed (after deprecation or not), moved, required or optional, and their schemas.

use super::Compare;
use super::deprecation::Removal;
use super::doc::{Doc, Loc};
use crate::yaml::Node;

pub(super) struct Param<'d> {
    /// The parameter object, `$ref` followed.
    node: &'d Node,
    name: String,
    location: String,
    required: bool,
    schema: Option<(&'d Node, String)>,
    loc: Loc,
}

impl<'d> Compare<'d> {
    /// The parameters in effect: the path item's, overridden by the operation's.
    pub(super) fn params(&mut self, doc: &'d Doc, levels: &[(&'d Node, String)]) -> Vec<Param<'d>> {
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
                    node,
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

    pub(super) fn parameters(
        &mut self,
        op: &str,
        base: Vec<Param<'d>>,
        rev: Vec<Param<'d>>,
        rev_op: Loc,
    ) {
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
                    self.deprecation_added(&what, (b.node, &b.loc), (r.node, &r.loc));
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
                (None, None) => {
                    let at = (Some(b.loc.clone()), Some(rev_op.clone()));
                    match self.removal(b.node) {
                        Removal::Unannounced => {
                            let message = format!("{what} was removed");
                            self.emit("request-parameter-removed", message, at.0, at.1);
                        }
                        judged => self.judge_removal(judged, &what, at.0, at.1),
                    }
                }
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
}
