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
            self.emit(rule, message, Some(loc(&base)), Some(loc(&rev)));
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
                self.emit(
                    "schema-composition-changed",
                    message,
                    Some(loc(&base)),
                    Some(loc(&rev)),
                );
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
        let change = || format!("{} → {}", show(&base.types), show(&rev.types));
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
                    format!(
                        "{what}: type {}; values clients send may be refused",
                        change()
                    ),
                    Some(loc(base)),
                    Some(loc(rev)),
                );
            } else if widened {
                self.emit(
                    "request-type-widened",
                    format!("{what}: type {}", change()),
                    Some(loc(base)),
                    Some(loc(rev)),
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
                    format!(
                        "{what}: type {}; clients may not parse what they get",
                        change()
                    ),
                    Some(loc(base)),
                    Some(loc(rev)),
                );
            }
        }
    }

    fn enumeration(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
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
                        Some(loc(base)),
                        Some(loc(rev)),
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
                        Some(loc(base)),
                        Some(loc(rev)),
                    );
                }
            }
            (None, Some(r)) if request => {
                let message = format!("{what}: now restricted to {} values", r.len());
                self.emit(
                    "request-constraint-tightened",
                    message,
                    Some(loc(base)),
                    Some(loc(rev)),
                );
            }
            (Some(_), None) if request => self.emit(
                "request-constraint-relaxed",
                format!("{what}: no longer restricted to an enum"),
                Some(loc(base)),
                Some(loc(rev)),
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
            let Some(tighter) = tighter else { continue };
            let show = |x: Option<f64>| x.map_or("none".to_owned(), |x| x.to_string());
            let message = format!("{what}: {name} {} → {}", show(b), show(r));
            let rule = if tighter {
                "request-constraint-tightened"
            } else {
                "request-constraint-relaxed"
            };
            self.emit(rule, message, Some(loc(base)), Some(loc(rev)));
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

    /// Folds one schema node into `view`, in one pass over its keys (this runs for every
    /// schema of both documents).
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
        let mut types: Option<BTreeSet<String>> = None;
        let mut nullable = false;
        let mut all_of: &'d [Node] = &[];
        for (key, key_node, value) in entries(node) {
            match key {
                "type" => {
                    types = Some(match value.seq() {
                        Some(items) => items
                            .iter()
                            .filter_map(Node::scalar)
                            .map(str::to_owned)
                            .collect(),
                        None => value.scalar().into_iter().map(str::to_owned).collect(),
                    })
                }
                "nullable" => nullable = value.boolean() == Some(true),
                "format" => view.format = value.scalar(),
                "enum" => {
                    view.enumeration = value.seq().map(|values| {
                        values
                            .iter()
                            .map(|v| v.scalar().unwrap_or("?").to_owned())
                            .collect()
                    })
                }
                "properties" => {
                    view.properties_at = Some(Loc::of(&format!("{pointer}/properties"), key_node));
                    for (name, key, schema) in entries(value) {
                        let ptr = format!("{pointer}/properties/{}", escape(name));
                        view.properties.retain(|(n, _, _, _)| *n != name);
                        view.properties.push((name, key, schema, ptr));
                    }
                }
                "required" => view.required.extend(
                    value
                        .seq()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(Node::scalar)
                        .map(str::to_owned),
                ),
                "items" => view.items = Some((value, format!("{pointer}/items"))),
                "oneOf" | "anyOf" => {
                    view.alternatives = value.seq().map(|members| {
                        members
                            .iter()
                            .enumerate()
                            .map(|(i, m)| (m, format!("{pointer}/{key}/{i}")))
                            .collect()
                    });
                }
                "allOf" => all_of = value.seq().unwrap_or_default(),
                bound => {
                    if let Some(name) = UPPER.iter().chain(&LOWER).find(|b| **b == bound)
                        && let Some(x) = value.scalar().and_then(|s| s.parse::<f64>().ok())
                    {
                        view.bounds.retain(|(n, _)| n != name);
                        view.bounds.push((name, x));
                    }
                }
            }
        }
        if let Some(mut types) = types {
            if nullable {
                types.insert("null".into());
            }
            view.types = Some(match view.types.take() {
                // allOf: a value must satisfy every member.
                Some(existing) => existing.intersection(&types).cloned().collect(),
                None => types,
            });
        }
        for (i, member) in all_of.iter().enumerate() {
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

fn loc(view: &View<'_>) -> Loc {
    match view.node {
        Some(node) => Loc::of(&view.pointer, node),
        None => Loc {
            pointer: view.pointer.clone(),
            line: 1,
        },
    }
}
