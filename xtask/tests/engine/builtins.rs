//! The `drift` and `openapi/lint` built-ins on temp workspaces, with real git and a real
//! Redocly CLI provisioned from npm by the engine.

use crate::support::{Ws, redact};

/// A workspace whose `gen` pipeline checks `out.txt` against a generator printing `content`.
fn drift_ws(committed: &str, generated: &str) -> Ws {
    let ws = Ws::new();
    ws.file("generated.txt", generated);
    ws.file("out.txt", committed);
    ws.pipeline(
        "gen",
        "steps:\n  - id: drift\n    uses: drift\n    with:\n      generated: [cp, generated.txt, \"{{ output }}\"]\n      committed: out.txt\n      fix: cargo xtask run regen\n",
    );
    ws.git(&["init", "-q"]);
    ws.git(&["add", "out.txt"]);
    ws
}

#[test]
fn drift_passes_when_the_committed_file_matches() {
    let ws = drift_ws("a\nb\n", "a\nb\n");
    let out = ws.run(&["run", "gen"]);
    out.assert(0);
    assert!(out.stdout.starts_with("✓ gen/drift "), "{}", out.stdout);
    assert!(
        out.stdout.contains("\nout.txt is up to date\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn drift_fails_with_a_numbered_diff_the_fix_and_an_annotation() {
    let ws = drift_ws("one\ntwo\nthree\n", "one\n2\nthree\nfour\n");
    let before = std::fs::read(ws.path("out.txt")).unwrap();
    let out = ws.run(&["run", "gen"]);
    out.assert(1);
    assert!(
        redact(&out.stdout).starts_with(
            "✗ gen/drift [T]: out.txt is out of date with the code; run: cargo xtask run regen\n\
             --- out.txt (committed)\n+++ out.txt (generated)\n@@ -1,3 +1,4 @@\n\
             \x20   1     1  one\n    2       -two\n          2 +2\n    3     3  three\n          4 +four\n\
             error: out.txt differs from what the code generates\n"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(
        std::fs::read(ws.path("out.txt")).unwrap(),
        before,
        "drift never writes the committed file"
    );
    let github = ws.run_with(&["run", "gen"], &[("GITHUB_ACTIONS", "true")]);
    assert!(
        github.stdout.contains("::error file=out.txt,line=2,col=1,title=gen/drift::out.txt differs from what the code generates%0Ahint: run: cargo xtask run regen\n"),
        "{}",
        github.stdout
    );
}

#[test]
fn drift_explains_crlf_line_endings() {
    let ws = drift_ws("a\r\nb\r\n", "a\nb\n");
    let out = ws.run(&["run", "gen"]);
    out.assert(1);
    assert!(out.stdout.contains(": out.txt differs only in line endings (CRLF instead of LF); run: cargo xtask run regen\n"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("out.txt has CRLF line endings; the generator writes LF"),
        "{}",
        out.stdout
    );
}

#[test]
fn drift_requires_the_file_to_exist_and_be_tracked() {
    let ws = drift_ws("a\n", "a\n");
    ws.git(&["rm", "-q", "--cached", "out.txt"]);
    let out = ws.run(&["run", "gen"]);
    out.assert(1);
    assert!(out.stdout.contains(": out.txt is not tracked by git; commit it (git add out.txt) so CI can compare against it\n"), "{}", out.stdout);
    std::fs::remove_file(ws.path("out.txt")).unwrap();
    let out = ws.run(&["run", "gen"]);
    assert!(
        out.stdout
            .contains(": out.txt does not exist; create it with: cargo xtask run regen\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_failing_generator_leaves_the_committed_file_alone() {
    let ws = drift_ws("keep me\n", "x\n");
    ws.pipeline(
        "gen",
        "steps:\n  - id: drift\n    uses: drift\n    with:\n      generated: [sh, -c, \"echo compile error >&2; exit 3\", \"{{ output }}\"]\n      committed: out.txt\n      fix: cargo xtask run regen\n",
    );
    let out = ws.run(&["run", "gen"]);
    out.assert(1);
    assert!(
        out.stdout.contains(
            ": the generator failed (exit status 3); out.txt was not touched\ncompile error\n"
        ),
        "{}",
        out.stdout
    );
    assert_eq!(
        std::fs::read_to_string(ws.path("out.txt")).unwrap(),
        "keep me\n"
    );
}

#[test]
fn drift_arguments_are_checked_when_loading() {
    let ws = Ws::new();
    ws.pipeline(
        "gen",
        "steps:\n  - id: d\n    uses: drift\n    with: { generated: [gen], committed: ../x }\n",
    );
    let out = ws.run(&["check"]);
    out.assert(2);
    assert!(
        out.stderr.contains("error: `drift` needs `fix`\n"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("error: `generated` must write to `{{ output }}`\n"),
        "{}",
        out.stderr
    );
}

const SPEC: &str = "openapi: 3.1.0
info:
  title: demo
  version: 1.0.0
  license: { name: MIT, identifier: MIT }
servers:
  - url: http://127.0.0.1
security: []
paths:
  /things:
    get:
      operationId: listThings
      summary: List things
      responses:
        '200':
          description: ok
        '400':
          description: bad
";

#[test]
fn lint_reports_redocly_findings_at_their_lines() {
    let ws = Ws::new();
    ws.file("openapi.yaml", SPEC);
    ws.file("redocly.yaml", "extends:\n  - recommended\n");
    ws.pipeline(
        "api",
        "env: { REDOCLY_TELEMETRY: \"off\", REDOCLY_SUPPRESS_UPDATE_NOTICE: \"true\" }\ntools:\n  redocly:\n    version: \"2.77.0\"\n    install: npm install --prefix {{ prefix }} --no-audit --no-fund --loglevel=error @redocly/cli@2.77.0\n    bin: node_modules/.bin\nsteps:\n  - id: lint\n    uses: openapi/lint\n    with: { file: openapi.yaml, config: redocly.yaml }\n",
    );
    let clean = ws.run(&["run", "api"]);
    clean.assert(0);
    assert!(
        clean
            .stdout
            .contains("redocly lint openapi.yaml: 0 errors, 0 warnings\n"),
        "{}",
        clean.stdout
    );
    // Without an operationId: a warning of the recommended rules, at the operation.
    ws.file(
        "openapi.yaml",
        &SPEC.replace("      operationId: listThings\n", ""),
    );
    let warned = ws.run(&["run", "api", "--json"]);
    warned.assert(0);
    assert!(
        warned.stderr.contains("warning: Operation object should contain `operationId` field. (operation-operationId)\n  --> openapi.yaml:11:5\n"),
        "{}",
        warned.stderr
    );
    let report: serde_json::Value = serde_json::from_str(&warned.stdout).unwrap();
    let finding = &report["steps"][0]["findings"][0];
    assert_eq!(
        (
            finding["file"].as_str(),
            finding["line"].as_u64(),
            finding["severity"].as_str()
        ),
        (Some("openapi.yaml"), Some(11), Some("warning"))
    );
    // A reference to a schema that does not exist: an error, and the step fails.
    let broken = SPEC.replace("          description: bad\n", "          description: bad\n          content:\n            application/json:\n              schema: { $ref: '#/components/schemas/Missing' }\n");
    ws.file("openapi.yaml", &broken);
    let out = ws.run(&["run", "api"]);
    out.assert(1);
    assert!(
        out.stdout
            .contains("error: Can't resolve $ref (no-unresolved-refs)\n  --> openapi.yaml:21:23\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(": openapi.yaml has 1 lint errors\n"),
        "{}",
        out.stdout
    );
}
