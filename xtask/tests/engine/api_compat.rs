//! `cargo xtask api-compat` and the `openapi/compat` step on real git repositories: the base
//! found as the merge base with main, the latest tag, or nothing (a notice); a shallow clone
//! that fetches its base; the major-version and allowlist excuses; text, JSON and Markdown;
//! annotations at openapi.yaml lines; malformed documents and allowlists with positions.

use crate::support::Ws;
use std::process::Command;

/// A copy of the daemon's document (a fixture: the tests must not change when the API does).
const DOC: &str = include_str!("../data/api-compat/openapi.yaml");

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?}"))
        + 1
}

/// `openapi.yaml` committed on main, then a branch `feature` with `edit` applied to it.
fn branch_with(edit: impl Fn(&str) -> String) -> Ws {
    let ws = Ws::new();
    ws.file("openapi.yaml", DOC);
    // The repository's pipeline, without its ordering after `api-schema` (not in this fixture).
    let pipeline = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../pipelines/api-compat.yaml"
    ))
    .unwrap();
    ws.pipeline("api-compat", &pipeline.replace("after: [api-schema]\n", ""));
    ws.git(&["init", "-q", "-b", "main"])
        .git(&["add", "."])
        .git(&["commit", "-q", "-m", "base"]);
    ws.git(&["checkout", "-q", "-b", "feature"]);
    ws.file("openapi.yaml", &edit(DOC));
    ws.git(&["commit", "-q", "-am", "change"]);
    ws
}

/// Removes `key_id` from the rotation response (a field clients read).
fn remove_response_field(doc: &str) -> String {
    doc.replacen("        key_id:\n          type: string\n        status:\n          description: \"Always `recorded`.\"", "        status:\n          description: \"Always `recorded`.\"", 1)
        .replacen("      - status\n      - key_id\n      - version\n", "      - status\n      - version\n", 1)
}

#[test]
fn a_removed_response_field_breaks_against_the_merge_base_with_main() {
    let ws = branch_with(remove_response_field);
    let revised = std::fs::read_to_string(ws.path("openapi.yaml")).unwrap();
    assert_ne!(revised, DOC, "the edit applied");
    let out = ws.run(&["api-compat"]);
    out.assert(1);
    let properties = line_of(
        &revised[revised.find("RotationRecorded:").unwrap()..],
        "properties:",
    ) + line_of(&revised, "    RotationRecorded:")
        - 1;
    let base_line = line_of(
        &DOC[DOC.find("    RotationRecorded:").unwrap()..],
        "key_id:",
    ) + line_of(DOC, "    RotationRecorded:")
        - 1;
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "openapi.yaml:{properties}:1: error: response-property-removed: POST /api/v1/auth/keys/rotated response 200 (application/json): property `key_id` was removed"
        )
    );
    assert!(
        lines[1].starts_with("    base: openapi.yaml@")
            && lines[1].ends_with(&format!(
                ":{base_line} #/components/schemas/RotationRecorded/properties/key_id"
            )),
        "{}",
        lines[1]
    );
    assert!(out.stderr.starts_with("error: 1 breaking (0 excused), 0 possibly breaking, 0 additive change(s) in openapi.yaml against the merge base with main ("), "{}", out.stderr);

    let json = ws.run(&["api-compat", "--format", "json"]);
    json.assert(1);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["outcome"], "breaking");
    assert_eq!(report["findings"][0]["rule"], "response-property-removed");
    assert_eq!(report["findings"][0]["level"], "error");
    assert_eq!(report["findings"][0]["revision"]["line"], properties);
    assert_eq!(
        report["findings"][0]["base"]["pointer"],
        "#/components/schemas/RotationRecorded/properties/key_id"
    );

    let markdown = ws.run(&["api-compat", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .starts_with("### ❌ API compatibility of `openapi.yaml`\n"),
        "{}",
        markdown.stdout
    );
    assert!(markdown.stdout.contains(&format!("| error | `response-property-removed` | POST /api/v1/auth/keys/rotated response 200 (application/json): property `key_id` was removed | {properties} | {base_line} |\n")), "{}", markdown.stdout);
}

#[test]
fn a_new_required_request_field_fails_the_step_with_an_annotation_and_an_additive_change_passes() {
    let required = |doc: &str| {
        doc.replacen(
            "      required:\n      - key_id\n",
            "      required:\n      - key_id\n      - reason\n",
            1,
        )
        .replacen(
            "        key_id:\n          description:",
            "        reason:\n          type: string\n        key_id:\n          description:",
            1,
        )
    };
    let ws = branch_with(required);
    let revised = std::fs::read_to_string(ws.path("openapi.yaml")).unwrap();
    assert!(
        revised.contains("      - reason\n") && revised.contains("        reason:\n"),
        "the edit applied"
    );
    let (out, summary) = ws.run_in_actions(&["run", "api-compat"]);
    let stdout = &out.stdout;
    out.assert(1);
    let line = line_of(&revised, "        reason:");
    assert!(stdout.contains(&format!("::error file=openapi.yaml,line={line},col=1,title=request-property-added-required::POST /api/v1/auth/keys/rotated request body (application/json): property `reason` is new and required")), "{stdout}");
    assert!(summary.contains("| `request-property-added-required` |"));

    // The same field, optional: additive, the step passes and says so.
    let ws = branch_with(|doc| {
        doc.replacen(
            "        key_id:\n          description:",
            "        reason:\n          type: string\n        key_id:\n          description:",
            1,
        )
    });
    let out = ws.run(&["run", "api-compat"]);
    out.assert(0);
    assert!(out.stdout.contains(": info: request-property-added: POST /api/v1/auth/keys/rotated request body (application/json): property `reason` is new\n"), "{}", out.stdout);
    assert!(out.stdout.contains("0 breaking (0 excused), 0 possibly breaking, 1 additive change(s) in openapi.yaml against the merge base with main ("), "{}", out.stdout);
}

#[test]
fn a_major_version_bump_or_an_allowlist_entry_excuses_a_breaking_change() {
    let ws = branch_with(|doc| {
        remove_response_field(doc).replacen("  version: \"1.0.0\"", "  version: \"2.0.0\"", 1)
    });
    let out = ws.run(&["api-compat"]);
    out.assert(0);
    assert!(
        out.stdout
            .contains("    not failing: the major version went up (1.0.0 → 2.0.0)\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("0 breaking (1 excused)"),
        "{}",
        out.stderr
    );

    let ws = branch_with(remove_response_field);
    ws.file(
        "policies/api-compat-allowlist.yaml",
        "- rule: response-property-removed\n  pointer: \"#/components/schemas/RotationRecorded/properties/key_id\"\n  reason: no client reads key_id (checked in the access logs)\n",
    );
    let out = ws.run(&["api-compat"]);
    out.assert(0);
    assert!(out.stdout.contains("    not failing: allowed in policies/api-compat-allowlist.yaml: no client reads key_id (checked in the access logs)\n"), "{}", out.stdout);

    ws.file("policies/api-compat-allowlist.yaml", "- rule: response-property-remove\n  pointer: \"#/x\"\n  reason: r\n- rule: path-removed\n  pointer: /paths\n  reason: r\n");
    let out = ws.run(&["api-compat"]);
    out.assert(2);
    assert!(out.stderr.contains("error: unknown rule `response-property-remove`\n --> policies/api-compat-allowlist.yaml:1:9\n"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("did you mean `response-property-removed`?"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("error: `/paths` is not a JSON pointer into the document\n --> policies/api-compat-allowlist.yaml:5:12\n"), "{}", out.stderr);
}

#[test]
fn the_base_is_the_latest_tag_on_main_and_nothing_without_one() {
    let ws = Ws::new();
    ws.file("openapi.yaml", DOC);
    ws.git(&["init", "-q", "-b", "main"])
        .git(&["add", "."])
        .git(&["commit", "-q", "-m", "base"]);
    let out = ws.run(&["api-compat"]);
    out.assert(0);
    assert_eq!(
        out.stderr,
        "notice: openapi.yaml not compared: no base: HEAD is on the default branch (or there is none) and no tag precedes it\n"
    );

    ws.git(&["tag", "v1.0.0"]);
    ws.file("openapi.yaml", &remove_response_field(DOC));
    ws.git(&["commit", "-q", "-am", "on main"]);
    let out = ws.run(&["api-compat"]);
    out.assert(1);
    assert!(
        out.stderr.contains("against the latest tag v1.0.0 ("),
        "{}",
        out.stderr
    );
    // A release compares with the release before it.
    ws.git(&["tag", "v1.1.0"]);
    let out = ws.run(&["api-compat"]);
    out.assert(1);
    assert!(
        out.stderr.contains("against the latest tag v1.0.0 ("),
        "{}",
        out.stderr
    );

    let no_doc = Ws::new();
    no_doc.file("README", "x\n");
    no_doc
        .git(&["init", "-q", "-b", "main"])
        .git(&["add", "."])
        .git(&["commit", "-q", "-m", "base"])
        .git(&["checkout", "-q", "-b", "feature"]);
    no_doc.file("openapi.yaml", DOC);
    no_doc
        .git(&["add", "openapi.yaml"])
        .git(&["commit", "-q", "-m", "the first API"]);
    let out = no_doc.run(&["api-compat"]);
    out.assert(0);
    assert!(out.stderr.starts_with("notice: openapi.yaml not compared: openapi.yaml does not exist at the base (the merge base with main, "), "{}", out.stderr);
}

#[test]
fn a_shallow_pull_request_clone_fetches_its_base_or_names_the_fetch_command() {
    let origin = branch_with(remove_response_field);
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", origin.root().display());
    let status = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--branch", "feature", &url])
        .arg(clone.path())
        .status()
        .unwrap();
    assert!(status.success());
    let run = |extra: &[(&str, &str)]| {
        Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["--color", "never", "--root"])
            .arg(clone.path())
            .arg("api-compat")
            .env("GITHUB_BASE_REF", "main")
            .envs(extra.iter().copied())
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("against the merge base with origin/main ("),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("response-property-removed"));

    // A clone whose remote is gone cannot fetch: the error names the command.
    let gone = tempfile::tempdir().unwrap();
    let status = Command::new("git")
        .args(["clone", "-q", "--depth", "1", "--branch", "feature", &url])
        .arg(gone.path())
        .status()
        .unwrap();
    assert!(status.success());
    Command::new("git")
        .args(["remote", "set-url", "origin", "file:///nonexistent/repo"])
        .current_dir(gone.path())
        .status()
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["--color", "never", "--root"])
        .arg(gone.path())
        .arg("api-compat")
        .env("GITHUB_BASE_REF", "main")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: the base `origin/main` is not in this clone and fetching it failed; fetch it with: git fetch --quiet --no-tags --unshallow origin +refs/heads/main:refs/remotes/origin/main\n"
    );
}

/// Found by fuzzing: two `"200":` responses were accepted, and the walk paired each base
/// entry with the first revision entry, so a document differed from itself.
#[test]
fn a_duplicate_key_in_a_document_is_a_positioned_error() {
    let ws = branch_with(|doc| {
        doc.replacen(
            "        \"200\":\n",
            "        \"200\":\n          description: first\n        \"200\":\n",
            1,
        )
    });
    let revised = std::fs::read_to_string(ws.path("openapi.yaml")).unwrap();
    let line = line_of(&revised, "description: first") + 1;
    let out = ws.run(&["api-compat", "--base", "main"]);
    out.assert(2);
    assert!(
        out.stderr.starts_with(&format!(
            "error: duplicate key `200`\n  --> openapi.yaml:{line}:9\n"
        )),
        "{}",
        out.stderr
    );
}

#[test]
fn malformed_documents_are_positioned_errors() {
    let ws = branch_with(|doc| {
        doc.replacen(
            "\"$ref\": \"#/components/schemas/KeyRotation\"",
            "\"$ref\": \"#/components/schemas/KeyRotations\"",
            1,
        )
    });
    let revised = std::fs::read_to_string(ws.path("openapi.yaml")).unwrap();
    let out = ws.run(&["api-compat"]);
    out.assert(2);
    let line = line_of(&revised, "KeyRotations");
    assert!(out.stderr.starts_with(&format!("error: `$ref: #/components/schemas/KeyRotations` names nothing in this document\n  --> openapi.yaml:{line}:")), "{}", out.stderr);
    assert!(
        out.stderr.ends_with("error: 1 error in openapi.yaml\n"),
        "{}",
        out.stderr
    );

    let ws = branch_with(|doc| doc.replacen("paths:\n", "paths: [\n", 1));
    let out = ws.run(&["api-compat"]);
    out.assert(2);
    assert!(out.stderr.contains("--> openapi.yaml:"), "{}", out.stderr);
}

/// `policies/api-compat.yaml`: under `deprecation.min_days`, deprecating an operation without
/// a far enough `x-sunset` breaks; a mistake in the file is positioned.
#[test]
fn the_deprecation_policy_asks_for_a_sunset_far_enough_ahead() {
    let deprecate = |sunset: &'static str| {
        move |doc: &str| {
            doc.replacen(
                "      operationId: keyRotated\n",
                &format!("      operationId: keyRotated\n      deprecated: true\n{sunset}"),
                1,
            )
        }
    };
    let ws = branch_with(deprecate(""));
    ws.file("policies/api-compat.yaml", "deprecation:\n  min_days: 90\n");
    let out = ws.run(&["api-compat", "--base", "main"]);
    out.assert(1);
    let revised = std::fs::read_to_string(ws.path("openapi.yaml")).unwrap();
    let line = line_of(&revised, "    post:");
    assert_eq!(
        out.stdout.lines().next().unwrap(),
        format!(
            "openapi.yaml:{line}:1: error: sunset-too-soon: POST /api/v1/auth/keys/rotated is deprecated without an `x-sunset`; the deprecation policy asks for one at least 90 days ahead"
        )
    );

    let ws = branch_with(deprecate("      x-sunset: 2999-01-01\n"));
    ws.file("policies/api-compat.yaml", "deprecation:\n  min_days: 90\n");
    ws.run(&["api-compat", "--base", "main"]).assert(0);

    ws.file(
        "policies/api-compat.yaml",
        "deprecation:\n  min_days: soon\n",
    );
    let out = ws.run(&["api-compat", "--base", "main"]);
    out.assert(2);
    assert!(
        out.stderr.starts_with(
            "error: `min_days` must be a number of days, found a string\n --> policies/api-compat.yaml:2:13\n"
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("e.g. `min_days: 90`"), "{}", out.stderr);
}
