//! A fixture pair per rule, in both directions: the breaking change and its safe
//! counterpart, asserting the rule ids and levels exactly.

mod composition;
mod documents;
mod keywords;

use super::{Doc, Level, compare};

/// A document with one operation (`op`, indented under `POST /items/{id}`) and `schemas`.
pub(super) fn spec(op: &str, schemas: &str) -> String {
    let indent = |text: &str, n: usize| {
        text.lines()
            .map(|l| format!("{}{l}\n", " ".repeat(n)))
            .collect::<String>()
    };
    format!(
        "openapi: 3.1.0\ninfo:\n  title: t\n  version: 1.0.0\npaths:\n  /items/{{id}}:\n    post:\n{}components:\n  schemas:\n{}",
        indent(op, 6),
        indent(if schemas.is_empty() { "{}" } else { schemas }, 4)
            .replace("    {}\n", "    Empty: {}\n")
    )
}

pub(super) const OK: &str = "responses:\n  '200':\n    description: ok\n";

pub(super) fn json_response(schema: &str) -> String {
    format!(
        "responses:\n  '200':\n    description: ok\n    content:\n      application/json:\n        schema:\n{}",
        schema
            .lines()
            .map(|l| format!("          {l}\n"))
            .collect::<String>()
    )
}

pub(super) fn json_body(schema: &str, required: bool) -> String {
    format!(
        "requestBody:\n  required: {required}\n  content:\n    application/json:\n      schema:\n{}{OK}",
        schema
            .lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>()
    )
}

pub(super) fn param(name: &str, location: &str, required: bool, schema: &str) -> String {
    format!(
        "parameters:\n  - name: {name}\n    in: {location}\n    required: {required}\n    schema: {schema}\n{OK}"
    )
}

/// The rules (with levels) the change from `base` to `revision` produces.
pub(super) fn rules(base: &str, revision: &str) -> Vec<(&'static str, Level)> {
    let base = Doc::parse("base.yaml", base.to_owned()).unwrap_or_else(|d| panic!("{}", d.message));
    let revision = Doc::parse("revision.yaml", revision.to_owned())
        .unwrap_or_else(|d| panic!("{}", d.message));
    compare(&base, &revision)
        .unwrap_or_else(|d| panic!("{:?}", d))
        .into_iter()
        .map(|f| (f.rule, f.level))
        .collect()
}

/// Rule ids and levels, in document order.
pub(super) type Found = Vec<(&'static str, Level)>;

/// The findings of `base` → `rev` as a request body and as a response body, in a document
/// with the component `schemas`.
pub(super) fn sides(schemas: &str, base: &str, rev: &str) -> (Found, Found) {
    let req = |s: &str| spec(&json_body(s, true), schemas);
    let resp = |s: &str| spec(&json_response(s), schemas);
    (rules(&req(base), &req(rev)), rules(&resp(base), &resp(rev)))
}

pub(super) use Level::{Error as E, Info as I, Warning as W};

#[test]
fn paths_and_operations() {
    let one = spec(OK, "");
    let two = one.replace("paths:\n", "paths:\n  /other:\n    get:\n      responses:\n        '200':\n          description: ok\n");
    assert_eq!(rules(&two, &one), [("path-removed", E)]);
    assert_eq!(rules(&one, &two), [("path-added", I)]);
    let with_get = one.replace(
        "    post:\n",
        "    get:\n      responses:\n        '200':\n          description: ok\n    post:\n",
    );
    assert_eq!(rules(&with_get, &one), [("operation-removed", E)]);
    assert_eq!(rules(&one, &with_get), [("operation-added", I)]);
    // A renamed path parameter is the same path to clients.
    assert_eq!(
        rules(&one, &one.replace("/items/{id}", "/items/{item}")),
        []
    );
}

#[test]
fn response_statuses_and_media_types() {
    let base = spec(&json_response("type: object"), "");
    let more = spec(
        &format!(
            "{}  '404':\n    description: missing\n",
            json_response("type: object")
        ),
        "",
    );
    assert_eq!(rules(&more, &base), [("response-status-removed", E)]);
    assert_eq!(rules(&base, &more), [("response-status-added", I)]);
    let xml = base.replace("application/json", "application/xml");
    assert_eq!(
        rules(&base, &xml),
        [
            ("response-content-type-removed", E),
            ("response-content-type-added", I)
        ]
    );
}

#[test]
fn parameters() {
    let none = spec(OK, "");
    let optional = spec(&param("q", "query", false, "{type: string}"), "");
    let required = spec(&param("q", "query", true, "{type: string}"), "");
    assert_eq!(
        rules(&none, &required),
        [("request-parameter-added-required", E)]
    );
    assert_eq!(rules(&none, &optional), [("request-parameter-added", I)]);
    assert_eq!(
        rules(&optional, &required),
        [("request-parameter-became-required", E)]
    );
    assert_eq!(
        rules(&required, &optional),
        [("request-parameter-became-optional", I)]
    );
    assert_eq!(rules(&optional, &none), [("request-parameter-removed", E)]);
    let header = spec(&param("q", "header", false, "{type: string}"), "");
    assert_eq!(
        rules(&optional, &header),
        [("request-parameter-location-changed", E)]
    );
    let integer = spec(&param("q", "query", false, "{type: integer}"), "");
    assert_eq!(rules(&optional, &integer), [("request-type-narrowed", E)]);
    let number = spec(&param("q", "query", false, "{type: number}"), "");
    assert_eq!(rules(&integer, &number), [("request-type-widened", I)]);
    let uuid = spec(
        &param("q", "query", false, "{type: string, format: uuid}"),
        "",
    );
    assert_eq!(rules(&optional, &uuid), [("request-format-changed", E)]);
    assert_eq!(rules(&uuid, &optional), []);
}

#[test]
fn request_bodies_and_properties() {
    let none = spec(OK, "");
    let object = "type: object\nproperties:\n  name: {type: string}\n";
    assert_eq!(
        rules(&none, &spec(&json_body(object, true), "")),
        [("request-body-added-required", E)]
    );
    assert_eq!(
        rules(&none, &spec(&json_body(object, false), "")),
        [("request-body-added", I)]
    );
    assert_eq!(
        rules(
            &spec(&json_body(object, false), ""),
            &spec(&json_body(object, true), "")
        ),
        [("request-body-became-required", E)]
    );
    let base = spec(&json_body(object, true), "");
    let added_required = spec(
        &json_body(
            &format!("{object}  owner: {{type: string}}\nrequired: [owner]\n"),
            true,
        ),
        "",
    );
    let added_optional = spec(
        &json_body(&format!("{object}  owner: {{type: string}}\n"), true),
        "",
    );
    assert_eq!(
        rules(&base, &added_required),
        [("request-property-added-required", E)]
    );
    assert_eq!(
        rules(&base, &added_optional),
        [("request-property-added", I)]
    );
    assert_eq!(
        rules(&added_optional, &added_required),
        [("request-property-became-required", E)]
    );
    assert_eq!(
        rules(&added_optional, &base),
        [("request-property-removed", E)]
    );
    let form = base.replace("application/json", "application/x-www-form-urlencoded");
    assert_eq!(
        rules(&base, &form),
        [
            ("request-content-type-removed", E),
            ("request-content-type-added", I)
        ]
    );
}

#[test]
fn request_enums_and_constraints() {
    let body = |schema: &str| {
        spec(
            &json_body(
                &format!("type: object\nproperties:\n  kind: {schema}\n"),
                true,
            ),
            "",
        )
    };
    let two = body("{type: string, enum: [a, b]}");
    let one = body("{type: string, enum: [a]}");
    assert_eq!(rules(&two, &one), [("request-enum-value-removed", E)]);
    assert_eq!(rules(&one, &two), [("request-enum-value-added", I)]);
    assert_eq!(
        rules(&body("{type: string}"), &one),
        [("request-constraint-tightened", E)]
    );
    let long = body("{type: string, maxLength: 64, minLength: 1}");
    let short = body("{type: string, maxLength: 32, minLength: 2}");
    assert_eq!(
        rules(&long, &short),
        [
            ("request-constraint-tightened", E),
            ("request-constraint-tightened", E)
        ]
    );
    assert_eq!(
        rules(&short, &long),
        [
            ("request-constraint-relaxed", I),
            ("request-constraint-relaxed", I)
        ]
    );
    let nullable = body("{type: [string, 'null']}");
    assert_eq!(
        rules(&nullable, &body("{type: string}")),
        [("request-type-narrowed", E)]
    );
    assert_eq!(
        rules(&body("{type: string}"), &nullable),
        [("request-type-widened", I)]
    );
}

#[test]
fn response_properties_enums_and_types() {
    let schema = "type: object\nproperties:\n  id: {type: string}\n  state: {type: string, enum: [on, off]}\nrequired: [id]\n";
    let base = spec(&json_response(schema), "");
    let removed = spec(
        &json_response("type: object\nproperties:\n  state: {type: string, enum: [on, off]}\n"),
        "",
    );
    assert_eq!(rules(&base, &removed), [("response-property-removed", E)]);
    assert_eq!(rules(&removed, &base), [("response-property-added", I)]);
    let optional = spec(&json_response(&schema.replace("required: [id]\n", "")), "");
    assert_eq!(
        rules(&base, &optional),
        [("response-property-became-optional", E)]
    );
    assert_eq!(rules(&optional, &base), []);
    let more_states = spec(
        &json_response(&schema.replace("[on, off]", "[on, off, broken]")),
        "",
    );
    assert_eq!(
        rules(&base, &more_states),
        [("response-enum-value-added", W)]
    );
    assert_eq!(
        rules(&more_states, &base),
        [("response-enum-value-removed", I)]
    );
    let nullable = spec(
        &json_response(&schema.replace("id: {type: string}", "id: {type: string, nullable: true}")),
        "",
    );
    assert_eq!(rules(&base, &nullable), [("response-type-changed", E)]);
    assert_eq!(rules(&nullable, &base), []);
    let uuid = spec(
        &json_response(&schema.replace("id: {type: string}", "id: {type: string, format: uuid}")),
        "",
    );
    assert_eq!(rules(&base, &uuid), [("response-format-changed", W)]);
}

#[test]
fn security_requirements() {
    let open = spec(OK, "");
    let token = spec(&format!("security: [{{bearer: []}}]\n{OK}"), "");
    let either = spec(
        &format!("security: [{{bearer: []}}, {{api_key: []}}]\n{OK}"),
        "",
    );
    let both = spec(
        &format!("security: [{{bearer: [], api_key: []}}]\n{OK}"),
        "",
    );
    assert_eq!(rules(&open, &token), [("security-requirement-added", E)]);
    assert_eq!(rules(&token, &open), [("security-requirement-removed", I)]);
    assert_eq!(
        rules(&token, &either),
        [("security-requirement-removed", I)]
    );
    assert_eq!(rules(&either, &token), [("security-requirement-added", E)]);
    assert_eq!(rules(&token, &both), [("security-requirement-added", E)]);
}

#[test]
fn refs_all_of_and_cycles() {
    // A recursive schema through $ref terminates, and a change deep inside is found once.
    let tree = "Node:\n  type: object\n  properties:\n    name: {type: string}\n    children:\n      type: array\n      items: {$ref: '#/components/schemas/Node'}\n  required: [name]\n";
    let base = spec(&json_response("$ref: '#/components/schemas/Node'"), tree);
    let revision = spec(
        &json_response("$ref: '#/components/schemas/Node'"),
        &tree.replace("  required: [name]\n", ""),
    );
    assert_eq!(
        rules(&base, &revision),
        [("response-property-became-optional", E)]
    );
    assert_eq!(rules(&base, &base), []);
    // allOf members are merged.
    let all_of = "Named:\n  type: object\n  properties:\n    name: {type: string}\nPet:\n  allOf:\n    - $ref: '#/components/schemas/Named'\n    - type: object\n      properties:\n        age: {type: integer}\n";
    let base = spec(&json_response("$ref: '#/components/schemas/Pet'"), all_of);
    let revision = spec(
        &json_response("$ref: '#/components/schemas/Pet'"),
        &all_of.replace(
            "        age: {type: integer}\n",
            "        years: {type: integer}\n",
        ),
    );
    assert_eq!(
        rules(&base, &revision),
        [
            ("response-property-removed", E),
            ("response-property-added", I)
        ]
    );
}

#[test]
fn broken_references_are_positioned_errors() {
    let cyclic = spec(
        &json_response("$ref: '#/components/schemas/A'"),
        "A: {$ref: '#/components/schemas/B'}\nB: {$ref: '#/components/schemas/A'}\n",
    );
    let ok = spec(&json_response("type: object"), "");
    let base = Doc::parse("base.yaml", ok).unwrap();
    let revision = Doc::parse("openapi.yaml", cyclic.clone()).unwrap();
    let errors = compare(&base, &revision).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].location(), "openapi.yaml:18:15");
    assert_eq!(
        errors[0].message,
        "`$ref: #/components/schemas/A` is a cycle of references that never reaches a definition"
    );
    let dangling = Doc::parse(
        "openapi.yaml",
        cyclic.replace(
            "A: {$ref: '#/components/schemas/B'}",
            "A: {$ref: '#/components/schemas/Gone'}",
        ),
    )
    .unwrap();
    let errors = compare(&base, &dangling).unwrap_err();
    assert_eq!(
        errors[0].message,
        "`$ref: #/components/schemas/Gone` names nothing in this document"
    );
    let bad = Doc::parse("openapi.yaml", "openapi: 2.0\ninfo: {}\n".into())
        .err()
        .unwrap();
    assert_eq!(
        (bad.location(), bad.message.as_str()),
        (
            "openapi.yaml:1:10".to_string(),
            "`openapi: 2.0` is not OpenAPI 3.x"
        )
    );
}

#[test]
fn every_rule_is_documented_with_an_example() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/api-compat.md"
    ))
    .unwrap();
    for id in super::rules::ids() {
        let heading = format!("\n### `{id}`\n");
        let at = doc
            .find(&heading)
            .unwrap_or_else(|| panic!("docs/api-compat.md documents `{id}`"));
        let section = &doc[at + heading.len()..];
        let section = &section[..section.find("\n### ").unwrap_or(section.len())];
        assert!(section.contains("```diff\n"), "`{id}` has an example");
    }
}
