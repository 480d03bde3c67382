//! schemathesis (PyPI, pinned in tests/data/schemathesis/requirements.txt) against the real
//! daemon with all its default checks: schema conformance of every answer, positive data
//! accepted, negative data and missing headers refused, authentication enforced. The webhook
//! calls are signed by an auth provider (tests/data/schemathesis/sign_hooks.py), so
//! schemathesis also probes them without and with made-up signatures.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/schemathesis");

/// schemathesis installed once per target directory (`target/xtask/test-tools/`), from the
/// pinned requirements without resolving anything else; a failed install leaves nothing.
fn schemathesis() -> PathBuf {
    let requirements = Path::new(DATA).join("requirements.txt");
    let pins = std::fs::read_to_string(&requirements).unwrap();
    let version = pins
        .lines()
        .find_map(|l| l.strip_prefix("schemathesis=="))
        .expect("schemathesis is pinned");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/xtask/test-tools")
        .join(format!("schemathesis-{version}"));
    if !dir.join("bin/st").exists() {
        let parent = dir.parent().unwrap();
        std::fs::create_dir_all(parent).unwrap();
        let stage = tempfile::tempdir_in(parent).unwrap();
        let out = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--no-deps", "--target"])
            .arg(stage.path())
            .arg("-r")
            .arg(&requirements)
            .output()
            .expect("pip runs");
        assert!(
            out.status.success(),
            "installing schemathesis: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let _ = std::fs::rename(stage.keep(), &dir);
    }
    dir
}

#[test]
fn schemathesis_finds_no_issue_with_its_default_checks() {
    let tools = schemathesis();
    let daemon = Daemon::start(Some(SECRET));
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.yaml");
    let out = Command::new(tools.join("bin/st"))
        .arg("run")
        .arg(&spec)
        .args(["--url", &format!("http://{}", daemon.address)])
        .args(["--max-examples", "25", "--seed", "1", "--no-color"])
        .env("PYTHONPATH", format!("{}:{DATA}", tools.display()))
        .env("SCHEMATHESIS_HOOKS", "sign_hooks")
        .env("BKG_WEBHOOK_SECRET", SECRET)
        .env(
            "HYPOTHESIS_STORAGE_DIRECTORY",
            daemon.dir.as_ref().unwrap().path(),
        )
        .current_dir(daemon.dir.as_ref().unwrap().path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("No issues found"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Tested: 3"), "{stdout}");

    // Both sides were exercised: signed rotations recorded, and refusals for bad input,
    // missing headers and absent signatures.
    let audit = daemon.audit.clone();
    let _dir = daemon.stop();
    let text = std::fs::read_to_string(&audit).unwrap();
    let count = |needle: &str| text.lines().filter(|l| l.contains(needle)).count();
    assert!(count(r#""outcome":"accepted""#) > 0, "{text}");
    for reason in ["malformed-body", "missing-timestamp", "missing-signature"] {
        assert!(
            count(&format!(r#""reason":"{reason}""#)) > 0,
            "no {reason} in:\n{text}"
        );
    }
    assert!(verify(&audit).0, "the log stays a valid chain");
}
