//! The keywords that say which values a schema holds: `type`, `format`, `enum`,
//! `x-extensible-enum`, `const`, `default`, `pattern`, `contentMediaType` and
//! `contentEncoding`.

use super::super::Compare;
use super::{View, loc};
use std::collections::BTreeSet;

impl<'d> Compare<'d> {
    pub(super) fn types(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        let accepts = |set: &BTreeSet<String>, t: &str| {
            set.contains(t) || (t == "integer" && set.contains("number"))
        };
        let show = |t: &Option<BTreeSet<String>>| {
            t.as_ref().map_or("any".to_owned(), |t| {
                t.iter().cloned().collect::<Vec<_>>().join(" | ")
            })
        };
        let change = || format!("{} → {}", show(&base.types), show(&rev.types));
        let at = (Some(loc(base)), Some(loc(rev)));
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
                let message = format!(
                    "{what}: type {}; values clients send may be refused",
                    change()
                );
                self.emit("request-type-narrowed", message, at.0, at.1);
            } else if widened {
                self.emit(
                    "request-type-widened",
                    format!("{what}: type {}", change()),
                    at.0,
                    at.1,
                );
            }
        } else {
            let changed = match (&base.types, &rev.types) {
                (_, None) => base.types.is_some(),
                (None, Some(_)) => false,
                (Some(b), Some(r)) => r.iter().any(|t| !accepts(b, t)),
            };
            if changed {
                let message = format!(
                    "{what}: type {}; clients may not parse what they get",
                    change()
                );
                self.emit("response-type-changed", message, at.0, at.1);
            }
        }
    }

    /// Every value keyword but `type`.
    pub(super) fn values(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        let at = || (Some(loc(base)), Some(loc(rev)));
        let side = if request { "request" } else { "response" };
        if base.format != rev.format && rev.format.is_some() {
            let verb = if request { "accepts" } else { "returns" };
            let message = format!(
                "{what} {verb} format {} instead of {}",
                rev.format.unwrap_or("any"),
                base.format.unwrap_or("any")
            );
            let (b, r) = at();
            self.emit(
                if request {
                    "request-format-changed"
                } else {
                    "response-format-changed"
                },
                message,
                b,
                r,
            );
        }
        self.enumeration(request, what, base, rev);
        if request && let (Some(b), Some(r)) = (&base.extensible_enum, &rev.extensible_enum) {
            let removed: Vec<&String> = b.iter().filter(|v| !r.contains(v)).collect();
            if !removed.is_empty() {
                let message = format!("{what}: x-extensible-enum value {} removed", list(&removed));
                let (b, r) = at();
                self.emit("request-extensible-enum-value-removed", message, b, r);
            }
        }
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        if base.constant != rev.constant {
            let change = format!("{} → {}", show(&base.constant), show(&rev.constant));
            let (b, r) = at();
            match (request, &base.constant, &rev.constant) {
                (true, _, Some(_)) => self.emit(
                    "request-const-changed",
                    format!("{what}: const {change}; other values are refused"),
                    b,
                    r,
                ),
                (true, Some(_), None) => self.emit(
                    "request-constraint-relaxed",
                    format!("{what}: const {change}"),
                    b,
                    r,
                ),
                (false, Some(_), _) => self.emit(
                    "response-const-changed",
                    format!("{what}: const {change}; clients relied on the value"),
                    b,
                    r,
                ),
                _ => {}
            }
        }
        if request && base.default != rev.default {
            let change = format!("{} → {}", show(&base.default), show(&rev.default));
            let (rule, note) = match (&base.default, &rev.default) {
                (Some(_), Some(_)) => (
                    "request-default-changed",
                    "; clients that omit it get other behaviour",
                ),
                (Some(_), None) => (
                    "request-default-removed",
                    "; what an omitted value means is no longer said",
                ),
                _ => ("request-default-added", ""),
            };
            let (b, r) = at();
            self.emit(rule, format!("{what}: default {change}{note}"), b, r);
        }
        let strings = |v: &View<'d>| v.types.as_ref().is_none_or(|t| t.contains("string"));
        if base.pattern != rev.pattern && strings(base) && strings(rev) {
            let (b_pat, r_pat) = (
                base.pattern.unwrap_or("none"),
                rev.pattern.unwrap_or("none"),
            );
            let change = format!("pattern {b_pat} → {r_pat}");
            let rule = match (request, base.pattern.is_some(), rev.pattern.is_some()) {
                (true, false, true) => Some("request-pattern-added"),
                (true, true, true) => Some("request-pattern-changed"),
                (true, true, false) => Some("request-constraint-relaxed"),
                (false, true, false) => Some("response-pattern-removed"),
                (false, true, true) => Some("response-pattern-changed"),
                _ => None,
            };
            if let Some(rule) = rule {
                let (b, r) = at();
                self.emit(rule, format!("{what}: {change}"), b, r);
            }
        }
        for (keyword, b_value, r_value) in [
            (
                "contentMediaType",
                base.content_media_type,
                rev.content_media_type,
            ),
            (
                "contentEncoding",
                base.content_encoding,
                rev.content_encoding,
            ),
        ] {
            if b_value != r_value {
                let message = format!(
                    "{what}: {keyword} {} → {}; the {side} string is encoded differently",
                    b_value.unwrap_or("none"),
                    r_value.unwrap_or("none")
                );
                let rule = if request {
                    "request-content-encoding-changed"
                } else {
                    "response-content-encoding-changed"
                };
                let (b, r) = at();
                self.emit(rule, message, b, r);
            }
        }
    }

    fn enumeration(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        let at = || (Some(loc(base)), Some(loc(rev)));
        match (&base.enumeration, &rev.enumeration) {
            (Some(b), Some(r)) => {
                let removed: Vec<&String> = b.iter().filter(|v| !r.contains(v)).collect();
                let added: Vec<&String> = r.iter().filter(|v| !b.contains(v)).collect();
                if !removed.is_empty() {
                    let rule = if request {
                        "request-enum-value-removed"
                    } else {
                        "response-enum-value-removed"
                    };
                    let (b, r) = at();
                    self.emit(
                        rule,
                        format!("{what}: enum value {} removed", list(&removed)),
                        b,
                        r,
                    );
                }
                if !added.is_empty() {
                    let rule = if request {
                        "request-enum-value-added"
                    } else {
                        "response-enum-value-added"
                    };
                    let (b, r) = at();
                    self.emit(
                        rule,
                        format!("{what}: enum value {} added", list(&added)),
                        b,
                        r,
                    );
                }
            }
            (None, Some(r)) if request => {
                let message = format!("{what}: now restricted to {} values", r.len());
                let (b, r) = at();
                self.emit("request-constraint-tightened", message, b, r);
            }
            (Some(_), None) if request => {
                let (b, r) = at();
                self.emit(
                    "request-constraint-relaxed",
                    format!("{what}: no longer restricted to an enum"),
                    b,
                    r,
                )
            }
            (Some(_), None) => {
                let message = format!(
                    "{what}: no longer restricted to an enum; clients may get values they do not handle"
                );
                let (b, r) = at();
                self.emit("response-enum-value-added", message, b, r)
            }
            _ => {}
        }
    }
}

fn list(values: &[&String]) -> String {
    values
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
