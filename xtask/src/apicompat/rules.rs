//! Every rule of the compatibility check: its stable id, its level and what it means. The
//! ids are part of the interface (allowlists and bots name them); docs/api-compat.md shows
//! each with an example and maps it to oasdiff's.

use super::Level::{self, Error, Info, Warning};

pub const RULES: &[(&str, Level, &str)] = &[
    // Paths, operations, webhooks, deprecation.
    ("path-removed", Error, "a path with operations was removed"),
    (
        "operation-removed",
        Error,
        "an operation was removed without being deprecated first",
    ),
    (
        "webhook-removed",
        Error,
        "a webhook clients receive was removed",
    ),
    (
        "removed-before-sunset",
        Error,
        "a deprecated operation, parameter or property was removed before its sunset date",
    ),
    (
        "sunset-too-soon",
        Error,
        "deprecated with a sunset sooner than the deprecation policy's minimum",
    ),
    (
        "security-requirement-added",
        Error,
        "an operation requires authentication it did not require",
    ),
    // Parameters.
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
        "request-parameter-removed",
        Error,
        "a parameter was removed without being deprecated first",
    ),
    // Bodies, responses, media types, headers.
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
        "request-media-schema-added",
        Error,
        "a request media type that accepted anything has a schema",
    ),
    (
        "response-status-removed",
        Error,
        "a response status of an operation was removed",
    ),
    (
        "response-content-type-removed",
        Error,
        "a response media type was removed",
    ),
    (
        "response-media-schema-removed",
        Error,
        "a response media type lost its schema",
    ),
    (
        "response-header-removed",
        Error,
        "a required response header was removed",
    ),
    (
        "response-header-became-optional",
        Error,
        "a required response header became optional",
    ),
    // Properties.
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
        "request-property-removed",
        Error,
        "a request property was removed without being deprecated first",
    ),
    (
        "request-property-became-read-only",
        Error,
        "a request property clients send became readOnly",
    ),
    (
        "response-property-removed",
        Error,
        "a response property was removed without being deprecated first",
    ),
    (
        "response-property-became-optional",
        Error,
        "a required response property became optional",
    ),
    (
        "response-property-became-write-only",
        Error,
        "a response property clients read became writeOnly",
    ),
    // Values.
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
        "request-extensible-enum-value-removed",
        Error,
        "a request x-extensible-enum lost a value",
    ),
    (
        "request-const-changed",
        Error,
        "a request value became, or changed, a constant",
    ),
    (
        "request-default-changed",
        Error,
        "a request value's default changed",
    ),
    (
        "request-pattern-added",
        Error,
        "a request string must match a pattern",
    ),
    (
        "request-content-encoding-changed",
        Error,
        "a request string's contentMediaType or contentEncoding changed",
    ),
    (
        "request-constraint-tightened",
        Error,
        "a request bound lowered or raised, or an enum set",
    ),
    (
        "request-dependency-added",
        Error,
        "a request property requires others (dependentRequired, dependentSchemas)",
    ),
    (
        "request-subschema-added",
        Error,
        "a request value must match a new or stricter sub-schema",
    ),
    (
        "request-alternative-removed",
        Error,
        "a oneOf/anyOf alternative of a request was removed",
    ),
    (
        "request-all-of-added",
        Error,
        "a request value must match a new allOf member",
    ),
    (
        "response-type-changed",
        Error,
        "a response value may have a type clients do not expect",
    ),
    (
        "response-const-changed",
        Error,
        "a response value is no longer the constant it was",
    ),
    (
        "response-pattern-removed",
        Error,
        "a response string no longer matches a pattern",
    ),
    (
        "response-content-encoding-changed",
        Error,
        "a response string's contentMediaType or contentEncoding changed",
    ),
    (
        "response-bound-relaxed",
        Error,
        "a response bound raised, lowered or removed",
    ),
    (
        "response-dependency-removed",
        Error,
        "a response property no longer brings the others it did",
    ),
    (
        "response-subschema-removed",
        Error,
        "a response value no longer matches a sub-schema it did",
    ),
    (
        "response-alternative-added",
        Error,
        "a response may be a oneOf/anyOf alternative clients do not know",
    ),
    (
        "response-all-of-removed",
        Error,
        "a response value no longer matches an allOf member",
    ),
    // Possibly breaking.
    (
        "request-body-removed",
        Warning,
        "a request body clients still send is no longer declared",
    ),
    (
        "request-default-removed",
        Warning,
        "a request value lost its default",
    ),
    (
        "request-pattern-changed",
        Warning,
        "a request pattern changed",
    ),
    (
        "request-bound-set",
        Warning,
        "a request value has a bound where it had none",
    ),
    (
        "response-pattern-changed",
        Warning,
        "a response pattern changed",
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
        "response-optional-header-removed",
        Warning,
        "an optional response header was removed",
    ),
    (
        "media-type-parameters-changed",
        Warning,
        "a media type's parameters changed",
    ),
    (
        "schema-composition-changed",
        Warning,
        "oneOf became anyOf or the reverse",
    ),
    (
        "schema-condition-changed",
        Warning,
        "the `if` of an if/then/else changed",
    ),
    // Additive.
    ("path-added", Info, "a new path"),
    ("operation-added", Info, "a new operation"),
    ("webhook-added", Info, "a new webhook"),
    (
        "deprecated-removed",
        Info,
        "a deprecated operation, parameter or property was removed after its sunset",
    ),
    (
        "security-requirement-removed",
        Info,
        "an operation accepts more ways to authenticate",
    ),
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
        "media-type-compatible",
        Info,
        "a media type matched by media-type rules (more general in a request, more specific in a response)",
    ),
    ("response-status-added", Info, "a new response status"),
    (
        "response-content-type-added",
        Info,
        "a new response media type",
    ),
    ("response-header-added", Info, "a new response header"),
    (
        "request-property-added",
        Info,
        "a new optional request property",
    ),
    ("response-property-added", Info, "a new response property"),
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
        "request-default-added",
        Info,
        "a request value has a default",
    ),
    (
        "request-constraint-relaxed",
        Info,
        "a request constraint was relaxed",
    ),
    (
        "request-subschema-removed",
        Info,
        "a request sub-schema was removed or relaxed",
    ),
    (
        "request-alternative-added",
        Info,
        "a request accepts a new oneOf/anyOf alternative",
    ),
    (
        "response-enum-value-removed",
        Info,
        "a response enum lost a value",
    ),
    (
        "response-bound-tightened",
        Info,
        "a response bound was set or tightened",
    ),
    (
        "response-subschema-added",
        Info,
        "a response value matches a new or stricter sub-schema",
    ),
    (
        "response-alternative-removed",
        Info,
        "a response is no longer one of some oneOf/anyOf alternatives",
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
