//! oneOf/anyOf alternatives (matched by `$ref`, then by shape), wrapping a schema in oneOf,
//! and allOf members, in both directions.

use super::{E, Found, I, W};
const PETS: &str = "Cat:\n  type: object\n  properties:\n    meows: {type: boolean}\nDog:\n  type: object\n  properties:\n    barks: {type: boolean}\n";

fn sides(base: &str, rev: &str) -> (Found, Found) {
    super::sides(PETS, base, rev)
}

const CAT: &str = "{$ref: '#/components/schemas/Cat'}";
const DOG: &str = "{$ref: '#/components/schemas/Dog'}";

#[test]
fn alternatives_removed_and_added() {
    let both = "oneOf: [{type: string}, {type: integer}]";
    let one = "oneOf: [{type: string}]";
    assert_eq!(
        sides(both, one),
        (
            vec![("request-alternative-removed", E)],
            vec![("response-alternative-removed", I)]
        )
    );
    assert_eq!(
        sides(one, both),
        (
            vec![("request-alternative-added", I)],
            vec![("response-alternative-added", E)]
        )
    );
    let any = |list: &str| format!("anyOf: [{list}]");
    assert_eq!(
        sides(&any(&format!("{CAT}, {DOG}")), &any(CAT)).0,
        [("request-alternative-removed", E)]
    );
}

#[test]
fn alternatives_match_by_reference_whatever_their_order() {
    let (cd, dc) = (
        format!("oneOf: [{CAT}, {DOG}]"),
        format!("oneOf: [{DOG}, {CAT}]"),
    );
    assert_eq!(sides(&cd, &dc), (vec![], vec![]));
    // A change inside a matched alternative is found in it.
    let typed =
        |t: &str| format!("oneOf: [{CAT}, {{type: object, properties: {{id: {{type: {t}}}}}}}]");
    assert_eq!(
        sides(&typed("string"), &typed("integer")),
        (
            vec![("request-type-narrowed", E)],
            vec![("response-type-changed", E)]
        )
    );
}

#[test]
fn a_schema_wrapped_in_one_of() {
    let wrapped = format!("oneOf: [{CAT}, {DOG}]");
    assert_eq!(
        sides("$ref: '#/components/schemas/Cat'", &wrapped),
        (
            vec![("request-alternative-added", I)],
            vec![("response-alternative-added", E)]
        )
    );
    assert_eq!(
        sides(&wrapped, "$ref: '#/components/schemas/Cat'"),
        (
            vec![("request-alternative-removed", E)],
            vec![("response-alternative-removed", I)]
        )
    );
    // An inline schema matches the alternative of its type.
    assert_eq!(
        sides("{type: string}", "oneOf: [{type: string}, {type: integer}]"),
        (
            vec![("request-alternative-added", I)],
            vec![("response-alternative-added", E)]
        )
    );
}

#[test]
fn one_of_became_any_of() {
    let list = format!("[{CAT}, {DOG}]");
    assert_eq!(
        sides(&format!("oneOf: {list}"), &format!("anyOf: {list}")),
        (
            vec![("schema-composition-changed", W)],
            vec![("schema-composition-changed", W)]
        )
    );
    // A oneOf added beside a schema's own shape constrains it further.
    assert_eq!(
        sides(
            "{type: object}",
            &format!("{{type: object, oneOf: [{CAT}, {DOG}]}}")
        ),
        (
            vec![("request-subschema-added", E)],
            vec![("response-subschema-added", I)]
        )
    );
}

#[test]
fn all_of_members() {
    let aged = "{type: object, properties: {age: {type: integer}}}";
    let (one, two) = (format!("allOf: [{CAT}]"), format!("allOf: [{CAT}, {aged}]"));
    assert_eq!(
        sides(&one, &two),
        (
            vec![("request-property-added", I), ("request-all-of-added", E)],
            vec![("response-property-added", I)]
        )
    );
    assert_eq!(
        sides(&two, &one),
        (
            vec![("request-property-removed", E)],
            vec![
                ("response-property-removed", E),
                ("response-all-of-removed", E)
            ]
        )
    );
}
