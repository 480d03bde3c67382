//! Prometheus metrics: request counts and latencies per route, method and status, webhook
//! deliveries, key rotations, the audit log's state and checkpoints, and the configured
//! sandbox limits and sampling rate; served as Prometheus text on `GET /metrics`.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family as Family_;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant, SystemTime};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeliveryLabels {
    pub outcome: String,
    pub reason: String,
}

/// One label: its name and value.
type Label = Vec<(&'static str, String)>;

/// A metric family the daemon exposes: its name (after `cave_`), type and help. The list
/// is the one source for the registry and for the catalogue in the OpenAPI document
/// (`x-bkg-metrics`), which the `services` policy checks alert rules against.
pub struct Family {
    pub name: &'static str,
    pub kind: &'static str,
    pub help: &'static str,
}

impl Family {
    /// The sample names a query can use: `_total` for counters, `_bucket`, `_sum` and
    /// `_count` for histograms.
    pub fn samples(&self) -> Vec<String> {
        let base = format!("cave_{}", self.name);
        match self.kind {
            "counter" => vec![format!("{base}_total")],
            "histogram" => ["_bucket", "_sum", "_count"]
                .iter()
                .map(|s| format!("{base}{s}"))
                .collect(),
            _ => vec![base],
        }
    }
}

const fn family(name: &'static str, kind: &'static str, help: &'static str) -> Family {
    Family { name, kind, help }
}

pub const FAMILIES: [Family; 14] = [
    family(
        "http_requests",
        "counter",
        "HTTP requests by route, method and status",
    ),
    family(
        "http_request_duration_seconds",
        "histogram",
        "HTTP request latency by route, method and status",
    ),
    family(
        "webhook_deliveries",
        "counter",
        "Key-rotation webhook deliveries by outcome and reason",
    ),
    family(
        "key_rotation_last_accepted_timestamp_seconds",
        "gauge",
        "Unix time of the last accepted key rotation by key class (from the audit log at start, then from deliveries)",
    ),
    family(
        "audit_log_writable",
        "gauge",
        "1 while the audit log can be appended to, 0 while appends fail or the file was moved away",
    ),
    family(
        "audit_checkpoints",
        "counter",
        "Signed audit checkpoints by outcome (signed, failed)",
    ),
    family(
        "audit_last_checkpoint_timestamp_seconds",
        "gauge",
        "Unix time of the last signed audit checkpoint",
    ),
    family(
        "audit_verifications",
        "counter",
        "Re-verifications of the audit log on disk with the cosign public key, by outcome (ok, failed)",
    ),
    family(
        "sandbox_limit",
        "gauge",
        "Configured sandbox limit by resource (vcpus, memory_bytes, timeout_seconds, disk_bytes)",
    ),
    family(
        "otel_sampling_ratio",
        "gauge",
        "Configured OpenTelemetry trace sampling ratio (CAVE_OTEL_SAMPLING_RATE)",
    ),
    family(
        "otel_spans_exported",
        "counter",
        "Spans the OpenTelemetry exporter delivered to the collector",
    ),
    family(
        "otel_export_failures",
        "counter",
        "OTLP export requests that failed (collector down, refused, slow or answering non-2xx)",
    ),
    family(
        "otel_spans_dropped",
        "counter",
        "Spans lost: the exporter's queue was full, or their export failed",
    ),
    family(
        "environment_info",
        "gauge",
        "1, labelled with the configured environment (CAVE_ENVIRONMENT)",
    ),
];

type Latencies = Family_<RequestLabels, Histogram, fn() -> Histogram>;
type Ratio = Gauge<f64, AtomicU64>;

pub struct Metrics {
    registry: Registry,
    requests: Family_<RequestLabels, Counter>,
    latency: Latencies,
    deliveries: Family_<DeliveryLabels, Counter>,
    rotations: Family_<Label, Gauge>,
    audit_writable: Gauge,
    checkpoints: Family_<Label, Counter>,
    /// Families without labels where a series exists only once it has a value.
    last_checkpoint: Family_<Label, Gauge>,
    verifications: Family_<Label, Counter>,
    sandbox: Family_<Label, Ratio>,
    sampling: Family_<Label, Ratio>,
    environment: Family_<Label, Gauge>,
    otel_exported: Counter,
    otel_failures: Counter,
    otel_dropped: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        // 0.5 ms to ~4 s.
        let latency: Latencies =
            Family_::new_with_constructor(|| Histogram::new(exponential_buckets(0.0005, 2.0, 14)));
        let metrics = Metrics {
            registry: Registry::with_prefix("cave"),
            requests: Default::default(),
            latency,
            deliveries: Default::default(),
            rotations: Default::default(),
            audit_writable: Default::default(),
            checkpoints: Default::default(),
            last_checkpoint: Default::default(),
            verifications: Default::default(),
            sandbox: Default::default(),
            sampling: Default::default(),
            environment: Default::default(),
            otel_exported: Default::default(),
            otel_failures: Default::default(),
            otel_dropped: Default::default(),
        };
        let mut registry = Registry::with_prefix("cave");
        let mut registered = 0;
        add(
            &mut registry,
            &mut registered,
            "http_requests",
            metrics.requests.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "http_request_duration_seconds",
            metrics.latency.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "webhook_deliveries",
            metrics.deliveries.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "key_rotation_last_accepted_timestamp_seconds",
            metrics.rotations.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "audit_log_writable",
            metrics.audit_writable.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "audit_checkpoints",
            metrics.checkpoints.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "audit_last_checkpoint_timestamp_seconds",
            metrics.last_checkpoint.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "audit_verifications",
            metrics.verifications.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "sandbox_limit",
            metrics.sandbox.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "otel_sampling_ratio",
            metrics.sampling.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "environment_info",
            metrics.environment.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "otel_spans_exported",
            metrics.otel_exported.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "otel_export_failures",
            metrics.otel_failures.clone(),
        );
        add(
            &mut registry,
            &mut registered,
            "otel_spans_dropped",
            metrics.otel_dropped.clone(),
        );
        // A family listed but never registered would be in the catalogue but not in /metrics.
        assert_eq!(
            registered,
            FAMILIES.len(),
            "every family in FAMILIES is registered"
        );
        Metrics {
            registry,
            ..metrics
        }
    }
}

impl Metrics {
    /// Counts a request. Any string is a valid method; only the standard ones become
    /// labels, so junk methods cannot grow /metrics without bound.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let labels = RequestLabels {
            method: method_label(method).to_owned(),
            route: route.to_owned(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.latency
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    pub fn delivery(&self, outcome: &str, reason: &str) {
        let labels = DeliveryLabels {
            outcome: outcome.to_owned(),
            reason: reason.to_owned(),
        };
        self.deliveries.get_or_create(&labels).inc();
    }

    /// An accepted rotation of `key_class` at `unix` seconds (kept if older than the last).
    pub fn rotation_accepted(&self, key_class: &str, unix: i64) {
        let gauge = self.rotations.get_or_create(&label("key_class", key_class));
        if unix > gauge.get() {
            gauge.set(unix);
        }
    }

    /// A checkpoint that was signed (at `unix` seconds) or failed.
    pub fn checkpoint(&self, signed_at: Option<i64>) {
        let outcome = if signed_at.is_some() {
            "signed"
        } else {
            "failed"
        };
        self.checkpoints
            .get_or_create(&label("outcome", outcome))
            .inc();
        if let Some(unix) = signed_at {
            self.last_checkpoint.get_or_create(&Vec::new()).set(unix);
        }
    }

    pub fn verification(&self, ok: bool) {
        let outcome = if ok { "ok" } else { "failed" };
        self.verifications
            .get_or_create(&label("outcome", outcome))
            .inc();
    }

    /// `n` spans reached the collector.
    pub fn otel_exported(&self, n: u64) {
        self.otel_exported.inc_by(n);
    }

    /// An export of `n` spans failed; they are lost.
    pub fn otel_failed(&self, n: u64) {
        self.otel_failures.inc();
        self.otel_dropped.inc_by(n);
    }

    /// `n` spans did not fit the exporter's queue.
    pub fn otel_dropped(&self, n: u64) {
        self.otel_dropped.inc_by(n);
    }

    /// The configured settings, as gauges.
    pub fn configured(&self, settings: &crate::config::Settings) {
        for (resource, value) in &settings.sandbox {
            self.sandbox
                .get_or_create(&label("resource", resource))
                .set(*value);
        }
        if let Some(rate) = settings.sampling {
            self.sampling.get_or_create(&Vec::new()).set(rate);
        }
        if let Some(environment) = &settings.environment {
            self.environment
                .get_or_create(&label("environment", environment))
                .set(1);
        }
    }

    /// The Prometheus text, with the audit log's state as of now.
    pub fn render(&self, audit_writable: bool) -> String {
        self.audit_writable.set(i64::from(audit_writable));
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

/// Registers `metric` under its entry in `FAMILIES`.
fn add(
    registry: &mut Registry,
    registered: &mut usize,
    name: &str,
    metric: impl prometheus_client::registry::Metric,
) {
    *registered += 1;
    let family = FAMILIES
        .iter()
        .find(|f| f.name == name)
        .expect("every registered metric is in FAMILIES");
    registry.register(family.name, family.help, metric);
}

fn label(name: &'static str, value: &str) -> Label {
    vec![(name, value.to_owned())]
}

/// Route middleware: times every matched request and counts it by its route template.
pub async fn track(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let method = request.method().as_str().to_owned();
    let (start, began) = (Instant::now(), SystemTime::now());
    let response = next.run(request).await;
    finished(
        &state,
        &method,
        &route,
        response.status().as_u16(),
        (start, began),
    );
    response
}

/// A request is answered: it is counted and timed, and traced when an exporter runs.
pub fn finished(
    state: &AppState,
    method: &str,
    route: &str,
    status: u16,
    (start, began): (Instant, SystemTime),
) {
    state
        .metrics
        .observe(method, route, status, start.elapsed());
    if let Some(exporter) = state.otel.get() {
        exporter.record(crate::otel::Span {
            method: method_label(method).to_owned(),
            route: route.to_owned(),
            status,
            start: began,
            end: SystemTime::now(),
        });
    }
}

/// The method as a label: the standard ones, every other string `other`.
fn method_label(method: &str) -> &str {
    match method {
        m @ ("GET" | "HEAD" | "POST" | "PUT" | "DELETE" | "PATCH" | "OPTIONS" | "TRACE"
        | "CONNECT") => m,
        _ => "other",
    }
}

/// Prometheus metrics of this process.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "metrics",
    operation_id = "metrics",
    security(()),
    responses(
        (status = 200, description = "Metrics in the Prometheus text format (version 0.0.4)", body = String, content_type = "text/plain")
    )
)]
pub async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    (
        [(CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
        state.metrics.render(state.audit_health.writable()),
    )
        .into_response()
}
