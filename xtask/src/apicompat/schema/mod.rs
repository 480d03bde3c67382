//! Schema comparison, aware of direction: what a server accepts (requests) may only widen,
//! what it returns (responses) may only narrow. Each JSON Schema 2020-12 keyword family has
//! a file of its own; this one walks a pair of schemas through them.

mod bounds;
mod canon;
mod composition;
mod fold;
mod properties;
mod slots;
mod values;

use super::Compare;
use super::doc::Loc;
use crate::yaml::Node;
use std::collections::BTreeSet;

/// What a schema says, `$ref`s followed and `allOf` members folded in.
#[derive(Default)]
pub(super) struct View<'d> {
    pub types: Option<BTreeSet<String>>,
    pub format: Option<&'d str>,
    pub enumeration: Option<Vec<String>>,
    pub extensible_enum: Option<Vec<String>>,
    pub constant: Option<String>,
    pub default: Option<String>,
    pub pattern: Option<&'d str>,
    pub content_media_type: Option<&'d str>,
    pub content_encoding: Option<&'d str>,
    /// (name, key node, schema node, pointer of the schema)
    pub properties: Vec<(&'d str, &'d Node, &'d Node, String)>,
    pub required: BTreeSet<String>,
    /// `dependentRequired`: (property, the property it requires).
    pub dependent_required: BTreeSet<(String, String)>,
    pub bounds: Vec<(&'static str, f64)>,
    pub multiple_of: Option<f64>,
    /// Sub-schemas that constrain the value (`not`, `items`, `prefixItems/0`, ...), by slot.
    pub slots: Vec<(String, &'d Node, String)>,
    /// The `if` of an if/then/else.
    pub condition: Option<&'d Node>,
    /// `oneOf` or `anyOf`, and its members with their identities.
    pub alternatives: Option<(&'d str, Vec<composition::Member<'d>>)>,
    /// The identities of the `allOf` members.
    pub all_of: Vec<String>,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
    pub sunset: Option<&'d Node>,
    pub node: Option<&'d Node>,
    pub pointer: String,
    /// The `properties` key, where a removed property is reported in the revision.
    pub properties_at: Option<Loc>,
}

impl View<'_> {
    /// Whether the schema says anything of its own besides its alternatives.
    fn has_own_shape(&self) -> bool {
        self.types.is_some() || !self.properties.is_empty() || self.enumeration.is_some()
    }
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
        let (b_written, r_written) = (base.0, rev.0);
        let Some(b) = self.view(true, base.0, base.1) else {
            return;
        };
        let Some(r) = self.view(false, rev.0, rev.1) else {
            return;
        };
        if !self
            .visited
            .insert((b.pointer.clone(), r.pointer.clone(), request))
        {
            return;
        }
        // A schema wrapped in (or unwrapped from) oneOf/anyOf: compared as alternatives.
        match (&b.alternatives, &r.alternatives) {
            // The side without alternatives is one, as written (its `$ref` names it).
            (None, Some((_, members))) if !r.has_own_shape() => {
                let whole = composition::Member {
                    node: b_written,
                    pointer: b.pointer.clone(),
                };
                return self.alternatives(request, what, &[whole], members);
            }
            (Some((_, members)), None) if !b.has_own_shape() => {
                let whole = composition::Member {
                    node: r_written,
                    pointer: r.pointer.clone(),
                };
                return self.alternatives(request, what, members, &[whole]);
            }
            _ => {}
        }
        self.types(request, what, &b, &r);
        self.values(request, what, &b, &r);
        self.bounds(request, what, &b, &r);
        self.properties(request, what, &b, &r);
        self.dependent_required(request, what, &b, &r);
        self.slots(request, what, &b, &r);
        self.composition(request, what, &b, &r);
    }
}

pub(super) fn loc(view: &View<'_>) -> Loc {
    match view.node {
        Some(node) => Loc::of(&view.pointer, node),
        None => Loc {
            pointer: view.pointer.clone(),
            line: 1,
        },
    }
}
