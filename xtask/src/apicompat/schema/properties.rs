//! Object properties: added, removed (after deprecation or not), required or optional,
//! `readOnly`/`writeOnly`, and `dependentRequired`. A `readOnly` property is not sent in
//! requests and a `writeOnly` one not returned in responses, so neither side's rules apply
//! to it there.

use super::super::Compare;
use super::super::deprecation::Removal;
use super::super::doc::{Loc, escape};
use super::{View, loc};
use crate::yaml::Node;

/// What a property's schema says of the property itself.
#[derive(Default)]
struct Flags {
    read_only: bool,
    write_only: bool,
}

impl<'d> Compare<'d> {
    fn flags(&self, in_base: bool, schema: &'d Node) -> (Flags, &'d Node) {
        let doc = if in_base { self.base } else { self.rev };
        let node = doc.target(schema);
        let mut flags = Flags::default();
        for (key, value) in node.map().unwrap_or_default() {
            match key.scalar() {
                Some("readOnly") => flags.read_only = value.boolean() == Some(true),
                Some("writeOnly") => flags.write_only = value.boolean() == Some(true),
                _ => {}
            }
        }
        (flags, node)
    }

    pub(super) fn properties(
        &mut self,
        request: bool,
        what: &str,
        base: &View<'d>,
        rev: &View<'d>,
    ) {
        let props_loc = |v: &View<'d>| v.properties_at.clone().unwrap_or_else(|| loc(v));
        // Not part of this side's messages: read-only in requests, write-only in responses.
        let hidden = |f: &Flags| if request { f.read_only } else { f.write_only };
        for (name, b_key, b_schema, b_ptr) in &base.properties {
            let field = format!("{what}: property `{name}`");
            let b_loc = Loc::of(
                &format!("{}/properties/{}", base.pointer, escape(name)),
                b_key,
            );
            let (b_flags, b_node) = self.flags(true, b_schema);
            match rev.properties.iter().find(|(n, _, _, _)| n == name) {
                None if hidden(&b_flags) => {}
                None => {
                    let rule = if request {
                        "request-property-removed"
                    } else {
                        "response-property-removed"
                    };
                    let at = (Some(b_loc), Some(props_loc(rev)));
                    match self.removal(b_node) {
                        Removal::Unannounced => {
                            self.emit(rule, format!("{field} was removed"), at.0, at.1)
                        }
                        judged => self.judge_removal(judged, &field, at.0, at.1),
                    }
                }
                Some((_, r_key, r_schema, r_ptr)) => {
                    let r_loc = Loc::of(
                        &format!("{}/properties/{}", rev.pointer, escape(name)),
                        r_key,
                    );
                    let (r_flags, r_node) = self.flags(false, r_schema);
                    let (was, is) = (base.required.contains(*name), rev.required.contains(*name));
                    let at = || (Some(b_loc.clone()), Some(r_loc.clone()));
                    if request && !b_flags.read_only && r_flags.read_only {
                        let (b, r) = at();
                        self.emit(
                            "request-property-became-read-only",
                            format!(
                                "{field} became readOnly; what clients send is ignored or refused"
                            ),
                            b,
                            r,
                        );
                    } else if !request && !b_flags.write_only && r_flags.write_only {
                        let (b, r) = at();
                        self.emit(
                            "response-property-became-write-only",
                            format!("{field} became writeOnly; it is no longer returned"),
                            b,
                            r,
                        );
                    } else if request && !r_flags.read_only && !was && is {
                        let (b, r) = at();
                        self.emit(
                            "request-property-became-required",
                            format!("{field} became required"),
                            b,
                            r,
                        );
                    } else if !request && !b_flags.write_only && was && !is {
                        let (b, r) = at();
                        self.emit(
                            "response-property-became-optional",
                            format!("{field} became optional"),
                            b,
                            r,
                        );
                    }
                    self.deprecation_added(&field, (b_node, &b_loc), (r_node, &r_loc));
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
        for (name, r_key, r_schema, _) in rev
            .properties
            .iter()
            .filter(|(n, _, _, _)| !base.properties.iter().any(|(b, _, _, _)| b == n))
        {
            let (r_flags, _) = self.flags(false, r_schema);
            let field = format!("{what}: property `{name}`");
            let r_loc = Some(Loc::of(
                &format!("{}/properties/{}", rev.pointer, escape(name)),
                r_key,
            ));
            let required = rev.required.contains(*name) && !hidden(&r_flags);
            let (rule, note) = match (request, required) {
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

    /// `dependentRequired`: a request may not gain dependencies, a response not lose them.
    pub(super) fn dependent_required(
        &mut self,
        request: bool,
        what: &str,
        base: &View<'d>,
        rev: &View<'d>,
    ) {
        let (from, to, rule, note) = if request {
            (
                rev,
                base,
                "request-dependency-added",
                "clients sending it must now also send",
            )
        } else {
            (
                base,
                rev,
                "response-dependency-removed",
                "it no longer comes with",
            )
        };
        for (name, needs) in from.dependent_required.difference(&to.dependent_required) {
            let message =
                format!("{what}: property `{name}`: {note} `{needs}` (dependentRequired)");
            self.emit(rule, message, Some(loc(base)), Some(loc(rev)));
        }
    }
}
