//! Operations and documents: request bodies, media types and their schemas, response
//! headers, webhooks, paths without operations, and the deprecation policy.

use super::{E, I, OK, W, json_body, json_response, rules, spec};
use crate::apicompat::{Doc, Options, compare_with};

#[test]
fn request_bodies_removed() {
    let (none, body) = (spec(OK, ""), spec(&json_body("{type: object}", false), ""));
    assert_eq!(rules(&body, &none), [("request-body-removed", W)]);
    assert_eq!(rules(&none, &body), [("request-body-added", I)]);
}

#[test]
fn media_type_schemas_added_and_removed() {
    let typed = "requestBody:\n  content:\n    application/json:\n      schema: {type: object}\n";
    let untyped = "requestBody:\n  content:\n    application/json: {}\n";
    let request = |body: &str| spec(&format!("{body}{OK}"), "");
    assert_eq!(
        rules(&request(untyped), &request(typed)),
        [("request-media-schema-added", E)]
    );
    assert_eq!(rules(&request(typed), &request(untyped)), []);
    let response = |media: &str| {
        spec(
            &format!(
                "responses:\n  '200':\n    description: ok\n    content:\n      application/json:{media}\n"
            ),
            "",
        )
    };
    let (r_typed, r_untyped) = (
        response("\n        schema: {type: object}"),
        response(" {}"),
    );
    assert_eq!(
        rules(&r_typed, &r_untyped),
        [("response-media-schema-removed", E)]
    );
    assert_eq!(rules(&r_untyped, &r_typed), []);
}

#[test]
fn media_types_follow_matching_rules() {
    let response = spec(&json_response("{type: object}"), "");
    let charset = response.replace("application/json", "'application/json; charset=utf-8'");
    assert_eq!(
        rules(&response, &charset),
        [("media-type-parameters-changed", W)]
    );
    let problem = response.replace("application/json", "application/problem+json");
    assert_eq!(rules(&response, &problem), [("media-type-compatible", I)]);
    assert_eq!(
        rules(&problem, &response),
        [
            ("response-content-type-removed", E),
            ("response-content-type-added", I)
        ]
    );
    let request = spec(&json_body("{type: object}", true), "");
    let wildcard = request.replace("application/json", "'application/*'");
    assert_eq!(rules(&request, &wildcard), [("media-type-compatible", I)]);
    assert_eq!(
        rules(
            &request,
            &request.replace("application/json", "application/problem+json")
        ),
        [
            ("request-content-type-removed", E),
            ("request-content-type-added", I)
        ]
    );
}

fn with_headers(headers: &str) -> String {
    let indented: String = headers.lines().map(|l| format!("      {l}\n")).collect();
    spec(
        &format!("responses:\n  '200':\n    description: ok\n    headers:\n{indented}"),
        "",
    )
}

#[test]
fn response_headers() {
    let required = with_headers("X-Rate-Limit: {required: true, schema: {type: integer}}");
    let optional = with_headers("X-Rate-Limit: {required: false, schema: {type: integer}}");
    let none = with_headers("{}");
    assert_eq!(rules(&required, &none), [("response-header-removed", E)]);
    assert_eq!(
        rules(&optional, &none),
        [("response-optional-header-removed", W)]
    );
    assert_eq!(
        rules(&required, &optional),
        [("response-header-became-optional", E)]
    );
    assert_eq!(rules(&optional, &required), []);
    assert_eq!(rules(&none, &required), [("response-header-added", I)]);
    let text = with_headers("X-Rate-Limit: {required: true, schema: {type: string}}");
    assert_eq!(rules(&required, &text), [("response-type-changed", E)]);
    // Header names are case-insensitive.
    assert_eq!(
        rules(&required, &required.replace("X-Rate-Limit", "x-rate-limit")),
        []
    );
}

fn webhook(body: &str) -> String {
    let indented: String = body.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "openapi: 3.1.0\ninfo:\n  title: t\n  version: 1.0.0\nwebhooks:\n  keyRotated:\n    post:\n{indented}"
    )
}

#[test]
fn webhooks() {
    let object = "type: object\nproperties:\n  key_id: {type: string}\n  at: {type: string}\nrequired: [key_id]\n";
    let hook = webhook(&json_body(object, true));
    let none = "openapi: 3.1.0\ninfo:\n  title: t\n  version: 1.0.0\nwebhooks: {}\n";
    assert_eq!(rules(&hook, none), [("webhook-removed", E)]);
    assert_eq!(rules(none, &hook), [("webhook-added", I)]);
    // The API sends a webhook's body: what subscribers read may only narrow.
    let fewer = webhook(&json_body(
        &object.replace("  at: {type: string}\n", ""),
        true,
    ));
    assert_eq!(rules(&hook, &fewer), [("response-property-removed", E)]);
    assert_eq!(rules(&fewer, &hook), [("response-property-added", I)]);
    let optional = webhook(&json_body(
        &object.replace("required: [key_id]\n", ""),
        true,
    ));
    assert_eq!(
        rules(&hook, &optional),
        [("response-property-became-optional", E)]
    );
}

#[test]
fn a_path_without_operations_is_not_missed() {
    let empty = spec(OK, "").replace("paths:\n", "paths:\n  /legacy: {}\n");
    assert_eq!(rules(&empty, &spec(OK, "")), []);
}

/// Findings of `base` → `rev` judged on day `today` under `min_days`.
fn judged(
    base: &str,
    rev: &str,
    min_days: Option<u32>,
) -> Vec<(&'static str, crate::apicompat::Level)> {
    let options = Options {
        today: crate::text::time::days_from_civil(2026, 12, 1),
        min_days,
    };
    let (b, r) = (
        Doc::parse("base.yaml", base.into()).unwrap(),
        Doc::parse("openapi.yaml", rev.into()).unwrap(),
    );
    let findings = compare_with(&b, &r, options).unwrap_or_else(|d| panic!("{}", d[0].message));
    findings.into_iter().map(|f| (f.rule, f.level)).collect()
}

#[test]
fn removal_after_deprecation_and_sunset() {
    let two = |flags: &str| {
        spec(OK, "").replace(
            "    post:\n",
            &format!("    get:\n{flags}      responses:\n        '200':\n          description: ok\n    post:\n"),
        )
    };
    let one = spec(OK, "");
    assert_eq!(judged(&two(""), &one, None), [("operation-removed", E)]);
    assert_eq!(
        judged(&two("      deprecated: true\n"), &one, None),
        [("deprecated-removed", I)]
    );
    let sunset = |day: &str| two(&format!("      deprecated: true\n      x-sunset: {day}\n"));
    assert_eq!(
        judged(&sunset("2026-11-30"), &one, None),
        [("deprecated-removed", I)]
    );
    assert_eq!(
        judged(&sunset("2027-03-01"), &one, None),
        [("removed-before-sunset", E)]
    );
    // Under a policy, a deprecation without a sunset does not allow the removal.
    assert_eq!(
        judged(&two("      deprecated: true\n"), &one, Some(90)),
        [("removed-before-sunset", E)]
    );
    let limit = |flags: &str| {
        spec(
            &format!(
                "parameters:\n  - {{name: limit, in: query, schema: {{type: integer}}{flags}}}\n{OK}"
            ),
            "",
        )
    };
    assert_eq!(
        judged(&limit(", deprecated: true"), &one, None),
        [("deprecated-removed", I)]
    );
    assert_eq!(
        judged(
            &limit(", deprecated: true, x-sunset: 2027-01-01"),
            &one,
            None
        ),
        [("removed-before-sunset", E)]
    );
    let object = |flags: &str| {
        format!(
            "type: object\nproperties:\n  a: {{type: string}}\n  old: {{type: string{flags}}}\n"
        )
    };
    let without = "type: object\nproperties:\n  a: {type: string}\n";
    let resp = |s: &str| spec(&json_response(s), "");
    assert_eq!(
        judged(&resp(&object("")), &resp(without), None),
        [("response-property-removed", E)]
    );
    assert_eq!(
        judged(&resp(&object(", deprecated: true")), &resp(without), None),
        [("deprecated-removed", I)]
    );
}

#[test]
fn deprecating_under_a_policy_needs_a_far_enough_sunset() {
    let op = |flags: &str| spec(&format!("{flags}{OK}"), "");
    let plain = op("");
    assert_eq!(
        judged(&plain, &op("deprecated: true\n"), Some(90)),
        [("sunset-too-soon", E)]
    );
    assert_eq!(
        judged(
            &plain,
            &op("deprecated: true\nx-sunset: 2026-12-31\n"),
            Some(90)
        ),
        [("sunset-too-soon", E)]
    );
    assert_eq!(
        judged(
            &plain,
            &op("deprecated: true\nx-sunset: 2027-03-01\n"),
            Some(90)
        ),
        []
    );
    assert_eq!(judged(&plain, &op("deprecated: true\n"), None), []);
    let query = |flags: &str| {
        spec(
            &format!(
                "parameters:\n  - {{name: q, in: query, schema: {{type: string}}{flags}}}\n{OK}"
            ),
            "",
        )
    };
    assert_eq!(
        judged(&query(""), &query(", deprecated: true"), Some(30)),
        [("sunset-too-soon", E)]
    );
    let property = |flags: &str| {
        spec(
            &json_response(&format!(
                "type: object\nproperties:\n  a: {{type: string{flags}}}\n"
            )),
            "",
        )
    };
    assert_eq!(
        judged(&property(""), &property(", deprecated: true"), Some(30)),
        [("sunset-too-soon", E)]
    );
}

#[test]
fn a_malformed_sunset_is_a_positioned_error() {
    let base = spec(OK, "").replace(
        "    post:\n",
        "    get:\n      deprecated: true\n      x-sunset: soon\n      responses:\n        '200':\n          description: ok\n    post:\n",
    );
    let (b, r) = (
        Doc::parse("base.yaml", base).unwrap(),
        Doc::parse("openapi.yaml", spec(OK, "")).unwrap(),
    );
    let errors = compare_with(&b, &r, Options::now()).unwrap_err();
    assert_eq!(
        (errors[0].location(), errors[0].message.as_str()),
        (
            "base.yaml:9:17".to_string(),
            "`x-sunset: soon` is not a date (YYYY-MM-DD)"
        )
    );
}
