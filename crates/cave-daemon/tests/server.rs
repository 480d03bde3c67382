//! The real `cave-daemon serve` on 127.0.0.1 with an ephemeral port, called over HTTP with a
//! minimal client: health, metrics, every webhook answer, and the audit log it leaves.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpStream;

#[test]
fn healthz_is_ok_when_every_check_passes() {
    let daemon = Daemon::start(Some(SECRET));
    assert_eq!(
        daemon.get("/healthz"),
        (200, r#"{"status":"ok"}"#.to_string())
    );
}

#[test]
fn healthz_names_the_failing_checks() {
    let daemon = Daemon::start(None);
    assert_eq!(
        daemon.get("/healthz"),
        (
            503,
            r#"{"status":"unavailable","failing":["webhook-secret"]}"#.to_string()
        )
    );
    // The audit log becomes unwritable: a directory where the file should be.
    let _ = std::fs::remove_file(&daemon.audit);
    std::fs::create_dir(&daemon.audit).unwrap();
    assert_eq!(
        daemon.get("/healthz"),
        (
            503,
            r#"{"status":"unavailable","failing":["audit-log","webhook-secret"]}"#.to_string()
        )
    );
}

#[test]
fn the_webhook_answers_every_case_and_metrics_count_them() {
    let daemon = Daemon::start(Some(SECRET));
    let ok = rotation("ns-analytics-api", 7);
    assert_eq!(
        daemon.deliver(&ok, SECRET, now()),
        (
            200,
            r#"{"status":"recorded","key_id":"ns-analytics-api","version":7}"#.into()
        )
    );
    let (status, body) = daemon.deliver(&ok, SECRET, now());
    assert_eq!(
        (status, body.as_str()),
        (
            409,
            r#"{"error":"replay","message":"ns-analytics-api version 7 was already recorded"}"#
        )
    );
    let (status, body) = daemon.deliver(&rotation("k2", 1), "not-the-secret", now());
    assert_eq!(
        (status, body.contains(r#""error":"bad-signature""#)),
        (401, true),
        "{body}"
    );
    let (status, body) = daemon.deliver(&rotation("k2", 1), SECRET, now() - 301);
    assert_eq!(
        (status, body.contains(r#""error":"stale-timestamp""#)),
        (401, true),
        "{body}"
    );
    let (status, body) =
        daemon.request("POST", "/api/v1/auth/keys/rotated", &[], &rotation("k2", 1));
    assert_eq!(
        (status, body.contains(r#""error":"missing-signature""#)),
        (401, true),
        "{body}"
    );
    let (status, body) = daemon.deliver("{not json", SECRET, now());
    assert_eq!(
        (status, body.contains(r#""error":"malformed-body""#)),
        (400, true),
        "{body}"
    );
    let bad_class = rotation("k3", 1).replace("namespace\",\"namespace", "root\",\"namespace");
    let (status, body) = daemon.deliver(&bad_class, SECRET, now());
    assert_eq!(
        (status, body.contains("unknown variant `root`")),
        (400, true),
        "{body}"
    );
    let bad_time = rotation("k3", 1).replace("2026-11-28T09:30:00Z", "yesterday");
    assert_eq!(daemon.deliver(&bad_time, SECRET, now()).0, 400);
    assert_eq!(daemon.get("/nope").0, 404);

    let (status, metrics) = daemon.get("/metrics");
    assert_eq!(status, 200);
    for line in [
        r#"cave_http_requests_total{method="POST",route="/api/v1/auth/keys/rotated",status="200"} 1"#,
        r#"cave_http_requests_total{method="POST",route="/api/v1/auth/keys/rotated",status="401"} 3"#,
        r#"cave_http_requests_total{method="POST",route="/api/v1/auth/keys/rotated",status="400"} 3"#,
        r#"cave_http_requests_total{method="POST",route="/api/v1/auth/keys/rotated",status="409"} 1"#,
        r#"cave_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"cave_webhook_deliveries_total{outcome="accepted",reason="recorded"} 1"#,
        r#"cave_webhook_deliveries_total{outcome="rejected",reason="replay"} 1"#,
        r#"cave_webhook_deliveries_total{outcome="rejected",reason="bad-signature"} 1"#,
        r#"cave_webhook_deliveries_total{outcome="rejected",reason="stale-timestamp"} 1"#,
        r#"cave_webhook_deliveries_total{outcome="rejected",reason="missing-signature"} 1"#,
        r#"cave_webhook_deliveries_total{outcome="rejected",reason="malformed-body"} 3"#,
        r#"cave_http_request_duration_seconds_count{method="POST",route="/api/v1/auth/keys/rotated",status="200"} 1"#,
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "missing `{line}` in:\n{metrics}"
        );
    }
    assert!(metrics.contains("# TYPE cave_http_request_duration_seconds histogram"));
}

#[test]
fn without_a_secret_the_webhook_is_unavailable() {
    let daemon = Daemon::start(None);
    let (status, body) = daemon.deliver(&rotation("k", 1), SECRET, now());
    assert_eq!(
        (status, body.contains(r#""error":"not-configured""#)),
        (503, true),
        "{body}"
    );
}

#[test]
fn the_audit_log_chains_every_call_keeps_no_secret_and_survives_restarts() {
    let daemon = Daemon::start(Some(SECRET));
    daemon.deliver(&rotation("k1", 1), SECRET, now());
    daemon.deliver(&rotation("k1", 2), "wrong", now());
    daemon.deliver(&rotation("k1", 1), SECRET, now());
    let audit = daemon.audit.clone();
    let dir = daemon.stop();
    let text = std::fs::read_to_string(&audit).unwrap();
    assert_eq!(text.lines().count(), 3);
    assert!(
        !text.contains(SECRET) && !text.contains("sha256="),
        "no secret or signature in the log"
    );
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["outcome"], "accepted");
    assert_eq!(first["seq"], 1);
    let (ok, stdout, _) = verify(&audit);
    assert!(
        ok && stdout.contains(": 3 entries, chain intact, last hash "),
        "{stdout}"
    );

    // A replay is still a replay after a restart: the log is the memory.
    let daemon = Daemon::start_in(dir, Some(SECRET));
    assert_eq!(daemon.deliver(&rotation("k1", 1), SECRET, now()).0, 409);
    assert_eq!(daemon.deliver(&rotation("k1", 2), SECRET, now()).0, 200);
    let _dir = daemon.stop();

    let lines: Vec<String> = std::fs::read_to_string(&audit)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    std::fs::write(
        &audit,
        lines.join("\n").replacen(
            "\"owner\":\"platform-security\"",
            "\"owner\":\"mallory\"",
            1,
        ) + "\n",
    )
    .unwrap();
    let (ok, _, stderr) = verify(&audit);
    assert!(!ok);
    assert!(
        stderr.contains(
            "audit.jsonl: line 2: its `prev` is not the sha256 of line 1: line 1 was edited"
        ),
        "{stderr}"
    );

    let without_second: Vec<&String> = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, l)| l)
        .collect();
    std::fs::write(
        &audit,
        without_second
            .iter()
            .map(|l| format!("{l}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let (ok, _, stderr) = verify(&audit);
    assert!(!ok && stderr.contains("line 2: "), "{stderr}");
}

/// A full disk (here: a file-size limit): the write that does not fit is rolled back and
/// answered 503, /healthz reports the log, the file stays a valid chain, and a restart
/// without the limit appends again, with no repair by hand.
#[test]
fn a_failed_write_is_rolled_back_answered_503_and_reported_by_healthz() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start_limited(dir, Some(SECRET), Some(4), &[]);
    let mut answered = Vec::new();
    for v in 1..=100 {
        let (status, _) = daemon.deliver(&rotation("k-disk", v), SECRET, now());
        answered.push(status);
        if status == 503 {
            break;
        }
    }
    assert_eq!(answered.last(), Some(&503), "{answered:?}");
    let text = std::fs::read_to_string(&daemon.audit).unwrap();
    assert!(
        text.ends_with('\n'),
        "no half entry is left: {:?}",
        &text[text.len().saturating_sub(40)..]
    );
    assert_eq!(text.lines().count(), answered.len() - 1);
    let (status, body) = daemon.get("/healthz");
    assert_eq!(status, 503);
    assert!(body.contains("\"failing\":[\"audit-log\"]"), "{body}");
    let (ok, stdout, _) = verify(&daemon.audit);
    assert!(ok, "{stdout}");
    let audit = daemon.audit.clone();
    let dir = daemon.stop();
    let daemon = Daemon::start_in(dir, Some(SECRET));
    assert_eq!(daemon.get("/healthz").0, 200);
    let next = answered.len() as u64 + 1;
    assert_eq!(
        daemon.deliver(&rotation("k-disk", next), SECRET, now()).0,
        200
    );
    let _dir = daemon.stop();
    assert!(verify(&audit).0);
}

#[test]
fn a_second_daemon_on_the_same_log_refuses_to_start() {
    let first = Daemon::start(Some(SECRET));
    let (code, stderr) = serve_refused(&first.audit, &[], &[("BKG_WEBHOOK_SECRET", SECRET)]);
    assert_ne!(code, Some(0));
    assert!(
        stderr.contains(&format!(
            "is in use by another cave-daemon (pid {}); two daemons must not append to one log",
            first.child.id()
        )),
        "{stderr}"
    );
    // The first one still serves, and its log is whole.
    assert_eq!(first.deliver(&rotation("k-two", 1), SECRET, now()).0, 200);
    let audit = first.audit.clone();
    let _dir = first.stop();
    assert!(verify(&audit).0);
}

#[test]
fn audit_repair_removes_a_torn_last_line_and_nothing_else() {
    let daemon = Daemon::start(Some(SECRET));
    daemon.deliver(&rotation("k-torn", 1), SECRET, now());
    daemon.deliver(&rotation("k-torn", 2), SECRET, now());
    let audit = daemon.audit.clone();
    let _dir = daemon.stop();
    let whole = std::fs::read_to_string(&audit).unwrap();
    std::fs::write(&audit, format!("{whole}{{\"seq\":3,\"prev\":\"ab")).unwrap();
    let (ok, _, stderr) = verify(&audit);
    assert!(
        !ok && stderr.contains("line 3: the last line is incomplete (a torn write)"),
        "{stderr}"
    );
    let (ok, stdout, stderr) = daemon_cli(&["audit", "repair"], &audit);
    assert!(ok, "{stderr}");
    assert!(
        stdout
            .ends_with(": removed a torn last line of 19 bytes; 2 entries remain, chain intact\n"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&audit).unwrap(), whole);
    let (ok, stdout, _) = daemon_cli(&["audit", "repair"], &audit);
    assert!(
        ok && stdout.ends_with(": nothing to repair (2 entries, chain intact)\n"),
        "{stdout}"
    );
    // An edited line is not a crash: repair refuses and says where.
    std::fs::write(&audit, whole.replacen("platform-security", "mallory", 1)).unwrap();
    let (ok, _, stderr) = daemon_cli(&["audit", "repair"], &audit);
    assert!(!ok);
    assert!(
        stderr.contains("line 2: its `prev` is not the sha256 of line 1")
            && stderr.contains("only a torn last line can be repaired"),
        "{stderr}"
    );
}

/// A deleted (or moved) log is not silently continued in a new file, nor written into the
/// unlinked one: deliveries are refused and /healthz says so until the daemon restarts.
#[test]
fn a_deleted_log_is_refused_not_continued() {
    let daemon = Daemon::start(Some(SECRET));
    assert_eq!(daemon.deliver(&rotation("k-gone", 1), SECRET, now()).0, 200);
    std::fs::remove_file(&daemon.audit).unwrap();
    assert_eq!(daemon.deliver(&rotation("k-gone", 2), SECRET, now()).0, 503);
    assert!(!daemon.audit.exists(), "no new file was started");
    let (status, body) = daemon.get("/healthz");
    assert_eq!(status, 503);
    assert!(body.contains("\"audit-log\""), "{body}");
}

#[test]
fn a_body_not_declared_json_is_refused_and_logged() {
    let daemon = Daemon::start(Some(SECRET));
    let body = rotation("k-type", 1);
    let ts = now().to_string();
    let signature = cave_daemon::signature::sign(SECRET.as_bytes(), &ts, body.as_bytes());
    let headers = [
        ("X-BKG-Timestamp", ts.clone()),
        ("X-BKG-Signature", signature.clone()),
        ("Content-Type", "text/plain".to_string()),
    ];
    let (status, answer) = daemon.request("POST", "/api/v1/auth/keys/rotated", &headers, &body);
    assert_eq!(status, 415, "{answer}");
    assert!(answer.contains("\"unsupported-media-type\""), "{answer}");
    let charset = [
        ("X-BKG-Timestamp", ts),
        ("X-BKG-Signature", signature),
        (
            "Content-Type",
            "Application/JSON; charset=utf-8".to_string(),
        ),
    ];
    assert_eq!(
        daemon
            .request("POST", "/api/v1/auth/keys/rotated", &charset, &body)
            .0,
        200
    );
    let text = std::fs::read_to_string(&daemon.audit).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("\"reason\":\"unsupported-media-type\""),
        "{text}"
    );
}

#[test]
fn junk_methods_share_one_metrics_label() {
    let daemon = Daemon::start(Some(SECRET));
    for i in 0..20 {
        daemon.request(&format!("JUNK{i}"), "/healthz", &[], "");
        daemon.request(&format!("JUNK{i}"), &format!("/nowhere{i}"), &[], "");
    }
    let (_, metrics) = daemon.get("/metrics");
    assert!(!metrics.contains("JUNK"), "{metrics}");
    assert!(metrics.contains("method=\"other\""), "{metrics}");
}

/// A client that sends part of its headers and stops: the connection is closed once the
/// header timeout passes, and the daemon keeps serving others.
#[test]
fn a_stalled_connection_is_closed_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start_limited(dir, Some(SECRET), None, &[("CAVE_HEADER_TIMEOUT", "1")]);
    let mut stalled = TcpStream::connect(&daemon.address).unwrap();
    stalled
        .write_all(b"POST /api/v1/auth/keys/rotated HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    stalled
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = stalled.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(
        waited >= std::time::Duration::from_millis(800)
            && waited < std::time::Duration::from_secs(5),
        "closed after {waited:?}"
    );
    assert_eq!(daemon.get("/healthz").0, 200);

    // A keep-alive connection that goes quiet after a request is closed the same way: the
    // timeout also bounds the wait for the next request's headers.
    let mut idle = TcpStream::connect(&daemon.address).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    idle.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut answer = [0u8; 12];
    idle.read_exact(&mut answer).unwrap();
    assert_eq!(&answer, b"HTTP/1.1 200");
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = idle.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(
        String::from_utf8_lossy(&rest).ends_with("{\"status\":\"ok\"}")
            && waited >= std::time::Duration::from_millis(500)
            && waited < std::time::Duration::from_secs(5),
        "idle connection closed after {waited:?}"
    );
}

/// SIGTERM with a connection that never finishes: the daemon exits once the grace is over.
#[test]
fn shutdown_is_bounded_by_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let env = [("CAVE_HEADER_TIMEOUT", "60"), ("CAVE_SHUTDOWN_GRACE", "1")];
    let daemon = Daemon::start_limited(dir, Some(SECRET), None, &env);
    let mut stalled = TcpStream::connect(&daemon.address).unwrap();
    stalled.write_all(b"GET /healthz HTTP/1.1\r\n").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let started = std::time::Instant::now();
    let _dir = daemon.stop();
    let waited = started.elapsed();
    assert!(
        waited < std::time::Duration::from_secs(5),
        "stopped after {waited:?}"
    );
}

/// A flood of unsigned deliveries: the budget's worth is answered and audited, the first
/// over it is audited as `rate-limited`, the rest get 429 without a log write; a correctly
/// signed delivery from the same client still goes through.
#[test]
fn rejected_deliveries_beyond_the_budget_are_limited() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start_limited(dir, Some(SECRET), None, &[("CAVE_REJECT_BUDGET", "3")]);
    let statuses: Vec<u16> = (0..10)
        .map(|v| {
            daemon
                .deliver(&rotation("k-flood", v + 1), "wrong", now())
                .0
        })
        .collect();
    assert_eq!(statuses, [401, 401, 401, 429, 429, 429, 429, 429, 429, 429]);
    assert_eq!(
        daemon.deliver(&rotation("k-flood", 1), SECRET, now()).0,
        200
    );
    let text = std::fs::read_to_string(&daemon.audit).unwrap();
    let reasons: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["reason"].to_string())
        .collect();
    assert_eq!(
        reasons,
        [
            "\"bad-signature\"",
            "\"bad-signature\"",
            "\"bad-signature\"",
            "\"rate-limited\"",
            "null"
        ]
    );
    let (_, metrics) = daemon.get("/metrics");
    assert!(
        metrics.contains(
            "cave_webhook_deliveries_total{outcome=\"rejected\",reason=\"rate-limited\"} 7"
        ),
        "{metrics}"
    );
}

/// A body that never finishes arriving is answered 408 (and audited) once the body timeout
/// passes, instead of holding the handler.
#[test]
fn a_trickling_body_is_answered_408() {
    let dir = tempfile::tempdir().unwrap();
    let daemon = Daemon::start_limited(dir, Some(SECRET), None, &[("CAVE_BODY_TIMEOUT", "1")]);
    let mut stream = TcpStream::connect(&daemon.address).unwrap();
    let head = "POST /api/v1/auth/keys/rotated HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"key_id\"";
    stream.write_all(head.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("\"body-timeout\""), "{response}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let text = std::fs::read_to_string(&daemon.audit).unwrap();
    assert!(
        text.contains("\"reason\":\"body-timeout\",") && text.contains("\"status\":408"),
        "{text}"
    );
}
