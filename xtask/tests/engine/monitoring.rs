//! The `monitoring` pipeline with the real promtool (the one on PATH at the pinned version,
//! else the engine's extraction of the pinned Debian package): the repository's alert rules
//! pass `promtool check rules` and their unit tests, and a rule that no longer does what its
//! test says fails the run, naming the alert.

use crate::support::Ws;

fn fixture() -> Ws {
    let ws = Ws::new();
    for rel in [
        "pipelines/monitoring.yaml",
        "monitoring/alerts.yaml",
        "monitoring/tests/alerts.test.yaml",
    ] {
        ws.copy_from_repo(rel);
    }
    ws
}

#[test]
fn the_alert_rules_pass_promtool_and_a_broken_rule_fails_its_unit_test() {
    let ws = fixture();
    let out = ws.run(&["run", "monitoring"]);
    out.assert(0);
    assert!(
        out.stdout.contains("SUCCESS: 10 rules found"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("✓ monitoring/test "), "{}", out.stdout);

    // The rule still parses, but fires a minute later than its test expects.
    let text = std::fs::read_to_string(ws.path("monitoring/alerts.yaml")).unwrap();
    let broken = text.replacen(
        "expr: cave_audit_log_writable == 0\n        for: 1m",
        "expr: cave_audit_log_writable == 0\n        for: 2m",
        1,
    );
    assert_ne!(broken, text);
    ws.file("monitoring/alerts.yaml", &broken);
    let out = ws.run(&["run", "monitoring"]);
    out.assert(1);
    assert!(out.stdout.contains("✓ monitoring/check "), "{}", out.stdout);
    assert!(
        out.stdout.contains("✗ monitoring/test ")
            && out
                .stdout
                .contains("alertname: AuditLogUnwritable, time: 2m"),
        "{}",
        out.stdout
    );

    // A rule promtool cannot parse fails the check, with promtool's message.
    ws.file(
        "monitoring/alerts.yaml",
        &text.replacen(
            "expr: cave_audit_log_writable == 0",
            "expr: cave_audit_log_writable ==",
            1,
        ),
    );
    let out = ws.run(&["run", "monitoring"]);
    out.assert(1);
    assert!(
        out.stdout.contains("✗ monitoring/check ") && out.stdout.contains("FAILED"),
        "{}",
        out.stdout
    );
}
