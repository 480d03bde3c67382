//! The OpenTelemetry exporter against a stand-in collector that checks every request with
//! the real OTLP protobuf definitions (tests/data/otel/collector.py): one server span per
//! request, with its route and status; and a collector that goes away costs failed exports
//! and dropped spans in the metrics, never a failed request.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/otel");

struct Collector {
    child: Child,
    port: u16,
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn collector(out: &Path) -> Collector {
    let tools = python_tool(
        "opentelemetry-proto",
        &Path::new(DATA).join("requirements.txt"),
    );
    let mut child = Command::new("python3")
        .arg(Path::new(DATA).join("collector.py"))
        .arg(out)
        .env("PYTHONPATH", &tools)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line.trim().parse().expect("the collector's port");
    Collector { child, port }
}

#[test]
fn requests_become_otlp_spans_and_a_lost_collector_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let received = dir.path().join("received.jsonl");
    let collector = collector(&received);
    let endpoint = format!("http://127.0.0.1:{}", collector.port);
    let env = [
        ("CAVE_OTEL_ENDPOINT", endpoint.as_str()),
        ("CAVE_OTEL_SAMPLING_RATE", "1.0"),
    ];
    let daemon = Daemon::start_limited(tempfile::tempdir().unwrap(), Some(SECRET), None, &env);
    assert_eq!(daemon.get("/healthz").0, 200);
    assert_eq!(daemon.get("/nowhere").0, 404);
    let read = || std::fs::read_to_string(&received).unwrap_or_default();
    wait_for("the spans", || {
        let text = read();
        text.contains("unmatched") || text.contains("invalid:")
    });
    let text = read();
    assert!(!text.contains("invalid:"), "{text}");
    let spans: Vec<serde_json::Value> = text
        .lines()
        .flat_map(|l| {
            let request: serde_json::Value = serde_json::from_str(l).unwrap();
            request["resourceSpans"][0]["scopeSpans"][0]["spans"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    let names: Vec<&str> = spans.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"GET /healthz") && names.contains(&"GET unmatched"),
        "{names:?}"
    );
    let health = spans.iter().find(|s| s["name"] == "GET /healthz").unwrap();
    assert_eq!(health["kind"], 2);
    assert_eq!(health["traceId"].as_str().unwrap().len(), 32);
    assert_eq!(
        health["attributes"][2],
        serde_json::json!({"key": "http.response.status_code", "value": {"intValue": "200"}})
    );
    let first = text.lines().next().unwrap();
    let service = &serde_json::from_str::<serde_json::Value>(first).unwrap()["resourceSpans"][0]["resource"]
        ["attributes"][0];
    assert_eq!(
        service,
        &serde_json::json!({"key": "service.name", "value": {"stringValue": "cave-daemon"}})
    );
    wait_for("the export count", || {
        daemon.metric("cave_otel_spans_exported_total") >= Some(2.0)
    });

    // The collector goes away: requests still succeed, the failed export is counted.
    drop(collector);
    assert_eq!(daemon.get("/healthz").0, 200);
    wait_for("a failed export", || {
        daemon.metric("cave_otel_export_failures_total") >= Some(1.0)
    });
    assert!(daemon.metric("cave_otel_spans_dropped_total") >= Some(1.0));
    assert!(
        daemon.stderr().contains(&format!("spans to {endpoint}: ")),
        "{}",
        daemon.stderr()
    );
}

#[test]
fn a_malformed_endpoint_stops_the_daemon_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stderr) = serve_refused(
        &dir.path().join("audit.jsonl"),
        &[],
        &[("CAVE_OTEL_ENDPOINT", "https://collector:4318")],
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(
            "error: CAVE_OTEL_ENDPOINT is `https://collector:4318`: expected an http:// URL"
        ),
        "{stderr}"
    );
}
