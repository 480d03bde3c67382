//! `cargo xtask workflow` on a fixture set of pipelines: the generated file against a golden
//! copy (job needs from `needs` and `after`, secrets only where declared, artifacts uploaded
//! and downloaded downstream, a gate job for `ci`); `--check` on a hand edit; the `workflow`
//! pipeline's drift and the real actionlint on what it generates.

use crate::support::{REPO, Ws};

const GOLDEN: &str = "tests/data/workflow/ci.yml";

/// build → package (outputs, a secret) → publish (after lint); lint alone; ci gathers them;
/// `bench` is not reached from ci and gets no job; a rust-toolchain.toml pins the toolchain.
fn fixture() -> Ws {
    let ws = Ws::new();
    ws.pipeline(
        "ci",
        "description: Everything CI checks\nneeds: [lint, publish]\n",
    );
    ws.pipeline(
        "lint",
        "description: Lints\nsteps:\n  - id: clippy\n    run: cargo clippy\n",
    );
    ws.pipeline("build", "description: Builds the binaries\nsteps:\n  - id: build\n    run: cargo build --release\n    outputs: [target/release/app]\n");
    ws.pipeline(
        "package",
        "description: Packages and signs\nneeds: [build]\nsecrets: [SIGNING_KEY]\nsteps:\n  - id: tar\n    run: tar czf dist/app.tar.gz target/release/app\n    outputs: [\"dist/*.tar.gz\", dist/SHA256SUMS]\n",
    );
    ws.pipeline(
        "publish",
        "description: Publishes the package\nneeds: [package]\nafter: [lint]\nsecrets: [REGISTRY_TOKEN, SIGNING_KEY]\nsteps:\n  - id: upload\n    run: \"true\"\n",
    );
    ws.pipeline("bench", "steps:\n  - id: bench\n    run: \"true\"\n");
    // The toolchain the jobs install comes from here.
    ws.file("rust-toolchain.toml", "[toolchain]\nchannel = \"1.95.0\"\n");
    ws
}

#[test]
fn the_workflow_matches_the_golden_file() {
    let ws = fixture();
    let out = ws.run(&["workflow"]);
    out.assert(0);
    assert_eq!(out.stdout, "✓ wrote .github/workflows/ci.yml (5 jobs)\n");
    let generated = std::fs::read_to_string(ws.path(".github/workflows/ci.yml")).unwrap();
    let golden = std::path::Path::new(REPO).join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &generated).unwrap();
    }
    assert_eq!(
        generated,
        std::fs::read_to_string(&golden).unwrap(),
        "UPDATE_GOLDEN=1 rewrites {GOLDEN}"
    );

    let again = ws.run(&["workflow"]);
    again.assert(0);
    assert_eq!(
        again.stdout,
        "✓ .github/workflows/ci.yml is up to date (5 jobs)\n"
    );
}

#[test]
fn check_fails_with_a_diff_on_a_hand_edit_and_passes_when_regenerated() {
    let ws = fixture();
    ws.run(&["workflow"]).assert(0);
    let path = ws.path(".github/workflows/ci.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("timeout-minutes: 60", "timeout-minutes: 90"),
    )
    .unwrap();
    let out = ws.run(&["workflow", "--check"]);
    out.assert(1);
    assert!(out.stdout.starts_with("--- .github/workflows/ci.yml (committed)\n+++ .github/workflows/ci.yml (generated)\n@@ "), "{}", out.stdout);
    assert!(
        out.stdout.contains("-    timeout-minutes: 90\n")
            && out.stdout.contains("+    timeout-minutes: 60\n"),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stderr,
        "error: .github/workflows/ci.yml differs from what the pipelines generate; run: cargo xtask workflow\n"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text.replace("timeout-minutes: 60", "timeout-minutes: 90"),
        "--check writes nothing"
    );

    ws.run(&["workflow"]).assert(0);
    let ok = ws.run(&["workflow", "--check"]);
    ok.assert(0);
    assert_eq!(
        ok.stdout,
        "✓ .github/workflows/ci.yml is up to date (5 jobs)\n"
    );

    std::fs::remove_file(&path).unwrap();
    let missing = ws.run(&["workflow", "--check"]);
    missing.assert(1);
    assert_eq!(
        missing.stderr,
        "error: .github/workflows/ci.yml does not exist; run: cargo xtask workflow\n"
    );
}

/// The comparison `drift` uses: a CRLF checkout of the workflow is named as such, no diff.
#[test]
fn check_names_crlf_line_endings_instead_of_printing_a_diff() {
    let ws = fixture();
    ws.run(&["workflow"]).assert(0);
    let path = ws.path(".github/workflows/ci.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    let out = ws.run(&["workflow", "--check"]);
    out.assert(1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "error: .github/workflows/ci.yml differs only in line endings (CRLF instead of LF, from line 1); run: cargo xtask workflow\n"
    );
}

#[test]
fn without_a_ci_pipeline_there_is_nothing_to_generate() {
    let ws = Ws::new();
    ws.pipeline("lint", "steps:\n  - id: x\n    run: \"true\"\n");
    let out = ws.run(&["workflow"]);
    out.assert(2);
    assert_eq!(
        out.stderr,
        "error: there is no `ci` pipeline, so there is no workflow to generate\n  hint: the workflow has one job per pipeline that pipelines/ci.yaml needs\n"
    );
}

#[test]
fn the_workflow_pipeline_drift_checks_and_actionlints_the_generated_file() {
    let ws = fixture();
    ws.copy_from_repo("pipelines/workflow.yaml");
    // `workflow` is not reached from this fixture's ci, so the file is the same.
    ws.run(&["workflow"]).assert(0);
    ws.git(&["init", "-q", "-b", "main"])
        .git(&["add", "."])
        .git(&["commit", "-q", "-m", "init"]);
    let out = ws.run(&["run", "workflow"]);
    out.assert(0);
    assert!(
        out.stdout.contains("✓ workflow/actionlint "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(".github/workflows/ci.yml is up to date\n"),
        "{}",
        out.stdout
    );

    // A pipeline change the committed workflow does not reflect yet.
    ws.pipeline("lint", "description: Lints\nsteps:\n  - id: clippy\n    run: cargo clippy\n    outputs: [target/clippy.json]\n");
    let out = ws.run(&["run", "workflow"]);
    out.assert(1);
    assert!(
        out.stdout.contains("+            target/clippy.json\n"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("error: .github/workflows/ci.yml is out of date with the code; run: cargo xtask workflow"), "{}", out.stdout);

    // actionlint itself: a hand-made mistake in an otherwise fresh file.
    ws.run(&["workflow"]).assert(0);
    let path = ws.path(".github/workflows/ci.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("needs: [lint, package]"), "{text}");
    std::fs::write(
        &path,
        text.replace("needs: [lint, package]", "needs: [lint, packages]"),
    )
    .unwrap();
    let out = ws.run(&["run", "workflow", "--keep-going"]);
    out.assert(1);
    assert!(
        out.stdout.contains("✗ workflow/actionlint"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "job \"publish\" needs job \"packages\" which does not exist in this workflow"
        ),
        "{}",
        out.stdout
    );
}
