//! Sub-schemas: `items`, `prefixItems`, `additionalProperties`, `patternProperties`,
//! `unevaluatedProperties`/`Items`, `not`, `if`/`then`/`else`, `contains`, `propertyNames`,
//! `dependentSchemas` and `contentSchema`. Present on both sides they are compared in place
//! (inside `not` the direction turns round); added or removed they tighten or loosen.

use super::super::Compare;
use super::super::doc::Loc;
use super::canon::canon;
use super::{View, loc};
use crate::yaml::Node;

/// One side of a slot: `true` and an absent keyword both accept anything.
enum Side<'d> {
    Anything,
    Nothing,
    Schema(&'d Node, String),
}

fn side<'d>(view: &View<'d>, name: &str) -> Side<'d> {
    match view.slots.iter().find(|(n, _, _)| n == name) {
        None => Side::Anything,
        Some((_, node, ptr)) => match node.boolean() {
            Some(true) => Side::Anything,
            Some(false) => Side::Nothing,
            None => Side::Schema(node, ptr.clone()),
        },
    }
}

/// The slot's own location, else the schema's.
fn at(view: &View<'_>, name: &str) -> Loc {
    match view.slots.iter().find(|(n, _, _)| n == name) {
        Some((_, node, ptr)) => Loc::of(ptr, node),
        None => loc(view),
    }
}

/// Slots whose loosening in a response only lets more properties through, which clients
/// ignore (as they do new properties).
const OPEN_ENDED: [&str; 2] = ["additionalProperties", "unevaluatedProperties"];

impl<'d> Compare<'d> {
    pub(super) fn slots(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        if let (Some(b), Some(r)) = (base.condition, rev.condition)
            && canon(b) != canon(r)
        {
            let message = format!(
                "{what}: the `if` condition changed from {} to {}",
                canon(b),
                canon(r)
            );
            self.emit(
                "schema-condition-changed",
                message,
                Some(loc(base)),
                Some(loc(rev)),
            );
        }
        let names = base
            .slots
            .iter()
            .chain(&rev.slots)
            .map(|(n, _, _)| n.as_str());
        let mut seen: Vec<&str> = Vec::new();
        for name in names {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let label = match (name, name.strip_prefix("prefixItems/")) {
                ("items", _) => format!("{what}[]"),
                (_, Some(i)) => format!("{what}[{i}]"),
                _ => format!("{what} `{name}`"),
            };
            let tighter = match (side(base, name), side(rev, name)) {
                (Side::Schema(b, b_ptr), Side::Schema(r, r_ptr)) => {
                    let direction = if name == "not" { !request } else { request };
                    self.schema(direction, &label, (b, b_ptr), (r, r_ptr));
                    continue;
                }
                (Side::Anything, Side::Anything) | (Side::Nothing, Side::Nothing) => continue,
                (Side::Anything, _) | (Side::Schema(..), Side::Nothing) => true,
                (Side::Nothing, _) | (Side::Schema(..), Side::Anything) => false,
            };
            let dependency = name.starts_with("dependentSchemas/");
            let (rule, note) = match (request, tighter) {
                (true, true) if dependency => ("request-dependency-added", "a new dependency"),
                (false, false) if dependency => {
                    ("response-dependency-removed", "a dependency removed")
                }
                _ if dependency => continue,
                (false, false) if OPEN_ENDED.contains(&name) => continue,
                (true, true) => ("request-subschema-added", "values must now match it"),
                (true, false) => ("request-subschema-removed", "relaxed"),
                (false, false) => (
                    "response-subschema-removed",
                    "values no longer match it; clients relied on it",
                ),
                (false, true) => ("response-subschema-added", "values now match it"),
            };
            let message = format!("{label}: {note}");
            self.emit(rule, message, Some(at(base, name)), Some(at(rev, name)));
        }
    }
}
