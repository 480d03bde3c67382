//! Numeric bounds in both directions: a request's may only widen, a response's only narrow.
//! A bound applies only to the values it constrains (`maxItems` to arrays, `maxLength` to
//! strings, ...); on a schema whose types exclude those it has no effect and is not compared.

use super::super::Compare;
use super::fold::{LOWER, UPPER};
use super::{View, loc};

/// The type a bound constrains.
fn applies_to(bound: &str) -> &'static [&'static str] {
    match bound {
        "maxLength" | "minLength" => &["string"],
        "maxItems" | "minItems" | "maxContains" | "minContains" => &["array"],
        "maxProperties" | "minProperties" => &["object"],
        _ => &["number", "integer"],
    }
}

/// Whether every multiple of `of` is a multiple of `by` (`by` divides `of`).
fn divides(by: f64, of: f64) -> bool {
    let ratio = of / by;
    by != 0.0 && (ratio - ratio.round()).abs() < 1e-9
}

impl<'d> Compare<'d> {
    /// `multipleOf`: a request may only accept more multiples (a divisor of the old step), a
    /// response only return fewer (a multiple of it).
    fn multiple_of(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        let numbers = |v: &View<'d>| {
            v.types
                .as_ref()
                .is_none_or(|t| t.contains("number") || t.contains("integer"))
        };
        let (b, r) = (base.multiple_of, rev.multiple_of);
        if b == r || !numbers(base) || !numbers(rev) {
            return;
        }
        // Requests: every old value still accepted (the new step divides the old).
        // Responses: every new value one clients handled (the old step divides the new).
        let rule = match (request, b, r) {
            (true, Some(b), Some(r)) if divides(r, b) => "request-constraint-relaxed",
            (true, Some(_), Some(_)) => "request-constraint-tightened",
            (true, None, _) => "request-bound-set",
            (true, Some(_), None) => "request-constraint-relaxed",
            (false, Some(b), Some(r)) if divides(b, r) => "response-bound-tightened",
            (false, Some(_), _) => "response-bound-relaxed",
            (false, None, _) => "response-bound-tightened",
        };
        let show = |x: Option<f64>| x.map_or("none".to_owned(), |x| x.to_string());
        let message = format!("{what}: multipleOf {} → {}", show(b), show(r));
        self.emit(rule, message, Some(loc(base)), Some(loc(rev)));
    }

    pub(super) fn bounds(&mut self, request: bool, what: &str, base: &View<'d>, rev: &View<'d>) {
        if base.multiple_of.is_some() || rev.multiple_of.is_some() {
            self.multiple_of(request, what, base, rev);
        }
        if base.bounds.is_empty() && rev.bounds.is_empty() {
            return;
        }
        let get =
            |v: &View<'d>, name: &str| v.bounds.iter().find(|(n, _)| *n == name).map(|(_, x)| *x);
        let applies = |v: &View<'d>, name: &str| {
            v.types
                .as_ref()
                .is_none_or(|t| applies_to(name).iter().any(|a| t.contains(*a)))
        };
        for name in UPPER.iter().chain(&LOWER) {
            let upper = UPPER.contains(name);
            let (b, r) = (get(base, name), get(rev, name));
            if b == r || !applies(base, name) || !applies(rev, name) {
                continue;
            }
            let tighter = match (b, r) {
                (Some(b), Some(r)) => Some(if upper { r < b } else { r > b }),
                (None, Some(_)) => None,
                _ => Some(false),
            };
            let show = |x: Option<f64>| x.map_or("none".to_owned(), |x| x.to_string());
            let message = format!("{what}: {name} {} → {}", show(b), show(r));
            let rule = match (request, tighter) {
                (true, Some(true)) => "request-constraint-tightened",
                // The old limit is unknown: the values clients send may already be within it.
                (true, None) => "request-bound-set",
                (true, Some(false)) => "request-constraint-relaxed",
                (false, Some(true) | None) => "response-bound-tightened",
                (false, Some(false)) => "response-bound-relaxed",
            };
            self.emit(rule, message, Some(loc(base)), Some(loc(rev)));
        }
    }
}
