//! The merged view of a schema: `$ref`s followed, `allOf` members folded in, every keyword
//! the comparison reads collected in one pass over the keys (this runs for every schema of
//! both documents, so it allocates only for keywords that are present).

use super::super::Compare;
use super::super::doc::{Loc, entries, escape};
use super::View;
use super::canon::canon;
use super::composition::{self, Member};
use crate::yaml::Node;
use std::collections::BTreeSet;

/// Upper bounds (lowering them tightens) and lower bounds (raising them tightens).
pub(super) const UPPER: [&str; 6] = [
    "maxLength",
    "maximum",
    "exclusiveMaximum",
    "maxItems",
    "maxProperties",
    "maxContains",
];
pub(super) const LOWER: [&str; 6] = [
    "minLength",
    "minimum",
    "exclusiveMinimum",
    "minItems",
    "minProperties",
    "minContains",
];

/// Keywords whose value is one sub-schema, compared in place.
const SINGLE: [&str; 10] = [
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "not",
    "then",
    "else",
    "contains",
    "propertyNames",
    "contentSchema",
];

/// Keywords holding a mapping of sub-schemas (by pattern, by property).
const MAPPED: [&str; 2] = ["patternProperties", "dependentSchemas"];

impl<'d> Compare<'d> {
    pub(super) fn view(
        &mut self,
        in_base: bool,
        node: &'d Node,
        pointer: String,
    ) -> Option<View<'d>> {
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

    /// Folds one schema node into `view`.
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
                "enum" => view.enumeration = value.seq().map(|v| v.iter().map(canon).collect()),
                "x-extensible-enum" => {
                    view.extensible_enum = value.seq().map(|v| v.iter().map(canon).collect())
                }
                "const" => view.constant = Some(canon(value)),
                "default" => view.default = Some(canon(value)),
                "pattern" => view.pattern = value.scalar(),
                "contentMediaType" => view.content_media_type = value.scalar(),
                "contentEncoding" => view.content_encoding = value.scalar(),
                "readOnly" => view.read_only = value.boolean() == Some(true),
                "writeOnly" => view.write_only = value.boolean() == Some(true),
                "deprecated" => view.deprecated = value.boolean() == Some(true),
                "x-sunset" => view.sunset = Some(value),
                "properties" => {
                    view.properties_at = Some(Loc::of(&format!("{pointer}/properties"), key_node));
                    for (name, key, schema) in entries(value) {
                        let ptr = format!("{pointer}/properties/{}", escape(name));
                        view.properties.retain(|(n, _, _, _)| *n != name);
                        view.properties.push((name, key, schema, ptr));
                    }
                }
                "required" => view.required.extend(strings(value)),
                "dependentRequired" => {
                    for (name, _, needs) in entries(value) {
                        let pairs = strings(needs).map(|n| (name.to_owned(), n));
                        view.dependent_required.extend(pairs);
                    }
                }
                "if" => view.condition = Some(value),
                "multipleOf" => view.multiple_of = value.scalar().and_then(|s| s.parse().ok()),
                "prefixItems" => {
                    for (i, item) in value.seq().unwrap_or_default().iter().enumerate() {
                        slot(
                            view,
                            format!("prefixItems/{i}"),
                            item,
                            format!("{pointer}/prefixItems/{i}"),
                        );
                    }
                }
                "oneOf" | "anyOf" => {
                    let members = value.seq().unwrap_or_default().iter().enumerate();
                    let members = members.map(|(i, m)| Member {
                        node: m,
                        pointer: format!("{pointer}/{key}/{i}"),
                    });
                    view.alternatives = Some((key, members.collect()));
                }
                "allOf" => all_of = value.seq().unwrap_or_default(),
                single if SINGLE.contains(&single) => {
                    slot(
                        view,
                        single.to_owned(),
                        value,
                        format!("{pointer}/{single}"),
                    );
                }
                mapped if MAPPED.contains(&mapped) => {
                    for (name, _, schema) in entries(value) {
                        let name = format!("{mapped}/{}", escape(name));
                        let ptr = format!("{pointer}/{name}");
                        slot(view, name, schema, ptr);
                    }
                }
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
            view.all_of.push(composition::identity(member));
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

fn slot<'d>(view: &mut View<'d>, name: String, node: &'d Node, pointer: String) {
    view.slots.retain(|(n, _, _)| *n != name);
    view.slots.push((name, node, pointer));
}

fn strings(node: &Node) -> impl Iterator<Item = String> + '_ {
    let items = node.seq().unwrap_or_default();
    items.iter().filter_map(Node::scalar).map(str::to_owned)
}
