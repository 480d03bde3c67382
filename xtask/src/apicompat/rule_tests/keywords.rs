//! JSON Schema 2020-12 keywords and bounds, each change as a request body and as a response
//! body, in both directions.

use super::{E, Found, I, W, json_body, param, rules, spec};
fn sides(base: &str, rev: &str) -> (Found, Found) {
    super::sides("", base, rev)
}

/// `schema` two levels down: an array property's items.
fn deep(schema: &str) -> String {
    let inner: String = schema.lines().map(|l| format!("      {l}\n")).collect();
    format!("type: object\nproperties:\n  list:\n    type: array\n    items:\n{inner}")
}

#[test]
fn const_in_both_directions() {
    let (plain, fixed, other) = (
        "{type: string}",
        "{type: string, const: a}",
        "{type: string, const: b}",
    );
    assert_eq!(
        sides(plain, fixed),
        (vec![("request-const-changed", E)], vec![])
    );
    assert_eq!(
        sides(fixed, plain),
        (
            vec![("request-constraint-relaxed", I)],
            vec![("response-const-changed", E)]
        )
    );
    assert_eq!(
        sides(fixed, other),
        (
            vec![("request-const-changed", E)],
            vec![("response-const-changed", E)]
        )
    );
    assert_eq!(
        sides(&deep(fixed), &deep(other)).1,
        [("response-const-changed", E)]
    );
}

#[test]
fn defaults_of_parameters_and_properties() {
    let limit = |d: &str| {
        spec(
            &param("limit", "query", false, &format!("{{type: integer{d}}}")),
            "",
        )
    };
    assert_eq!(
        rules(&limit(", default: 10"), &limit(", default: 20")),
        [("request-default-changed", E)]
    );
    assert_eq!(
        rules(&limit(", default: 10"), &limit("")),
        [("request-default-removed", W)]
    );
    assert_eq!(
        rules(&limit(""), &limit(", default: 10")),
        [("request-default-added", I)]
    );
    let object = |d: &str| format!("type: object\nproperties:\n  mode: {{type: string{d}}}\n");
    assert_eq!(
        sides(&object(", default: fast"), &object(", default: safe")),
        (vec![("request-default-changed", E)], vec![])
    );
}

#[test]
fn patterns() {
    let (plain, lower, digits) = (
        "{type: string}",
        "{type: string, pattern: '^[a-z]+$'}",
        "{type: string, pattern: '^[0-9]+$'}",
    );
    assert_eq!(
        sides(plain, lower),
        (vec![("request-pattern-added", E)], vec![])
    );
    assert_eq!(
        sides(lower, plain),
        (
            vec![("request-constraint-relaxed", I)],
            vec![("response-pattern-removed", E)]
        )
    );
    assert_eq!(
        sides(lower, digits),
        (
            vec![("request-pattern-changed", W)],
            vec![("response-pattern-changed", W)]
        )
    );
    // A pattern constrains strings only.
    assert_eq!(
        sides("{type: integer}", "{type: integer, pattern: '^1'}"),
        (vec![], vec![])
    );
    assert_eq!(
        sides(&deep(plain), &deep(lower)).0,
        [("request-pattern-added", E)]
    );
}

#[test]
fn dependencies() {
    let object = "type: object\nproperties:\n  a: {type: string}\n  b: {type: string}\n";
    let required = format!("{object}dependentRequired:\n  a: [b]\n");
    assert_eq!(
        sides(object, &required),
        (vec![("request-dependency-added", E)], vec![])
    );
    assert_eq!(
        sides(&required, object),
        (vec![], vec![("response-dependency-removed", E)])
    );
    let schemas = format!(
        "{object}dependentSchemas:\n  a: {{required: [b], properties: {{b: {{type: string}}}}}}\n"
    );
    assert_eq!(
        sides(object, &schemas),
        (vec![("request-dependency-added", E)], vec![])
    );
    assert_eq!(
        sides(&schemas, object),
        (vec![], vec![("response-dependency-removed", E)])
    );
    let narrower = schemas.replace("{type: string}}", "{type: string, maxLength: 3}}");
    assert_eq!(sides(&schemas, &narrower).0, [("request-bound-set", W)]);
}

#[test]
fn contains_and_its_bounds() {
    let (plain, strings) = ("{type: array}", "{type: array, contains: {type: string}}");
    assert_eq!(
        sides(plain, strings),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
    assert_eq!(
        sides(strings, plain),
        (
            vec![("request-subschema-removed", I)],
            vec![("response-subschema-removed", E)]
        )
    );
    let count = |n: u32| {
        format!("{{type: array, contains: {{type: string}}, minContains: {n}, maxContains: 5}}")
    };
    assert_eq!(
        sides(&count(1), &count(2)),
        (
            vec![("request-constraint-tightened", E)],
            vec![("response-bound-tightened", I)]
        )
    );
    assert_eq!(
        sides(&count(2), &count(1)),
        (
            vec![("request-constraint-relaxed", I)],
            vec![("response-bound-relaxed", E)]
        )
    );
    let either = "{type: array, contains: {type: [string, integer]}}";
    assert_eq!(sides(either, strings).0, [("request-type-narrowed", E)]);
}

#[test]
fn conditionals() {
    let object = "type: object\nproperties:\n  a: {type: string}\n  b: {type: [string, integer]}\n";
    let cond =
        |when: &str, then: &str| format!("{object}if: {{required: [{when}]}}\nthen: {then}\n");
    assert_eq!(
        sides(object, &cond("a", "{required: [b]}")),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
    assert_eq!(
        sides(&cond("a", "{required: [b]}"), object),
        (
            vec![("request-subschema-removed", I)],
            vec![("response-subschema-removed", E)]
        )
    );
    assert_eq!(
        sides(&cond("a", "{required: [b]}"), &cond("b", "{required: [b]}")),
        (
            vec![("schema-condition-changed", W)],
            vec![("schema-condition-changed", W)]
        )
    );
    let typed = |t: &str| cond("a", &format!("{{properties: {{b: {{type: {t}}}}}}}"));
    assert_eq!(
        sides(&typed("[string, integer]"), &typed("string")),
        (vec![("request-type-narrowed", E)], vec![])
    );
    let otherwise = |t: &str| {
        format!("{object}if: {{required: [a]}}\nelse: {{properties: {{b: {{type: {t}}}}}}}\n")
    };
    assert_eq!(
        sides(&otherwise("string"), &otherwise("[string, integer]")).1,
        [("response-type-changed", E)]
    );
}

#[test]
fn pattern_properties_prefix_items_and_property_names() {
    let object = "type: object\n";
    let patterned = |t: &str| format!("{object}patternProperties:\n  '^x-': {{type: {t}}}\n");
    assert_eq!(
        sides(object, &patterned("string")),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
    assert_eq!(
        sides(&patterned("string"), &patterned("integer")),
        (
            vec![("request-type-narrowed", E)],
            vec![("response-type-changed", E)]
        )
    );
    let tuple = |items: &str| format!("{{type: array, prefixItems: [{items}]}}");
    assert_eq!(
        sides(
            &tuple("{type: string}"),
            &tuple("{type: string}, {type: integer}")
        ),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
    assert_eq!(
        sides(&tuple("{type: string}"), &tuple("{type: integer}")),
        (
            vec![("request-type-narrowed", E)],
            vec![("response-type-changed", E)]
        )
    );
    let named = format!("{object}propertyNames: {{pattern: '^[a-z]+$'}}\n");
    assert_eq!(
        sides(object, &named),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
    assert_eq!(sides(&named, object).1, [("response-subschema-removed", E)]);
}

#[test]
fn unevaluated_and_additional_properties() {
    let object = "type: object\nproperties:\n  a: {type: string}\n";
    let closed = format!("{object}unevaluatedProperties: false\n");
    assert_eq!(
        sides(object, &closed),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
    // More properties in a response are what clients already ignore.
    assert_eq!(
        sides(&closed, object),
        (vec![("request-subschema-removed", I)], vec![])
    );
    let items = "{type: array, prefixItems: [{type: string}], unevaluatedItems: false}";
    assert_eq!(
        sides(items, "{type: array, prefixItems: [{type: string}]}").1,
        [("response-subschema-removed", E)]
    );
    let map = |t: &str| format!("type: object\nadditionalProperties: {{type: {t}}}\n");
    assert_eq!(
        sides(&map("string"), &map("integer")),
        (
            vec![("request-type-narrowed", E)],
            vec![("response-type-changed", E)]
        )
    );
    assert_eq!(
        sides(
            &map("string"),
            "type: object\nadditionalProperties: false\n"
        ),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
}

#[test]
fn content_keywords() {
    let (plain, encoded) = ("{type: string}", "{type: string, contentEncoding: base64}");
    assert_eq!(
        sides(plain, encoded),
        (
            vec![("request-content-encoding-changed", E)],
            vec![("response-content-encoding-changed", E)]
        )
    );
    assert_eq!(
        sides(encoded, plain),
        (
            vec![("request-content-encoding-changed", E)],
            vec![("response-content-encoding-changed", E)]
        )
    );
    let json = |required: &str| {
        format!(
            "{{type: string, contentMediaType: application/json, contentSchema: {{type: object, required: [{required}]}}}}"
        )
    };
    assert_eq!(sides(&json("a"), &json("a, b")), (vec![], vec![]));
    let typed = |t: &str| {
        format!(
            "{{type: string, contentMediaType: application/json, contentSchema: {{type: {t}}}}}"
        )
    };
    assert_eq!(
        sides(&typed("object"), &typed("array")),
        (
            vec![("request-type-narrowed", E)],
            vec![("response-type-changed", E)]
        )
    );
    let yaml = "{type: string, contentMediaType: application/yaml}";
    let json_only = "{type: string, contentMediaType: application/json}";
    assert_eq!(
        sides(json_only, yaml).0,
        [("request-content-encoding-changed", E)]
    );
}

#[test]
fn extensible_enums() {
    let (two, one) = (
        "{type: string, x-extensible-enum: [a, b]}",
        "{type: string, x-extensible-enum: [a]}",
    );
    assert_eq!(
        sides(two, one),
        (vec![("request-extensible-enum-value-removed", E)], vec![])
    );
    // Extensible: clients handle values they do not know.
    assert_eq!(sides(one, two), (vec![], vec![]));
}

#[test]
fn response_bounds() {
    let (ten, twenty) = (
        "{type: integer, maximum: 10}",
        "{type: integer, maximum: 20}",
    );
    assert_eq!(
        sides(ten, twenty),
        (
            vec![("request-constraint-relaxed", I)],
            vec![("response-bound-relaxed", E)]
        )
    );
    assert_eq!(
        sides(twenty, ten),
        (
            vec![("request-constraint-tightened", E)],
            vec![("response-bound-tightened", I)]
        )
    );
    let (short, any) = ("{type: string, maxLength: 10}", "{type: string}");
    assert_eq!(
        sides(short, any),
        (
            vec![("request-constraint-relaxed", I)],
            vec![("response-bound-relaxed", E)]
        )
    );
    assert_eq!(
        sides(any, short),
        (
            vec![("request-bound-set", W)],
            vec![("response-bound-tightened", I)]
        )
    );
    let props = |n: u32| format!("{{type: object, maxProperties: {n}}}");
    assert_eq!(
        sides(&props(3), &props(4)).1,
        [("response-bound-relaxed", E)]
    );
    let items = |n: u32| format!("{{type: array, minItems: {n}}}");
    assert_eq!(
        sides(&items(2), &items(1)).1,
        [("response-bound-relaxed", E)]
    );
    // maxItems on a string constrains nothing.
    assert_eq!(
        sides("{type: string, maxItems: 3}", "{type: string, maxItems: 1}"),
        (vec![], vec![])
    );
    assert_eq!(
        sides(&deep(ten), &deep(twenty)).1,
        [("response-bound-relaxed", E)]
    );
}

#[test]
fn read_only_and_write_only() {
    let object = |flag: &str| {
        format!("type: object\nproperties:\n  id: {{type: string{flag}}}\nrequired: [id]\n")
    };
    assert_eq!(
        sides(&object(""), &object(", readOnly: true")),
        (vec![("request-property-became-read-only", E)], vec![])
    );
    assert_eq!(
        sides(&object(""), &object(", writeOnly: true")),
        (vec![], vec![("response-property-became-write-only", E)])
    );
    assert_eq!(
        sides(&object(", readOnly: true"), &object("")),
        (vec![], vec![])
    );
    // A new required read-only property is not something clients send.
    let base = "type: object\nproperties:\n  a: {type: string}\n";
    let with_id = format!("{base}  id: {{type: string, readOnly: true}}\nrequired: [id]\n");
    assert_eq!(sides(base, &with_id).0, [("request-property-added", I)]);
    // A write-only property clients never got may go.
    let secret = format!("{base}  secret: {{type: string, writeOnly: true}}\n");
    assert_eq!(sides(&secret, base).1, []);
}

#[test]
fn type_lists_widened_in_a_response_are_errors() {
    let (one, two) = ("{type: string}", "{type: [string, integer]}");
    assert_eq!(
        sides(one, two),
        (
            vec![("request-type-widened", I)],
            vec![("response-type-changed", E)]
        )
    );
    assert_eq!(
        sides(two, one),
        (vec![("request-type-narrowed", E)], vec![])
    );
}

#[test]
fn inside_not_the_direction_turns() {
    let (narrow, wide) = ("{not: {type: string}}", "{not: {type: [string, integer]}}");
    // `not` accepting more means the value accepts less.
    assert_eq!(
        sides(narrow, wide),
        (
            vec![("response-type-changed", E)],
            vec![("request-type-widened", I)]
        )
    );
    assert_eq!(
        sides("{type: string}", "{type: string, not: {const: admin}}"),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
}

#[test]
fn a_change_inside_a_sub_schema_carries_its_pointer() {
    let base = spec(
        &json_body(
            &deep("{type: array, contains: {type: [string, integer]}}"),
            true,
        ),
        "",
    );
    let rev = spec(
        &json_body(&deep("{type: array, contains: {type: string}}"), true),
        "",
    );
    let (b, r) = (
        crate::apicompat::Doc::parse("base.yaml", base).unwrap(),
        crate::apicompat::Doc::parse("openapi.yaml", rev).unwrap(),
    );
    let findings = crate::apicompat::compare(&b, &r).unwrap();
    let pointer = "#/paths/~1items~1{id}/post/requestBody/content/application~1json/schema/properties/list/items/contains";
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].revision.as_ref().map(|l| l.pointer.as_str()),
        Some(pointer)
    );
    assert_eq!(
        findings[0].message,
        "POST /items/{id} request body (application/json).list[] `contains`: type integer | string → string; values clients send may be refused"
    );
}

#[test]
fn multiple_of() {
    let step = |n: &str| format!("{{type: number, multipleOf: {n}}}");
    assert_eq!(
        sides(&step("10"), &step("5")),
        (
            vec![("request-constraint-relaxed", I)],
            vec![("response-bound-relaxed", E)]
        )
    );
    assert_eq!(
        sides(&step("5"), &step("10")),
        (
            vec![("request-constraint-tightened", E)],
            vec![("response-bound-tightened", I)]
        )
    );
    // Neither divides the other: both sides break.
    assert_eq!(
        sides(&step("4"), &step("6")),
        (
            vec![("request-constraint-tightened", E)],
            vec![("response-bound-relaxed", E)]
        )
    );
    assert_eq!(
        sides("{type: number}", &step("0.5")),
        (
            vec![("request-bound-set", W)],
            vec![("response-bound-tightened", I)]
        )
    );
    assert_eq!(
        sides(&step("0.5"), "{type: number}").1,
        [("response-bound-relaxed", E)]
    );
    // On a string, multipleOf constrains nothing.
    assert_eq!(
        sides(
            "{type: string, multipleOf: 2}",
            "{type: string, multipleOf: 3}"
        ),
        (vec![], vec![])
    );
}
