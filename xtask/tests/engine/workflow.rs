//! `cargo xtask workflow` on a fixture set of pipelines: the generated file against a golden
//! copy (job needs from `needs` and `after`, secrets only where declared, artifacts uploaded
//! and downloaded downstream, a gate job for `ci`); `--check` on a hand edit; the `workflow`
//! pipeline's drift and the real actionlint on what it generates.

use crate::support::{REPO, Ws};

const GOLDEN: &str = "tests/data/workflow/ci.yml";

/// build → package (outputs, a secret) → deliver (after lint; a pipeline named `publish` would meet zizmor's trusted-publishing heuristic); lint alone; ci gathers them;
/// `bench` is not reached from ci and gets no job; a rust-toolchain.toml pins the toolchain.
fn fixture() -> Ws {
    let ws = Ws::new();
    ws.pipeline(
        "ci",
        "description: Everything CI checks\nneeds: [lint, deliver]\n",
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
        "deliver",
        "description: Delivers the package\nneeds: [package]\nafter: [lint]\nsecrets: [REGISTRY_TOKEN, SIGNING_KEY]\nsteps:\n  - id: upload\n    run: \"true\"\n",
    );
    ws.pipeline("bench", "steps:\n  - id: bench\n    run: \"true\"\n");
    // The toolchain the jobs install comes from here.
    ws.file("rust-toolchain.toml", "[toolchain]\nchannel = \"1.95.0\"\n");
    // The repository's pins, and a release artifact to attest on tags.
    ws.copy_from_repo(".github/actions.lock");
    ws.file(
        "policies/supply-chain.yaml",
        "artifacts:\n  - { path: dist/app.tar.gz, provenance: true }\n  - { path: Cargo.lock, provenance: true }\n",
    );
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
    // The real zizmor, offline, at its default persona: no finding, nothing ignored.
    assert!(
        out.stdout.contains("✓ workflow/zizmor ")
            && out
                .stdout
                .contains("zizmor .github/workflows/ci.yml: 0 findings\n"),
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
            "job \"deliver\" needs job \"packages\" which does not exist in this workflow"
        ),
        "{}",
        out.stdout
    );
}

/// zizmor's findings are positioned diagnostics with the rule in the code.
#[test]
fn zizmor_findings_point_at_the_workflow_line() {
    let ws = fixture();
    ws.copy_from_repo("pipelines/workflow.yaml");
    ws.run(&["workflow"]).assert(0);
    let path = ws.path(".github/workflows/ci.yml");
    let text = std::fs::read_to_string(&path).unwrap();
    let pinned = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
    let line = text.lines().position(|l| l.contains(pinned)).unwrap() + 1;
    std::fs::write(&path, text.replacen(pinned, "actions/checkout@v7", 1)).unwrap();
    let out = ws.run(&["run", "workflow", "--keep-going"]);
    out.assert(1);
    assert!(
        out.stdout.contains(&format!(
            "error[zizmor/unpinned-uses]: unpinned action reference (high): action is not pinned to a hash (required by blanket policy)\n  --> .github/workflows/ci.yml:{line}:15\n"
        )),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("error: zizmor found 1 problem in the workflows\n"),
        "{}",
        out.stdout
    );
}

/// Bare repositories stand in for the actions' repositories: `--update-pins` takes the
/// newest release inside each pinned major (annotated tags resolved to their commit), a new
/// major only when asked.
#[test]
fn update_pins_moves_within_the_major_unless_told_otherwise() {
    let ws = fixture();
    let base = tempfile::tempdir().unwrap();
    let lock = std::fs::read_to_string(ws.path(".github/actions.lock")).unwrap();
    let actions: Vec<(String, u64)> = lock
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            (
                cells[0].to_owned(),
                cells[1][1..].split('.').next().unwrap().parse().unwrap(),
            )
        })
        .collect();
    let mut newest = std::collections::BTreeMap::new();
    for (action, major) in &actions {
        let work = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            let out = std::process::Command::new("git")
                .args(["-c", "user.email=t@example.com", "-c", "user.name=t"])
                .args(args)
                .current_dir(work.path())
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).trim().to_owned()
        };
        git(&["init", "-q", "-b", "main"]);
        let commit = |tag: &str, annotated: bool| {
            git(&["commit", "-q", "--allow-empty", "-m", tag]);
            if annotated {
                git(&["tag", "-a", "-m", tag, tag]);
            } else {
                git(&["tag", tag]);
            }
            git(&["rev-parse", "HEAD"])
        };
        commit(&format!("v{major}.0.0"), false);
        let within = commit(&format!("v{major}.1.0"), true);
        commit(&format!("v{major}.2.0-rc.1"), false);
        commit(&format!("v{major}"), false);
        let next = commit(&format!("v{}.0.0", major + 1), false);
        newest.insert(action.clone(), (within, next));
        let dest = base.path().join(action);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        let out = std::process::Command::new("git")
            .args(["clone", "-q", "--bare"])
            .arg(work.path())
            .arg(&dest)
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let url = format!("file://{}", base.path().display());
    let out = ws.run_with(
        &[
            "workflow",
            "--update-pins",
            "--major",
            "actions/checkout=v8",
        ],
        &[("XTASK_ACTIONS_BASE_URL", &url)],
    );
    out.assert(0);
    let updated = std::fs::read_to_string(ws.path(".github/actions.lock")).unwrap();
    for (action, major) in &actions {
        let (within, next) = &newest[action];
        let expected = if action == "actions/checkout" {
            format!("{action}\tv8.0.0\t{next}")
        } else {
            format!("{action}\tv{major}.1.0\t{within}")
        };
        assert!(
            updated.lines().any(|l| l == expected),
            "{expected}\n{updated}"
        );
        assert!(
            out.stdout.contains(&format!("{action}: v")),
            "{}",
            out.stdout
        );
    }
    let workflow = std::fs::read_to_string(ws.path(".github/workflows/ci.yml")).unwrap();
    assert!(
        workflow.contains(&format!(
            "uses: actions/checkout@{} # v8.0.0\n",
            newest["actions/checkout"].1
        )),
        "{workflow}"
    );

    let unknown = ws.run_with(
        &["workflow", "--update-pins", "--major", "acme/nope=v2"],
        &[("XTASK_ACTIONS_BASE_URL", &url)],
    );
    unknown.assert(2);
    assert_eq!(
        unknown.stderr,
        "error: `acme/nope` is not pinned in .github/actions.lock\n  hint: --major names an action of the lock file\n"
    );
    std::fs::remove_file(ws.path(".github/actions.lock")).unwrap();
    let missing = ws.run(&["workflow"]);
    missing.assert(1);
    assert!(
        missing
            .stderr
            .starts_with("error: cannot read .github/actions.lock; it pins the workflow's actions"),
        "{}",
        missing.stderr
    );
}

/// The repository's pins are releases the actions' own repositories list (a snapshot in
/// tests/data/workflow/actions.tsv, read from them), and every `uses:` of the committed
/// workflow is one of the pinned commits.
#[test]
fn every_pin_is_a_listed_release_and_every_uses_a_pinned_commit() {
    let root = std::path::Path::new(REPO).join("..");
    let listed =
        std::fs::read_to_string(std::path::Path::new(REPO).join("tests/data/workflow/actions.tsv"))
            .unwrap();
    let lock = std::fs::read_to_string(root.join(".github/actions.lock")).unwrap();
    let mut commits = Vec::new();
    for pin in lock.lines().filter(|l| !l.starts_with('#')) {
        let cells: Vec<&str> = pin.split('\t').collect();
        let (action, version, commit) = (cells[0], cells[1], cells[2]);
        assert!(
            listed
                .lines()
                .any(|l| l.starts_with(&format!("{action}\t{version}\t{commit}\t"))),
            "{action} {version} {commit} is not a listed release"
        );
        commits.push(commit.to_owned());
    }
    let workflow = std::fs::read_to_string(root.join(".github/workflows/ci.yml")).unwrap();
    let uses: Vec<&str> = workflow
        .lines()
        .filter_map(|l| l.trim().strip_prefix("uses: "))
        .collect();
    assert!(uses.len() > 20, "{}", uses.len());
    for line in uses {
        let reference = line.split_once('@').map(|(_, r)| r).unwrap_or_default();
        let commit = reference.split(' ').next().unwrap_or_default();
        assert!(
            commits.iter().any(|c| c == commit),
            "{line} is not a pinned commit"
        );
    }
}
