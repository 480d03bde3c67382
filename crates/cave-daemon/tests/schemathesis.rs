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

fn schemathesis() -> PathBuf {
    python_tool("schemathesis", &Path::new(DATA).join("requirements.txt"))
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
