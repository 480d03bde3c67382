//! The OpenTelemetry trace exporter: one server span per HTTP request, sampled at
//! `CAVE_OTEL_SAMPLING_RATE`, sent in batches as OTLP/HTTP JSON to `CAVE_OTEL_ENDPOINT`
//! (`POST {endpoint}/v1/traces`, a collector's default receiver). The queue is bounded: a
//! slow or absent collector costs dropped spans, counted in the metrics with every failed
//! export, never a slower request.

use crate::metrics::Metrics;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc;

/// Spans waiting for the next batch; beyond this they are dropped.
const QUEUE: usize = 2048;
/// Spans per export request.
const BATCH: usize = 512;
/// The longest a span waits before its batch is sent.
const FLUSH: Duration = Duration::from_secs(2);
/// Connect and answer time of one export.
const TIMEOUT: Duration = Duration::from_secs(5);

/// One finished request.
#[derive(Debug, Clone)]
pub struct Span {
    pub method: String,
    pub route: String,
    pub status: u16,
    pub start: SystemTime,
    pub end: SystemTime,
}

/// Where spans go: `http://host:port` and an optional path prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub authority: String,
    pub path: String,
}

impl Endpoint {
    /// `http://host:port[/prefix]`; the error says what is wrong (the caller names the
    /// variable).
    pub fn parse(url: &str) -> Result<Endpoint, String> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            "expected an http:// URL of a collector, such as http://127.0.0.1:4318 (https is not supported: run the collector beside the daemon)".to_string()
        })?;
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let port = authority.rsplit_once(':').map(|(_, p)| p);
        if authority.is_empty() || port.is_none_or(|p| p.parse::<u16>().is_err()) {
            return Err("expected host:port after http://, such as http://127.0.0.1:4318".into());
        }
        Ok(Endpoint {
            authority: authority.to_owned(),
            path: format!("/{}", path.trim_end_matches('/'))
                .trim_end_matches('/')
                .to_owned(),
        })
    }
}

/// The request side: samples and queues spans.
pub struct Exporter {
    queue: mpsc::Sender<Span>,
    /// A span is kept when a random u64 is below this (rate × 2^64).
    threshold: u64,
    metrics: Arc<Metrics>,
}

impl Exporter {
    /// Starts the sending task on the current runtime.
    pub fn start(endpoint: Endpoint, rate: f64, metrics: Arc<Metrics>) -> Exporter {
        let (queue, spans) = mpsc::channel(QUEUE);
        tokio::spawn(send_batches(endpoint, spans, Arc::clone(&metrics)));
        let threshold = if rate >= 1.0 {
            u64::MAX
        } else {
            (rate.max(0.0) * u64::MAX as f64) as u64
        };
        Exporter {
            queue,
            threshold,
            metrics,
        }
    }

    /// Queues the span if it is sampled; a full queue drops it (and counts it).
    pub fn record(&self, span: Span) {
        if random::<8>().map(u64::from_le_bytes).unwrap_or(0) > self.threshold {
            return;
        }
        if self.queue.try_send(span).is_err() {
            self.metrics.otel_dropped(1);
        }
    }
}

async fn send_batches(endpoint: Endpoint, mut spans: mpsc::Receiver<Span>, metrics: Arc<Metrics>) {
    loop {
        let Some(first) = spans.recv().await else {
            return;
        };
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + FLUSH;
        while batch.len() < BATCH {
            match tokio::time::timeout_at(deadline, spans.recv()).await {
                Ok(Some(span)) => batch.push(span),
                Ok(None) | Err(_) => break,
            }
        }
        let body = encode(&batch);
        match tokio::time::timeout(TIMEOUT, post(&endpoint, body)).await {
            Ok(Ok(())) => metrics.otel_exported(batch.len() as u64),
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e,
                    _ => format!("no answer within {TIMEOUT:?}"),
                };
                eprintln!(
                    "cave-daemon: cannot export {} spans to http://{}: {why}",
                    batch.len(),
                    endpoint.authority
                );
                metrics.otel_failed(batch.len() as u64);
            }
        }
    }
}

/// One OTLP/HTTP JSON export request; Ok when the collector answers 2xx.
async fn post(endpoint: &Endpoint, body: String) -> Result<(), String> {
    let stream = tokio::net::TcpStream::connect(&endpoint.authority)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    let request = hyper::Request::post(format!("{}/v1/traces", endpoint.path))
        .header(hyper::header::HOST, &endpoint.authority)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    // Read the answer to its end so the connection closes cleanly.
    let _ = response.into_body().collect().await;
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the collector answered {status}"))
    }
}

/// The spans as an `ExportTraceServiceRequest` in OTLP's JSON encoding (hex ids, 64-bit
/// integers as strings, SERVER kind, error status for 5xx).
pub fn encode(spans: &[Span]) -> String {
    let nanos = |t: SystemTime| {
        t.duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
            .to_string()
    };
    let text =
        |key: &str, value: &str| serde_json::json!({"key": key, "value": {"stringValue": value}});
    let spans: Vec<serde_json::Value> = spans
        .iter()
        .map(|s| {
            let status = if s.status >= 500 { 2 } else { 0 };
            serde_json::json!({
                "traceId": hex(&random::<16>().unwrap_or([1; 16])),
                "spanId": hex(&random::<8>().unwrap_or([1; 8])),
                "name": format!("{} {}", s.method, s.route),
                "kind": 2,
                "startTimeUnixNano": nanos(s.start),
                "endTimeUnixNano": nanos(s.end),
                "attributes": [
                    text("http.request.method", &s.method),
                    text("http.route", &s.route),
                    {"key": "http.response.status_code", "value": {"intValue": s.status.to_string()}},
                ],
                "status": {"code": status},
            })
        })
        .collect();
    serde_json::json!({
        "resourceSpans": [{
            "resource": {"attributes": [text("service.name", "cave-daemon")]},
            "scopeSpans": [{"scope": {"name": "cave-daemon"}, "spans": spans}],
        }]
    })
    .to_string()
}

fn hex(bytes: &[u8]) -> String {
    crate::signature::hex(bytes)
}

fn random<const N: usize>() -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_are_http_host_and_port_with_an_optional_prefix() {
        let e = Endpoint::parse("http://127.0.0.1:4318").unwrap();
        assert_eq!(
            (e.authority.as_str(), e.path.as_str()),
            ("127.0.0.1:4318", "")
        );
        let e = Endpoint::parse("http://collector:4318/otlp/").unwrap();
        assert_eq!(e.path, "/otlp");
        assert!(
            Endpoint::parse("https://collector:4318")
                .unwrap_err()
                .contains("https is not supported")
        );
        assert!(
            Endpoint::parse("http://collector")
                .unwrap_err()
                .contains("host:port")
        );
    }
}
