//! Governance policies on temp copies of the workspace: the repository's own policy files and
//! the files they check pass; each planted violation fails with its file, line and rule id;
//! each malformed policy file is exit 2 at its position; annotations, JSON and masking; the
//! rls rule against a real Postgres.

use crate::support::Ws;

/// All but supply-chain, whose artifacts a copy does not have.
const POLICIES: [&str; 6] = [
    "policies/secrets.yaml",
    "policies/secrets-allowlist.yaml",
    "policies/rotation.yaml",
    "policies/telemetry.yaml",
    "policies/services.yaml",
    "policies/rls.yaml",
];

/// The repository's policies and the files they check, committed to a fresh git repository;
/// the rotation log is rewritten with dates relative to today (the real one ages).
fn policy_ws() -> Ws {
    let ws = Ws::new();
    for rel in POLICIES {
        ws.copy_from_repo(rel);
    }
    for rel in [
        "openapi.yaml",
        "monitoring/alerts.yaml",
        "config/dev.env",
        "config/staging.env",
        "config/production.env",
        "crates/bkg-db/migrations/postgres/0001_init.sql",
        "crates/bkg-db/migrations/postgres/0002_key_usage.sql",
    ] {
        ws.copy_from_repo(rel);
    }
    ws.file(
        "docs/Progress.md",
        &rotations(&[(10, "cosign"), (20, "admin"), (3, "namespace")]),
    );
    ws.git(&["init", "-q", "-b", "main"]);
    commit(&ws);
    ws
}

fn commit(ws: &Ws) {
    ws.git(&["add", "-A", "."]);
    ws.git(&["commit", "-q", "--allow-empty", "-m", "state"]);
}

/// A rotation log with one row per (days ago, key class).
fn rotations(rows: &[(u64, &str)]) -> String {
    let mut text = String::from(
        "# Progress\n\n## Key rotations\n\n| Date | Owner | Key class | Affected services |\n|---|---|---|---|\n",
    );
    for (days, class) in rows {
        text.push_str(&format!(
            "| {} | ops | {class} | cave-daemon |\n",
            days_ago(*days)
        ));
    }
    text
}

/// `YYYY-MM-DD` of `days` ago (UTC).
fn days_ago(days: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let z = (now / 86_400 - days) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The 1-based line of the first line of `rel` that contains `needle`.
fn line_of(ws: &Ws, rel: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(ws.path(rel)).unwrap();
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} in {rel}"))
        + 1
}

/// Whether `stderr` holds the rendered diagnostic `error: <message>` pointing at `location`.
fn has_diag(stderr: &str, message: &str, location: &str) -> bool {
    crate::support::diag_at(stderr, &format!("error: {message}"), location)
}

fn edit(ws: &Ws, rel: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(ws.path(rel)).unwrap();
    assert!(text.contains(from), "{from:?} in {rel}");
    ws.file(rel, &text.replacen(from, to, 1));
}

/// `cargo xtask policy --rule <rule>`: its exit code and the finding lines (hints dropped).
fn findings(ws: &Ws, rule: &str) -> (i32, Vec<String>) {
    let out = ws.run(&["policy", "--rule", rule]);
    let lines = out
        .stdout
        .lines()
        .filter(|l| !l.starts_with("    hint:"))
        .map(str::to_owned)
        .collect();
    (out.code, lines)
}

/// Every rule but supply-chain, whose artifacts `cargo xtask ci` may be rewriting while the
/// tests run; its `policy` pipeline checks them after they are built.
#[test]
fn the_repository_passes_its_own_policies() {
    let mut args = vec![
        "policy",
        "--color",
        "never",
        "--root",
        concat!(env!("CARGO_MANIFEST_DIR"), "/.."),
    ];
    for rule in ["secrets", "rotation", "telemetry", "services", "rls"] {
        args.extend(["--rule", rule]);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "✓ policies passed: secrets, rotation, telemetry, services, rls\n"
    );
}

#[test]
fn a_copy_of_the_workspace_passes_and_says_which_rules_ran() {
    let ws = policy_ws();
    let out = ws.run(&[
        "policy",
        "--rule",
        "secrets",
        "--rule",
        "rotation",
        "--rule",
        "telemetry",
        "--rule",
        "services",
        "--rule",
        "rls",
    ]);
    out.assert(0);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "✓ policies passed: secrets, rotation, telemetry, services, rls\n"
    );
}

#[test]
fn secrets_literal_values_keys_and_dsns_are_found_without_printing_them() {
    let ws = policy_ws();
    edit(
        &ws,
        "config/staging.env",
        "CAVE_SANDBOX_VCPUS=2\n",
        "CAVE_SANDBOX_VCPUS=2\nJWT_SECRET=hunter2-jwt\n",
    );
    ws.file(
        "deploy/values.yaml",
        "db:\n  url: \"postgres://app:pg-pass-42@db:5432/bkg\"\n",
    );
    ws.file(
        "scripts/tls.pem",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n",
    );
    ws.file(
        "cosign.key",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n",
    );
    ws.file("untracked.env", "JWT_SECRET=not-committed\n");
    commit(&ws);
    std::fs::write(ws.path("untracked.env"), "JWT_SECRET=not-committed\n").unwrap();
    ws.git(&["rm", "-q", "--cached", "untracked.env"]);
    let line = line_of(&ws, "config/staging.env", "JWT_SECRET=");
    let (code, lines) = findings(&ws, "secrets");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            format!("config/staging.env:{line}:12: secrets/literal-value: a literal value assigned to JWT_SECRET"),
            "cosign.key:1:1: secrets/unencrypted-key-file: cosign.key is not an encrypted cosign key".into(),
            "cosign.key:1:1: secrets/private-key: an unencrypted private key".into(),
            "deploy/values.yaml:2:24: secrets/dsn-password: a connection URL with an inline password".into(),
            "scripts/tls.pem:1:1: secrets/private-key: an unencrypted private key".into(),
        ]
    );
    let all = ws.run(&["policy", "--rule", "secrets"]);
    for secret in [
        "hunter2-jwt",
        "pg-pass-42",
        "MIIBOgIBAAJBAK",
        "MHcCAQEE",
        "not-committed",
    ] {
        assert!(
            !all.stdout.contains(secret) && !all.stderr.contains(secret),
            "{secret} leaked:\n{}{}",
            all.stdout,
            all.stderr
        );
    }
    assert_eq!(all.stderr, "error: 5 errors, 0 warnings from secrets\n");
}

#[test]
fn the_secrets_allowlist_accepts_findings_with_a_reason_and_rejects_entries_without() {
    let ws = policy_ws();
    ws.file(
        "docs/example.md",
        "Connect with postgres://app:example@localhost/bkg\n",
    );
    commit(&ws);
    assert_eq!(findings(&ws, "secrets").0, 1);
    let allow = std::fs::read_to_string(ws.path("policies/secrets-allowlist.yaml")).unwrap();
    ws.file("policies/secrets-allowlist.yaml", &format!("{allow}- path: docs/*.md\n  rule: secrets/dsn-password\n  line: 1\n  reason: documentation example\n"));
    assert_eq!(findings(&ws, "secrets"), (0, Vec::new()));

    ws.file("policies/secrets-allowlist.yaml", "- path: docs/*.md\n  rule: secrets/dsn-pasword\n  reason: example\n- path: x\n  rule: secrets/private-key\n");
    let out = ws.run(&["policy"]);
    out.assert(2);
    assert!(
        has_diag(
            &out.stderr,
            "unknown rule `secrets/dsn-pasword`",
            "policies/secrets-allowlist.yaml:2:9"
        ),
        "{}",
        out.stderr
    );
    assert!(
        has_diag(
            &out.stderr,
            "an allowlist entry needs `path`, `rule` and `reason`",
            "policies/secrets-allowlist.yaml:4:3"
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with("error: 2 errors in policy files\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn names_from_the_secrets_policy_are_masked_in_engine_output() {
    let ws = policy_ws();
    ws.pipeline(
        "leak",
        "steps:\n  - id: echo\n    shell: bash\n    run: echo \"webhook secret is $BKG_WEBHOOK_SECRET\"\n",
    );
    let out = ws.run_with(
        &["run", "leak", "-v"],
        &[("BKG_WEBHOOK_SECRET", "whsec-123456")],
    );
    out.assert(0);
    assert!(
        out.stdout.contains("webhook secret is ***\n"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("whsec-123456") && !out.stderr.contains("whsec-123456"));
}

#[test]
fn rotation_overdue_due_soon_missing_and_malformed_rows() {
    let ws = policy_ws();
    let mut log = rotations(&[
        (100, "admin"),
        (10, "admin"),
        (40, "namespace"),
        (26, "namespace"),
    ]);
    log.push_str(&format!(
        "| {} | ops | admin |\n| yesterday | ops | admin | x |\n| {} | ops | root | x |\n",
        days_ago(1),
        days_ago(1)
    ));
    ws.file("docs/Progress.md", &log);
    let (code, lines) = findings(&ws, "rotation");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "docs/Progress.md:11:1: rotation/malformed-row: a rotation row has 4 cells, this one has 3",
            "docs/Progress.md:12:1: rotation/malformed-row: `yesterday` is not a date (YYYY-MM-DD or an RFC 3339 time)",
            "docs/Progress.md:13:1: rotation/malformed-row: unknown key class `root` (classes: admin, namespace, model-access, session, cosign)",
            "docs/Progress.md:10:1: warning: rotation/due-soon: the newest namespace rotation is 26 days old, over 80% of 30 days",
            "docs/Progress.md:5:1: rotation/missing: no rotation of class cosign is recorded",
        ]
    );

    ws.file(
        "docs/Progress.md",
        &rotations(&[(91, "admin"), (1, "namespace"), (1, "cosign")]),
    );
    let (code, lines) = findings(&ws, "rotation");
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        [
            "docs/Progress.md:7:1: rotation/overdue: the newest admin rotation is 91 days old; admin keys rotate every 90 days"
        ]
    );
}

/// Found by fuzzing: an empty name matched everywhere and the scan never moved past it.
#[test]
fn an_empty_secret_name_is_a_positioned_error_not_a_hang() {
    let ws = policy_ws();
    edit(
        &ws,
        "policies/secrets.yaml",
        "  - TLS_KEY\n",
        "  - TLS_KEY\n  - \"\"\n  - \"  \"\n",
    );
    let out = ws.run_within(&["policy"], 30);
    out.assert(2);
    let line = line_of(&ws, "policies/secrets.yaml", "- \"\"");
    for (l, col) in [(line, 5), (line + 1, 5)] {
        assert!(
            has_diag(
                &out.stderr,
                "a confidential name is empty",
                &format!("policies/secrets.yaml:{l}:{col}")
            ),
            "{}",
            out.stderr
        );
    }
    assert!(
        out.stderr.ends_with("error: 2 errors in policy files\n"),
        "{}",
        out.stderr
    );
}

/// YAML forbids a key twice in a mapping; every policy file is read by the same parser.
#[test]
fn a_duplicate_key_in_a_policy_file_is_a_positioned_error() {
    let ws = policy_ws();
    edit(
        &ws,
        "policies/secrets.yaml",
        "key-files: [cosign.key]\n",
        "key-files: [cosign.key]\nkey-files: []\n",
    );
    let out = ws.run(&["policy"]);
    out.assert(2);
    let line = line_of(&ws, "policies/secrets.yaml", "key-files: []");
    assert!(
        has_diag(
            &out.stderr,
            "duplicate key `key-files`",
            &format!("policies/secrets.yaml:{line}:1")
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn rotation_config_mistakes_are_exit_2_at_their_position() {
    let ws = policy_ws();
    edit(
        &ws,
        "policies/rotation.yaml",
        "max-age: 90d",
        "max-age: 3 months",
    );
    edit(
        &ws,
        "policies/rotation.yaml",
        "warn-at: 80%",
        "warn-at: 0.8",
    );
    let out = ws.run(&["policy"]);
    out.assert(2);
    let age = line_of(&ws, "policies/rotation.yaml", "3 months");
    let warn = line_of(&ws, "policies/rotation.yaml", "warn-at: 0.8");
    assert!(
        has_diag(
            &out.stderr,
            "`warn-at` is a percentage like `80%`, not `0.8`",
            &format!("policies/rotation.yaml:{warn}:10")
        ),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(&format!("--> policies/rotation.yaml:{age}:14\n")),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.ends_with("error: 2 errors in policy files\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn telemetry_sampling_and_sandbox_defaults_per_environment() {
    let ws = policy_ws();
    edit(
        &ws,
        "config/production.env",
        "CAVE_OTEL_SAMPLING_RATE=0.1",
        "CAVE_OTEL_SAMPLING_RATE=0.3",
    );
    edit(
        &ws,
        "config/dev.env",
        "CAVE_SANDBOX_MEMORY=1GiB",
        "CAVE_SANDBOX_MEMORY=2GiB",
    );
    edit(
        &ws,
        "config/staging.env",
        "CAVE_OTEL_SAMPLING_RATE=0.5\n",
        "",
    );
    let (code, lines) = findings(&ws, "telemetry");
    assert_eq!(code, 1);
    let memory = line_of(&ws, "config/dev.env", "CAVE_SANDBOX_MEMORY");
    let rate = line_of(&ws, "config/production.env", "CAVE_OTEL_SAMPLING_RATE");
    assert_eq!(
        lines,
        [
            format!("config/dev.env:{memory}:1: telemetry/sandbox: CAVE_SANDBOX_MEMORY=2GiB, but the sandbox default is 1GiB"),
            "config/staging.env: telemetry/sampling: CAVE_OTEL_SAMPLING_RATE is not set for staging".into(),
            format!("config/production.env:{rate}:1: telemetry/sampling: CAVE_OTEL_SAMPLING_RATE=0.3 is outside what production allows (0.05–0.2)"),
        ]
    );

    edit(
        &ws,
        "policies/telemetry.yaml",
        "sampling: 0.5",
        "sampling: 1.5",
    );
    let out = ws.run(&["policy", "--rule", "telemetry"]);
    out.assert(2);
    let line = line_of(&ws, "policies/telemetry.yaml", "1.5");
    assert!(
        has_diag(
            &out.stderr,
            "`1.5` is not a sampling rate between 0 and 1",
            &format!("policies/telemetry.yaml:{line}:15")
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn services_need_health_metrics_and_a_signed_webhook() {
    let ws = policy_ws();
    // Without /metrics no metric is exposed; the alert rules are another test's subject.
    ws.file("monitoring/alerts.yaml", "groups: []\n");
    let text = std::fs::read_to_string(ws.path("openapi.yaml")).unwrap();
    ws.file(
        "openapi.yaml",
        &text
            .replace("X-BKG-Signature", "X-BKG-Sig")
            .replace("  /metrics:", "  /prometheus:"),
    );
    let healthz = line_of(&ws, "openapi.yaml", "operationId: healthz");
    let mut lines: Vec<String> = std::fs::read_to_string(ws.path("openapi.yaml"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    let at = lines
        .iter()
        .skip(healthz)
        .position(|l| l.trim() == "\"503\":")
        .unwrap()
        + healthz;
    lines[at] = lines[at].replace("\"503\"", "\"500\"");
    ws.file("openapi.yaml", &(lines.join("\n") + "\n"));
    let (code, found) = findings(&ws, "services");
    assert_eq!(code, 1);
    let responses = healthz + 1;
    let paths = line_of(&ws, "openapi.yaml", "paths:");
    let webhook = line_of(&ws, "openapi.yaml", "/api/v1/auth/keys/rotated:");
    assert_eq!(
        found,
        [
            format!(
                "openapi.yaml:{responses}:7: services/endpoint: GET /healthz does not declare the 503 response"
            ),
            format!("openapi.yaml:{paths}:1: services/endpoint: GET /metrics is not declared"),
            format!(
                "openapi.yaml:{webhook}:3: services/webhook-signature: POST /api/v1/auth/keys/rotated does not declare its signature header X-BKG-Signature"
            ),
        ]
    );

    edit(
        &ws,
        "policies/services.yaml",
        "method: POST",
        "method: SEND",
    );
    let out = ws.run(&["policy", "--rule", "services"]);
    out.assert(2);
    let line = line_of(&ws, "policies/services.yaml", "SEND");
    assert!(
        has_diag(
            &out.stderr,
            "`send` is not an HTTP method",
            &format!("policies/services.yaml:{line}:13")
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn alert_rules_may_only_use_metrics_the_daemon_exposes() {
    let ws = policy_ws();
    assert_eq!(findings(&ws, "services"), (0, vec![]));
    // A typo in a rule, and a metric the daemon's catalogue no longer lists.
    edit(
        &ws,
        "monitoring/alerts.yaml",
        "expr: cave_audit_log_writable == 0",
        "expr: cave_audit_log_writeable == 0",
    );
    edit(
        &ws,
        "openapi.yaml",
        "        - cave_audit_verifications_total\n",
        "",
    );
    let typo = line_of(&ws, "monitoring/alerts.yaml", "cave_audit_log_writeable");
    let dropped = line_of(
        &ws,
        "monitoring/alerts.yaml",
        "cave_audit_verifications_total",
    );
    let column = |line: usize, word: &str| {
        let text = std::fs::read_to_string(ws.path("monitoring/alerts.yaml")).unwrap();
        text.lines().nth(line - 1).unwrap().find(word).unwrap() + 1
    };
    let (code, found) = findings(&ws, "services");
    assert_eq!(code, 1);
    assert_eq!(
        found,
        [
            format!(
                "monitoring/alerts.yaml:{typo}:{}: services/alert-metric: alert `AuditLogUnwritable` uses `cave_audit_log_writeable`, which no service exposes",
                column(typo, "cave_audit_log_writeable")
            ),
            format!(
                "monitoring/alerts.yaml:{dropped}:{}: services/alert-metric: alert `AuditLogVerificationFailed` uses `cave_audit_verifications_total`, which no service exposes",
                column(dropped, "cave_audit_verifications_total")
            ),
        ]
    );
    let out = ws.run(&["policy", "--rule", "services"]);
    assert!(
        out.stdout
            .contains("    hint: did you mean `cave_audit_log_writable`?"),
        "{}",
        out.stdout
    );
    // A rule file that is not one is a finding at its start, not silence.
    ws.file("monitoring/alerts.yaml", "rules: []\n");
    let (code, found) = findings(&ws, "services");
    assert_eq!(code, 1);
    assert!(
        found.contains(&"monitoring/alerts.yaml:1:1: services/alert-metric: not a Prometheus rule file: it has no `groups` list".to_string()),
        "{found:?}"
    );
}

#[test]
fn rls_every_tenant_table_is_enabled_forced_and_has_a_policy_and_views_run_as_the_caller() {
    let ws = policy_ws();
    ws.file(
        "crates/bkg-db/migrations/postgres/0003_quotas.sql",
        "-- Sandbox quotas per namespace.\nCREATE TABLE quotas (\n    namespace_id TEXT NOT NULL,\n    cpus INTEGER NOT NULL\n);\nALTER TABLE quotas ENABLE ROW LEVEL SECURITY;\n\nCREATE TABLE \"Usage\" (id TEXT);\nALTER TABLE \"Usage\" ADD COLUMN namespace_id TEXT;\n\nCREATE VIEW quota_totals AS SELECT namespace_id, sum(cpus) FROM public.quotas GROUP BY 1;\n",
    );
    let (code, lines) = findings(&ws, "rls");
    assert_eq!(code, 1);
    let file = "crates/bkg-db/migrations/postgres/0003_quotas.sql";
    assert_eq!(
        lines,
        [
            format!(
                "{file}:2:1: rls/not-forced: table quotas has the tenant column namespace_id but row-level security is not forced (the owner bypasses it)"
            ),
            format!(
                "{file}:2:1: rls/no-policy: table quotas has the tenant column namespace_id but it has no policy"
            ),
            format!(
                "{file}:8:1: rls/not-enabled: table Usage has the tenant column namespace_id but row-level security is not enabled"
            ),
            format!(
                "{file}:8:1: rls/not-forced: table Usage has the tenant column namespace_id but row-level security is not forced (the owner bypasses it)"
            ),
            format!(
                "{file}:8:1: rls/no-policy: table Usage has the tenant column namespace_id but it has no policy"
            ),
            format!(
                "{file}:11:1: rls/view-bypass: view quota_totals reads the tenant table quotas with its owner's rights, bypassing row-level security"
            ),
        ]
    );

    edit(
        &ws,
        "policies/rls.yaml",
        "tenant-columns: [namespace_id]",
        "tenant-columns: []",
    );
    let out = ws.run(&["policy", "--rule", "rls"]);
    out.assert(2);
    let line = line_of(&ws, "policies/rls.yaml", "tenant-columns");
    assert!(
        has_diag(
            &out.stderr,
            "`tenant-columns` is empty, so no table would be checked",
            &format!("policies/rls.yaml:{line}:17")
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn rls_on_the_live_database_finds_a_table_the_migrations_do_not_protect() {
    let ws = policy_ws();
    ws.pipeline(
        "live",
        "secrets: [BKG_DB_DSN]\nsteps:\n  - id: pg\n    uses: postgres/ephemeral\n  - id: migrate\n    shell: bash\n    run: |\n      set -e\n      for f in crates/bkg-db/migrations/postgres/*.sql; do psql -q -v ON_ERROR_STOP=1 \"$BKG_DB_DSN\" -f \"$f\"; done\n  - id: clean\n    uses: policy/check\n    with: { rules: [rls] }\n  - id: tamper\n    shell: bash\n    run: psql -q \"$BKG_DB_DSN\" -c \"ALTER TABLE api_keys NO FORCE ROW LEVEL SECURITY; CREATE TABLE scratch (namespace_id text)\"\n  - id: check\n    uses: policy/check\n    with: { rules: [rls] }\n",
    );
    let out = ws.run(&["run", "live", "--json"]);
    out.assert(1);
    let report: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let steps = report["steps"].as_array().unwrap();
    let status = |id: &str| {
        steps.iter().find(|s| s["id"] == id).unwrap()["status"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        (status("clean"), status("check")),
        ("ok".to_string(), "failed".to_string()),
        "{}",
        out.stderr
    );
    let check = steps.iter().find(|s| s["id"] == "check").unwrap();
    let found: Vec<(String, String, u64)> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let api_keys = line_of(
        &ws,
        "crates/bkg-db/migrations/postgres/0001_init.sql",
        "CREATE TABLE api_keys",
    );
    assert_eq!(
        found,
        [
            (
                "rls/live".to_string(),
                "crates/bkg-db/migrations/postgres/0001_init.sql".to_string(),
                api_keys as u64
            ),
            ("rls/live".into(), "policies/rls.yaml".into(), 0),
        ]
    );
    let messages: Vec<&str> = check["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        [
            "in the live database, table api_keys: row-level security is not forced",
            "in the live database, table scratch: row-level security is not enabled, row-level security is not forced, it has no policy",
        ]
    );
}

#[test]
fn supply_chain_artifacts_need_provenance_naming_their_digest() {
    let ws = policy_ws();
    ws.copy_from_repo("policies/supply-chain.yaml");
    ws.file("target/xtask/supply-chain/sbom.cdx.json", "{}\n");
    let sbom = line_of(&ws, "policies/supply-chain.yaml", "sbom.cdx.json");
    let openapi = line_of(&ws, "policies/supply-chain.yaml", "path: openapi.yaml");

    // Nothing attested yet (a fresh checkout): a warning, not a failure.
    let out = ws.run(&["policy", "--rule", "supply-chain"]);
    out.assert(0);
    assert_eq!(
        out.stdout,
        format!(
            "policies/supply-chain.yaml:{sbom}:1: warning: supply-chain/not-built: target/xtask/supply-chain/sbom.cdx.json has no provenance in this workspace yet\n    hint: cargo xtask run slsa\n\
             policies/supply-chain.yaml:{openapi}:1: warning: supply-chain/not-built: openapi.yaml has no provenance in this workspace yet\n    hint: cargo xtask run slsa\n"
        )
    );

    // Provenance that names the SBOM with another digest and leaves openapi.yaml out.
    let statement = |sha: &str| {
        serde_json::json!({
            "_type": "https://in-toto.io/Statement/v1",
            "predicateType": "https://slsa.dev/provenance/v1",
            "subject": [{ "name": "target/xtask/supply-chain/sbom.cdx.json", "digest": { "sha256": sha } }],
            "predicate": {}
        })
        .to_string()
    };
    let provenance = "target/xtask/supply-chain/provenance.intoto.json";
    ws.file(provenance, &statement(&"0".repeat(64)));
    let out = ws.run(&["policy", "--rule", "supply-chain"]);
    out.assert(1);
    let stale = "the provenance does not name it with its current sha256";
    assert_eq!(
        out.stdout,
        format!(
            "policies/supply-chain.yaml:{sbom}:1: supply-chain/provenance: target/xtask/supply-chain/sbom.cdx.json has no valid provenance: {stale}\n    hint: cargo xtask run slsa\n\
             policies/supply-chain.yaml:{openapi}:1: supply-chain/provenance: openapi.yaml has no valid provenance: {stale}\n    hint: cargo xtask run slsa\n"
        )
    );

    ws.file(provenance, "{not json");
    let out = ws.run(&["policy", "--rule", "supply-chain"]);
    out.assert(1);
    assert!(
        out.stdout.contains(&format!(
            "has no valid provenance: {provenance}: not JSON: "
        )),
        "{}",
        out.stdout
    );

    // The SBOM with its real digest passes; only openapi.yaml is left to attest.
    // sha256 of "{}\n", from sha256sum.
    let sha = "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356";
    ws.file(provenance, &statement(sha));
    let out = ws.run(&["policy", "--rule", "supply-chain"]);
    out.assert(1);
    assert_eq!(
        out.stdout
            .lines()
            .filter(|l| l.contains("supply-chain/provenance"))
            .count(),
        1,
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains(": openapi.yaml has no valid provenance"),
        "{}",
        out.stdout
    );
}

#[test]
fn github_annotations_and_unknown_rules_and_files() {
    let ws = policy_ws();
    edit(
        &ws,
        "config/production.env",
        "CAVE_OTEL_SAMPLING_RATE=0.1",
        "CAVE_OTEL_SAMPLING_RATE=0.3",
    );
    let rate = line_of(&ws, "config/production.env", "CAVE_OTEL_SAMPLING_RATE");
    let out = ws
        .command(&["policy", "--rule", "telemetry"])
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!(
            "config/production.env:{rate}:1: telemetry/sampling: CAVE_OTEL_SAMPLING_RATE=0.3 is outside what production allows (0.05–0.2)\n\
             ::error file=config/production.env,line={rate},col=1,title=telemetry/sampling::CAVE_OTEL_SAMPLING_RATE=0.3 is outside what production allows (0.05–0.2)\n"
        )
    );

    let out = ws.run(&["policy", "--rule", "telemtry"]);
    out.assert(2);
    assert_eq!(
        out.stderr,
        "error: unknown policy rule `telemtry`\n  hint: did you mean `telemetry`?\n"
    );

    std::fs::remove_file(ws.path("policies/rls.yaml")).unwrap();
    let out = ws.run(&["policy", "--rule", "rls"]);
    out.assert(2);
    assert_eq!(
        out.stderr,
        "error: rule `rls` has no policy file: policies/rls.yaml does not exist\n  hint: create policies/rls.yaml (see docs/governance.md)\n"
    );

    ws.file("policies/secret.yaml", "names: [X]\n");
    let out = ws.run(&["policy"]);
    out.assert(2);
    assert!(
        has_diag(
            &out.stderr,
            "unknown policy file policies/secret.yaml",
            "policies/secret.yaml"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn the_policy_step_reports_findings_in_annotations_json_and_the_step_summary() {
    let ws = policy_ws();
    ws.pipeline("policy", "steps:\n  - id: check\n    uses: policy/check\n");
    edit(
        &ws,
        "config/production.env",
        "CAVE_OTEL_SAMPLING_RATE=0.1",
        "CAVE_OTEL_SAMPLING_RATE=0.3",
    );
    let rate = line_of(&ws, "config/production.env", "CAVE_OTEL_SAMPLING_RATE");
    let (out, table) = ws.run_in_actions(&["run", "policy"]);
    let stdout = &out.stdout;
    out.assert(1);
    assert!(
        stdout.contains(&format!("::error file=config/production.env,line={rate},col=1,title=telemetry/sampling::CAVE_OTEL_SAMPLING_RATE=0.3 is outside what production allows (0.05–0.2)\n")),
        "{stdout}"
    );
    assert!(
        table.contains(&format!("#### Findings\n\n| where | rule | finding | step |\n|---|---|---|---|\n| ❌ `config/production.env:{rate}:1` | `telemetry/sampling` | CAVE_OTEL_SAMPLING_RATE=0.3 is outside what production allows (0.05–0.2) | `policy/check` |\n")),
        "{table}"
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(ws.path("target/xtask/report.json")).unwrap(),
    )
    .unwrap();
    let finding = &report["steps"][0]["findings"][0];
    assert_eq!(finding["rule"], "telemetry/sampling");
    assert_eq!(finding["file"], "config/production.env");
    assert_eq!(finding["line"], rate);
    assert_eq!(
        report["steps"][0]["reason"],
        "1 error, 0 warnings from secrets, rotation, telemetry, services, rls"
    );
}
