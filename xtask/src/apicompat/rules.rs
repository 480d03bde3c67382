//! Every rule of the compatibility check: its stable id, its level and what it means. The
//! ids are part of the interface (allowlists and bots name them); docs/api-compat.md shows
//! each with an example.

use super::Level::{self, Error, Info, Warning};

pub const RULES: &[(&str, Level, &str)] = &[
    ("path-removed", Error, "a path was removed"),
    (
        "operation-removed",
        Error,
        "an operation of a path was removed",
    ),
    (
        "response-status-removed",
        Error,
        "a response status of an operation was removed",
    ),
    (
        "request-parameter-added-required",
        Error,
        "a new required parameter",
    ),
    (
        "request-parameter-became-required",
        Error,
        "an optional parameter became required",
    ),
    (
        "request-parameter-location-changed",
        Error,
        "a parameter moved (query, header, path, cookie)",
    ),
    (
        "request-body-added-required",
        Error,
        "a required request body where there was none",
    ),
    (
        "request-body-became-required",
        Error,
        "an optional request body became required",
    ),
    (
        "request-content-type-removed",
        Error,
        "a request media type is no longer accepted",
    ),
    (
        "request-property-added-required",
        Error,
        "a new required property in a request",
    ),
    (
        "request-property-became-required",
        Error,
        "an optional request property became required",
    ),
    (
        "request-type-narrowed",
        Error,
        "a request value accepts fewer types",
    ),
    (
        "request-format-changed",
        Error,
        "a request value's format changed",
    ),
    (
        "request-enum-value-removed",
        Error,
        "a request enum lost a value",
    ),
    (
        "request-constraint-tightened",
        Error,
        "maxLength/maximum/maxItems lowered or minLength/minimum/minItems raised on a request value",
    ),
    (
        "response-property-removed",
        Error,
        "a response property was removed",
    ),
    (
        "response-property-became-optional",
        Error,
        "a required response property became optional",
    ),
    (
        "response-type-changed",
        Error,
        "a response value may have a type clients do not expect",
    ),
    (
        "response-content-type-removed",
        Error,
        "a response media type was removed",
    ),
    (
        "security-requirement-added",
        Error,
        "an operation requires authentication it did not require",
    ),
    (
        "response-enum-value-added",
        Warning,
        "a response enum gained a value clients may not handle",
    ),
    (
        "response-format-changed",
        Warning,
        "a response value's format changed",
    ),
    (
        "request-parameter-removed",
        Warning,
        "a parameter clients may still send was removed",
    ),
    (
        "request-property-removed",
        Warning,
        "a request property clients may still send was removed",
    ),
    (
        "schema-composition-changed",
        Warning,
        "oneOf/anyOf alternatives changed in a way not compared in detail",
    ),
    ("path-added", Info, "a new path"),
    ("operation-added", Info, "a new operation"),
    ("response-status-added", Info, "a new response status"),
    ("request-parameter-added", Info, "a new optional parameter"),
    (
        "request-parameter-became-optional",
        Info,
        "a required parameter became optional",
    ),
    ("request-body-added", Info, "a new optional request body"),
    (
        "request-content-type-added",
        Info,
        "a new accepted request media type",
    ),
    (
        "request-property-added",
        Info,
        "a new optional request property",
    ),
    (
        "request-type-widened",
        Info,
        "a request value accepts more types",
    ),
    (
        "request-enum-value-added",
        Info,
        "a request enum gained a value",
    ),
    (
        "request-constraint-relaxed",
        Info,
        "a request constraint was relaxed",
    ),
    ("response-property-added", Info, "a new response property"),
    (
        "response-content-type-added",
        Info,
        "a new response media type",
    ),
    (
        "response-enum-value-removed",
        Info,
        "a response enum lost a value",
    ),
    (
        "security-requirement-removed",
        Info,
        "an operation accepts more ways to authenticate",
    ),
];

pub fn level(rule: &str) -> Level {
    RULES
        .iter()
        .find(|(id, _, _)| *id == rule)
        .map_or(Level::Error, |(_, level, _)| *level)
}

pub fn ids() -> impl Iterator<Item = &'static str> {
    RULES.iter().map(|(id, _, _)| *id)
}
