//! The command line: commands, global flags before or after the command, usage errors.

use crate::support::{Ws, summary};

fn sample() -> Ws {
    let ws = Ws::new();
    ws.pipeline(
        "fmt",
        "description: Formatting check\nsteps:\n  - id: check\n    run: echo formatted\n",
    );
    ws.pipeline(
        "ci",
        "description: Everything\nneeds: [fmt]\nsteps:\n  - id: done\n    run: echo done\n",
    );
    ws
}

#[test]
fn list_shows_descriptions_and_needs() {
    let out = sample().run(&["list"]);
    out.assert(0);
    assert_eq!(
        out.stdout,
        "ci   Everything (needs fmt)\nfmt  Formatting check\n"
    );
}

#[test]
fn plan_shows_order_and_reasons_without_running() {
    let ws = sample();
    ws.pipeline(
        "sign",
        "needs: [ci]\nwhen: { env: COSIGN_KEY_B64 }\nsteps:\n  - id: sign\n    run: touch signed\n",
    );
    let out = ws.run(&["plan", "sign"]);
    out.assert(0);
    assert_eq!(
        out.stdout,
        "plan for sign (3 steps in 3 pipelines)\n  \
         1. fmt/check will run\n       $ echo formatted\n  \
         2. ci/done will run\n       $ echo done\n       after fmt/check\n  \
         3. sign/sign skipped (COSIGN_KEY_B64 is not set)\n       $ touch signed\n       after ci/done\n"
    );
    assert!(!ws.path("signed").exists());
}

/// Steps are ordered after what they need, and otherwise keep their file order: of the
/// steps whose needs are placed, the first in the file goes next.
#[test]
fn plan_orders_steps_after_their_needs_and_otherwise_as_written() {
    let ws = Ws::new();
    ws.pipeline(
        "p",
        "steps:\n  - id: a\n    needs: [c]\n    run: echo a\n  - id: b\n    needs: []\n    run: echo b\n  - id: c\n    needs: []\n    run: echo c\n  - id: d\n    needs: [a, b]\n    run: echo d\n  - id: e\n    needs: []\n    run: echo e\n",
    );
    let out = ws.run(&["plan", "p"]);
    out.assert(0);
    let order: Vec<&str> = out
        .stdout
        .lines()
        .filter_map(|l| l.trim().split_once(". p/"))
        .map(|(_, rest)| rest.split(' ').next().unwrap())
        .collect();
    assert_eq!(order, ["b", "c", "a", "d", "e"], "{}", out.stdout);
}

#[test]
fn ci_runs_the_ci_pipeline() {
    let out = sample().run(&["ci", "-q"]);
    out.assert(0);
    assert_eq!(out.stdout_redacted(), summary(&[("ok", 2)], "ci", "passed"));
}

#[test]
fn global_flags_work_before_and_after_the_command() {
    let ws = sample();
    let root = ws.root().to_str().unwrap().to_owned();
    let bin = env!("CARGO_BIN_EXE_xtask");
    for args in [
        vec!["--root", &root, "-q", "run", "fmt"],
        vec!["run", "fmt", "--root", &root, "-q"],
        vec!["-q", "run", "--root", &root, "fmt"],
    ] {
        let out = std::process::Command::new(bin)
            .args(&args)
            .args(["--color", "never"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let stdout = crate::support::redact(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(stdout, summary(&[("ok", 1)], "fmt", "passed"), "{args:?}");
    }
}

#[test]
fn unknown_pipeline_is_a_usage_error_with_a_suggestion() {
    let out = sample().run(&["run", "fnt"]);
    out.assert(2);
    assert_eq!(
        out.stderr,
        "error: unknown pipeline `fnt`\n  hint: did you mean `fmt`?\n"
    );
}

#[test]
fn bad_flags_are_usage_errors() {
    let ws = sample();
    ws.run(&["run"]).assert(2);
    ws.run(&["run", "fmt", "--jobs", "0"]).assert(2);
    ws.run(&["frobnicate"]).assert(2);
}

#[test]
fn missing_pipelines_directory_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["list", "--root"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: no `pipelines/` directory in "),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("  hint: run the command inside the workspace, or point `--root` at it\n"),
        "{stderr}"
    );
}

#[test]
fn every_command_has_help() {
    let ws = sample();
    for command in ["list", "run", "plan", "check", "ci"] {
        let out = ws.run(&[command, "--help"]);
        out.assert(0);
        assert!(
            out.stdout.contains("Usage: cargo xtask"),
            "{command}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("--root <DIR>"),
            "{command} lacks global flags: {}",
            out.stdout
        );
    }
}
