//! Schema comparison, aware of direction: what a server accepts (requests) may only widen,
//! what it returns (responses) may only narrow. `allOf` members are merged, `$ref` cycles end
//! at the first pair of definitions already compared.

use super::Compare;
use super::doc::{Loc, entries, escape};
use crate::yaml::Node;
use std::collections::BTreeSet;

/// Upper bounds (lowering them tightens) and lower bounds (raising them tightens).
const UPPER: [&str; 4] = ["maxLength", "maximum", "exclusiveMaximum", "maxItems"];
const LOWER: [&str; 4] = ["minLength", "minimum", "exclusiveMinimum", "minItems"];

/// What a schema says, `allOf` merged.
#[derive(Default)]
struct View<'d> {
    types: Option<BTreeSet<String>>,
    format: Option<&'d str>,
    enumeration: Option<Vec<String>>,
    /// (name, key node, schema node, pointer of the schema)
    properties: Vec<(&'d str, &'d Node, &'d Node, String)>,
    required: BTreeSet<String>,
    items: Option<(&'d Node, String)>,
    alternatives: Option<Vec<(&'d Node, String)>>,
    bounds: Vec<(&'static str, f64)>,
    node: Option<&'d Node>,
    pointer: String,
    /// The `properties` key, where a removed property is reported in the revision.
    properties_at: Option<Loc>,
}

impl<'d> Compare<'d> {
    /// Compares two schemas; `request` is the direction, `what` names the value in messages.
    pub(super) fn schema(
        &mut self,
        request: bool,
        what: &str,
        base: (&'d Node, String),
        rev: (&'d Node, String),
    ) {
        let Some(base) = self.view(true, base.0, base.1) else {
            return;
        };
        let Some(rev) = self.view(false, rev.0, rev.1) else {
            return;
        };
        if !self
            .visited
            .insert((base.pointer.clone(), rev.pointer.clone(), request))
        {
            return;
        }
        let (b_loc, r_loc) = (Some(loc(&base)), Some(loc(&rev)));
        self.types(request, what, &base, &rev);
        if base.format != rev.format && rev.format.is_some() {
            let (rule, verb) = if request {
                ("request-format-changed", "accepts")
            } else {
                ("response-format-changed", "returns")
            };
            let message = format!(
                "{what} {verb} format {} instead of {}",
                rev.format.unwrap_or("any"),
                base.format.unwrap_or("any")
            );
            self.emit(rule, message, b_loc.clone(), r_loc.clone());
        }
        self.enumeration(request, what, &base, &rev);
        if request {
            self.bounds(what, &base, &rev);
        }
        self.properties(request, what, &base, &rev);
        if let (Some(b), Some(r)) = (base.items.clone(), rev.items.clone()) {
            self.schema(request, &format!("{what}[]"), b, r);
        }
        match (&base.alternatives, &rev.alternatives) {
            (Some(b), Some(r)) if b.len() == r.len() => {
                for (i, (b, r)) in b.iter().zip(r).enumerate() {
                    self.schema(
                        request,
                        &format!("{what} (alternative {})", i + 1),
                        b.clone(),
                        r.clone(),
                    );
                }
            }
            (None, None) => {}
            _ => {
                let count = |a: &Option<Vec<_>>| a.as_ref().map_or(0, Vec::len);
                let message = format!(
                    "{what}: oneOf/anyOf alternatives changed ({} → {})",
                    count(&base.alternatives),
                    count(&rev.alternatives)
                );
                self.emit("schema-composition-changed", message, b_loc, r_loc);
            }
        }
    }

    fn types(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        let accepts = |set: &BTreeSet<String>, t: &str| {
            set.contains(t) || (t == "integer" && set.contains("number"))
        };
        let show = |t: &Option<BTreeSet<String>>| {
            t.as_ref().map_or("any".to_owned(), |t| {
                t.iter().cloned().collect::<Vec<_>>().join(" | ")
            })
        };
        let (b_loc, r_loc) = (Some(loc(base)), Some(loc(rev)));
        let change = format!("{} → {}", show(&base.types), show(&rev.types));
        if request {
            let narrowed = match (&base.types, &rev.types) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(b), Some(r)) => b.iter().any(|t| !accepts(r, t)),
            };
            let widened = match (&base.types, &rev.types) {
                (Some(_), None) => true,
                (Some(b), Some(r)) => r.iter().any(|t| !accepts(b, t)),
                _ => false,
            };
            if narrowed {
                self.emit(
                    "request-type-narrowed",
                    format!("{what}: type {change}; values clients send may be refused"),
                    b_loc,
                    r_loc,
                );
            } else if widened {
                self.emit(
                    "request-type-widened",
                    format!("{what}: type {change}"),
                    b_loc,
                    r_loc,
                );
            }
        } else {
            let changed = match (&base.types, &rev.types) {
                (_, None) => base.types.is_some(),
                (None, Some(_)) => false,
                (Some(b), Some(r)) => r.iter().any(|t| !accepts(b, t)),
            };
            if changed {
                self.emit(
                    "response-type-changed",
                    format!("{what}: type {change}; clients may not parse what they get"),
                    b_loc,
                    r_loc,
                );
            }
        }
    }

    fn enumeration(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        let (b_loc, r_loc) = (Some(loc(base)), Some(loc(rev)));
        match (&base.enumeration, &rev.enumeration) {
            (Some(b), Some(r)) => {
                let removed: Vec<&String> = b.iter().filter(|v| !r.contains(v)).collect();
                let added: Vec<&String> = r.iter().filter(|v| !b.contains(v)).collect();
                let list = |v: &[&String]| {
                    v.iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                if !removed.is_empty() {
                    let rule = if request {
                        "request-enum-value-removed"
                    } else {
                        "response-enum-value-removed"
                    };
                    self.emit(
                        rule,
                        format!("{what}: enum value {} removed", list(&removed)),
                        b_loc.clone(),
                        r_loc.clone(),
                    );
                }
                if !added.is_empty() {
                    let rule = if request {
                        "request-enum-value-added"
                    } else {
                        "response-enum-value-added"
                    };
                    self.emit(
                        rule,
                        format!("{what}: enum value {} added", list(&added)),
                        b_loc,
                        r_loc,
                    );
                }
            }
            (None, Some(r)) if request => {
                let message = format!("{what}: now restricted to {} values", r.len());
                self.emit("request-constraint-tightened", message, b_loc, r_loc);
            }
            (Some(_), None) if request => self.emit(
                "request-constraint-relaxed",
                format!("{what}: no longer restricted to an enum"),
                b_loc,
                r_loc,
            ),
            _ => {}
        }
    }

    fn bounds(&mut self, what: &str, base: &View<'d>, rev: &View<'d>) {
        let get =
            |v: &View<'d>, name: &str| v.bounds.iter().find(|(n, _)| *n == name).map(|(_, x)| *x);
        for name in UPPER.iter().chain(&LOWER) {
            let upper = UPPER.contains(name);
            let (b, r) = (get(base, name), get(rev, name));
            let tighter = match (b, r) {
                (None, Some(_)) => Some(true),
                (Some(_), None) => Some(false),
                (Some(b), Some(r)) if b != r => Some(if upper { r < b } else { r > b }),
                _ => None,
            };
            let show = |x: Option<f64>| x.map_or("none".to_owned(), |x| x.to_string());
            let message = format!("{what}: {name} {} → {}", show(b), show(r));
            match tighter {
                Some(true) => self.emit(
                    "request-constraint-tightened",
                    message,
                    Some(loc(base)),
                    Some(loc(rev)),
                ),
                Some(false) => self.emit(
                    "request-constraint-relaxed",
                    message,
                    Some(loc(base)),
                    Some(loc(rev)),
                ),
                None => {}
            }
        }
    }

    fn properties(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        let props_loc = |v: &View<'d>| v.properties_at.clone().unwrap_or_else(|| loc(v));
        for (name, b_key, b_schema, b_ptr) in &base.properties {
            let field = format!("{what}: property `{name}`");
            let b_loc = Loc::of(
                &format!("{}/properties/{}", base.pointer, escape(name)),
                b_key,
            );
            match rev.properties.iter().find(|(n, _, _, _)| n == name) {
                None => {
                    let rule = if request {
                        "request-property-removed"
                    } else {
                        "response-property-removed"
                    };
                    self.emit(
                        rule,
                        format!("{field} was removed"),
                        Some(b_loc),
                        Some(props_loc(rev)),
                    );
                }
                Some((_, r_key, r_schema, r_ptr)) => {
                    let r_loc = Loc::of(
                        &format!("{}/properties/{}", rev.pointer, escape(name)),
                        r_key,
                    );
                    let (was, is) = (base.required.contains(*name), rev.required.contains(*name));
                    if request && !was && is {
                        self.emit(
                            "request-property-became-required",
                            format!("{field} became required"),
                            Some(b_loc.clone()),
                            Some(r_loc.clone()),
                        );
                    }
                    if !request && was && !is {
                        self.emit(
                            "response-property-became-optional",
                            format!("{field} became optional"),
                            Some(b_loc.clone()),
                            Some(r_loc.clone()),
                        );
                    }
                    let nested = format!("{what}.{name}");
                    self.schema(
                        request,
                        &nested,
                        (b_schema, b_ptr.clone()),
                        (r_schema, r_ptr.clone()),
                    );
                }
            }
        }
        for (name, r_key, _, _) in rev
            .properties
            .iter()
            .filter(|(n, _, _, _)| !base.properties.iter().any(|(b, _, _, _)| b == n))
        {
            let field = format!("{what}: property `{name}`");
            let r_loc = Some(Loc::of(
                &format!("{}/properties/{}", rev.pointer, escape(name)),
                r_key,
            ));
            let (rule, note) = match (request, rev.required.contains(*name)) {
                (true, true) => ("request-property-added-required", " and required"),
                (true, false) => ("request-property-added", ""),
                (false, _) => ("response-property-added", ""),
            };
            self.emit(
                rule,
                format!("{field} is new{note}"),
                Some(props_loc(base)),
                r_loc,
            );
        }
    }

    /// The merged view of a schema (`$ref`s followed, `allOf` members folded in).
    fn view(&mut self, in_base: bool, node: &'d Node, pointer: String) -> Option<View<'d>> {
        let (node, pointer) = if in_base {
            self.resolve_base(node, pointer)?
        } else {
            self.resolve_rev(node, pointer)?
        };
        let mut view = View {
            node: Some(node),
            pointer: pointer.clone(),
            ..View::default()
        };
        self.fold(in_base, node, &pointer, &mut view, 0);
        Some(view)
    }

    fn fold(
        &mut self,
        in_base: bool,
        node: &'d Node,
        pointer: &str,
        view: &mut View<'d>,
        depth: usize,
    ) {
        if depth > 32 {
            return;
        }
        if let Some(t) = node.get("type") {
            let mut types: BTreeSet<String> = match t.seq() {
                Some(items) => items
                    .iter()
                    .filter_map(Node::scalar)
                    .map(str::to_owned)
                    .collect(),
                None => t.scalar().into_iter().map(str::to_owned).collect(),
            };
            if node.get("nullable").and_then(Node::boolean) == Some(true) {
                types.insert("null".into());
            }
            view.types = Some(match view.types.take() {
                // allOf: a value must satisfy every member.
                Some(existing) => existing.intersection(&types).cloned().collect(),
                None => types,
            });
        }
        if let Some(format) = node.get("format").and_then(Node::scalar) {
            view.format = Some(format);
        }
        if let Some(values) = node.get("enum").and_then(Node::seq) {
            view.enumeration = Some(
                values
                    .iter()
                    .map(|v| v.scalar().unwrap_or("?").to_owned())
                    .collect(),
            );
        }
        for name in UPPER.iter().chain(&LOWER) {
            if let Some(x) = node
                .get(name)
                .and_then(Node::scalar)
                .and_then(|s| s.parse::<f64>().ok())
            {
                view.bounds.retain(|(n, _)| n != name);
                view.bounds.push((name, x));
            }
        }
        if let Some((_, key, _)) = entries(node).find(|(k, _, _)| *k == "properties") {
            view.properties_at = Some(Loc::of(&format!("{pointer}/properties"), key));
        }
        if let Some(props) = node.get("properties") {
            for (name, key, schema) in entries(props) {
                let ptr = format!("{pointer}/properties/{}", escape(name));
                view.properties.retain(|(n, _, _, _)| *n != name);
                view.properties.push((name, key, schema, ptr));
            }
        }
        if let Some(required) = node.get("required").and_then(Node::seq) {
            view.required
                .extend(required.iter().filter_map(Node::scalar).map(str::to_owned));
        }
        if let Some(items) = node.get("items") {
            view.items = Some((items, format!("{pointer}/items")));
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(members) = node.get(key).and_then(Node::seq) {
                view.alternatives = Some(
                    members
                        .iter()
                        .enumerate()
                        .map(|(i, m)| (m, format!("{pointer}/{key}/{i}")))
                        .collect(),
                );
            }
        }
        if let Some(members) = node.get("allOf").and_then(Node::seq) {
            for (i, member) in members.iter().enumerate() {
                let member_ptr = format!("{pointer}/allOf/{i}");
                let resolved = if in_base {
                    self.resolve_base(member, member_ptr)
                } else {
                    self.resolve_rev(member, member_ptr)
                };
                if let Some((member, member_ptr)) = resolved {
                    self.fold(in_base, member, &member_ptr, view, depth + 1);
                }
            }
        }
    }
}

fn loc(view: &View<'_>) -> Loc {
    match view.node {
        Some(node) => Loc::of(&view.pointer, node),
        None => Loc {
            pointer: view.pointer.clone(),
            line: 1,
        },
    }
}
