//! `oneOf`/`anyOf` alternatives and `allOf` members. Alternatives are matched by their
//! `$ref`, then by their shape (their types), so a reordered, extended or wrapped
//! composition compares member by member: a request may only gain alternatives, a response
//! only lose them. A schema that becomes a oneOf (or stops being one) is a set of one.

use super::super::Compare;
use super::super::doc::Loc;
use super::canon::canon;
use super::{View, loc};
use crate::yaml::Node;

/// One alternative, as written (its `$ref` not yet followed).
#[derive(Clone)]
pub(in super::super) struct Member<'d> {
    pub node: &'d Node,
    pub pointer: String,
}

/// How a member is recognised on the other side: its `$ref`, else its shape.
pub(super) fn identity(node: &Node) -> String {
    match node.get("$ref").and_then(Node::scalar) {
        Some(target) => target.to_owned(),
        None => shape(node),
    }
}

/// What kind of value a schema is, for matching alternatives that are not references.
fn shape(node: &Node) -> String {
    if let Some(types) = node.get("type") {
        let mut names: Vec<String> = match types.seq() {
            Some(items) => items.iter().map(canon).collect(),
            None => vec![canon(types)],
        };
        names.sort();
        return format!("type {}", names.join(" | "));
    }
    if let Some(value) = node.get("const") {
        return format!("const {}", canon(value));
    }
    if node.get("properties").is_some() {
        return "type object".into();
    }
    canon(node)
}

impl<'d> Compare<'d> {
    pub(super) fn composition(&mut self, request: bool, what: &str, b: &View<'d>, r: &View<'d>) {
        match (&b.alternatives, &r.alternatives) {
            (Some((b_kind, b_members)), Some((r_kind, r_members))) => {
                if b_kind != r_kind {
                    self.emit(
                        "schema-composition-changed",
                        format!("{what}: {b_kind} became {r_kind}"),
                        Some(loc(b)),
                        Some(loc(r)),
                    );
                }
                self.alternatives(request, what, b_members, r_members);
            }
            (None, Some((kind, _))) => {
                let (rule, note) = if request {
                    ("request-subschema-added", "values must now match")
                } else {
                    ("response-subschema-added", "values now match")
                };
                self.emit(
                    rule,
                    format!("{what}: {note} one of a new `{kind}`"),
                    Some(loc(b)),
                    Some(loc(r)),
                );
            }
            (Some((kind, _)), None) => {
                let (rule, note) = if request {
                    ("request-subschema-removed", "values need no longer match")
                } else {
                    ("response-subschema-removed", "values no longer match")
                };
                self.emit(
                    rule,
                    format!("{what}: {note} one of its `{kind}`"),
                    Some(loc(b)),
                    Some(loc(r)),
                );
            }
            (None, None) => {}
        }
        let missing = |from: &[String], to: &[String]| -> Vec<String> {
            let mut left = to.to_vec();
            let mut out = Vec::new();
            for id in from {
                match left.iter().position(|x| x == id) {
                    Some(i) => {
                        left.remove(i);
                    }
                    None => out.push(id.clone()),
                }
            }
            out
        };
        if request {
            for id in missing(&r.all_of, &b.all_of) {
                let message = format!("{what}: values must now also match the allOf member {id}");
                self.emit("request-all-of-added", message, Some(loc(b)), Some(loc(r)));
            }
        } else {
            for id in missing(&b.all_of, &r.all_of) {
                let message = format!("{what}: values no longer match the allOf member {id}");
                self.emit(
                    "response-all-of-removed",
                    message,
                    Some(loc(b)),
                    Some(loc(r)),
                );
            }
        }
    }

    /// Matches the alternatives of both sides and compares each pair.
    pub(super) fn alternatives(
        &mut self,
        request: bool,
        what: &str,
        base: &[Member<'d>],
        rev: &[Member<'d>],
    ) {
        let keys = |c: &mut Self,
                    in_base: bool,
                    members: &[Member<'d>]|
         -> Vec<(Option<String>, String)> {
            members
                .iter()
                .map(|m| {
                    let reference = m.node.get("$ref").and_then(Node::scalar).map(str::to_owned);
                    let doc = if in_base { c.base } else { c.rev };
                    let target = doc.target(m.node);
                    (reference, shape(target))
                })
                .collect()
        };
        let (b_keys, r_keys) = (keys(self, true, base), keys(self, false, rev));
        let mut pairs: Vec<Option<usize>> = vec![None; base.len()];
        let mut used = vec![false; rev.len()];
        for by_reference in [true, false] {
            for (i, b) in b_keys.iter().enumerate() {
                if pairs[i].is_some() {
                    continue;
                }
                let found = r_keys.iter().enumerate().position(|(j, r)| {
                    !used[j]
                        && if by_reference {
                            b.0.is_some() && b.0 == r.0
                        } else {
                            b.1 == r.1
                        }
                });
                if let Some(j) = found {
                    pairs[i] = Some(j);
                    used[j] = true;
                }
            }
        }
        let at = |m: &Member<'d>| Loc::of(&m.pointer, m.node);
        let name = |k: &(Option<String>, String)| k.0.clone().unwrap_or_else(|| k.1.clone());
        for (i, pair) in pairs.iter().enumerate() {
            match pair {
                Some(j) => {
                    let (b, r) = (&base[i], &rev[*j]);
                    self.schema(
                        request,
                        &format!("{what} (alternative {})", j + 1),
                        (b.node, b.pointer.clone()),
                        (r.node, r.pointer.clone()),
                    );
                }
                None => {
                    let (rule, note) = if request {
                        ("request-alternative-removed", "is no longer accepted")
                    } else {
                        ("response-alternative-removed", "is no longer returned")
                    };
                    let message = format!("{what}: the alternative {} {note}", name(&b_keys[i]));
                    let rev_at = rev.first().map_or_else(
                        || Loc {
                            pointer: "#".into(),
                            line: 1,
                        },
                        at,
                    );
                    self.emit(rule, message, Some(at(&base[i])), Some(rev_at));
                }
            }
        }
        for (j, _) in used.iter().enumerate().filter(|(_, u)| !**u) {
            let (rule, note) = if request {
                ("request-alternative-added", "is accepted now")
            } else {
                (
                    "response-alternative-added",
                    "may be returned now; clients may not handle it",
                )
            };
            let message = format!("{what}: the alternative {} {note}", name(&r_keys[j]));
            let base_at = base.first().map_or_else(
                || Loc {
                    pointer: "#".into(),
                    line: 1,
                },
                at,
            );
            self.emit(rule, message, Some(base_at), Some(at(&rev[j])));
        }
    }
}
