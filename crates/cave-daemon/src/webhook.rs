//! `POST /api/v1/auth/keys/rotated`: a key-rotation notice, signed by the sender with the
//! shared secret. Every call, accepted or not, is appended to the audit log.

use crate::AppState;
use crate::audit::Entry;
use crate::signature::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use utoipa::ToSchema;

/// Largest body the webhook reads.
const MAX_BODY: usize = 64 * 1024;

/// The class of a rotated key; each has its own maximum age (see policies/rotation.yaml).
#[derive(Clone, Copy, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum KeyClass {
    Admin,
    Namespace,
    ModelAccess,
    Session,
    Cosign,
}

/// A key rotation, as the sender reports it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "key_id": "ns-analytics-api", "key_class": "namespace", "namespace": "analytics",
    "version": 7, "rotated_at": "2026-11-28T09:30:00Z", "owner": "platform-security"
}))]
pub struct KeyRotation {
    /// Stable identifier of the key.
    #[schema(min_length = 1, max_length = 128)]
    pub key_id: String,
    pub key_class: KeyClass,
    /// Namespace the key belongs to (`platform` for platform-wide keys).
    #[schema(min_length = 1, max_length = 128)]
    pub namespace: String,
    /// The new version; each (key_id, version) is accepted once.
    #[schema(minimum = 1, maximum = 9223372036854775807_i64)]
    #[serde(deserialize_with = "int64")]
    pub version: u64,
    /// When the rotation happened (RFC 3339).
    #[schema(format = DateTime)]
    pub rotated_at: String,
    /// Team or person responsible for the key.
    #[schema(min_length = 1, max_length = 128)]
    pub owner: String,
}

/// An `int64` as JSON Schema reads integers: `7` and `7.0` are the same integer, and
/// nothing above 2^63 − 1 is one.
fn int64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let number = serde_json::Number::deserialize(d)?;
    let value = match (number.as_u64(), number.as_f64()) {
        (Some(n), _) => Some(n),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..9.223_372_036_854_776e18).contains(&f) => {
            Some(f as u64)
        }
        _ => None,
    };
    value.filter(|n| i64::try_from(*n).is_ok()).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "`version` {number} is not an int64 integer of at least 1"
        ))
    })
}

/// The rotation was recorded.
#[derive(Serialize, ToSchema)]
pub struct RotationRecorded {
    /// Always `recorded`.
    pub status: String,
    pub key_id: String,
    pub version: u64,
}

/// Why a request was refused.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"error": "bad-signature", "message": "the signature does not match the body and timestamp"}))]
pub struct ErrorBody {
    /// A stable, machine-readable reason.
    pub error: String,
    /// What went wrong, for people.
    pub message: String,
}

/// Records a key rotation reported by a signed webhook delivery.
#[utoipa::path(
    post,
    path = "/api/v1/auth/keys/rotated",
    tag = "keys",
    operation_id = "keyRotated",
    request_body(content = KeyRotation, content_type = "application/json"),
    params(
        ("X-BKG-Timestamp" = String, Header, description = "Unix time (seconds) when the delivery was signed; must be within 5 minutes of the server's clock"),
        ("X-BKG-Signature" = String, Header, description = "`sha256=` and the hex HMAC-SHA256 of `timestamp + \".\" + body` under the shared secret")
    ),
    security(("webhook_signature" = [])),
    responses(
        (status = 200, description = "The rotation was recorded", body = RotationRecorded),
        (status = 400, description = "The body is not a valid key rotation", body = ErrorBody),
        (status = 401, description = "Missing, malformed or wrong signature, or a stale timestamp", body = ErrorBody),
        (status = 408, description = "The body did not arrive within the body timeout", body = ErrorBody),
        (status = 409, description = "This (key_id, version) was already recorded: a replay", body = ErrorBody),
        (status = 415, description = "The body is not declared `Content-Type: application/json`", body = ErrorBody),
        (status = 429, description = "Too many rejected deliveries from this client in 10 s (the first over the budget is audited, the rest counted)", body = ErrorBody),
        (status = 503, description = "The webhook secret is not configured or the audit log cannot be written", body = ErrorBody)
    ),
    extensions(
        ("x-bkg-audit" = json!({"log": "JSON Lines", "chain": "sha256 of the previous line in `prev`", "records": "every call, accepted or rejected"}))
    )
)]
pub async fn key_rotated(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.to_string());
    let headers = request.headers().clone();
    // A body that trickles in is bounded like stalled headers are.
    let read = axum::body::to_bytes(request.into_body(), MAX_BODY);
    let body = tokio::time::timeout(state.body_timeout, read).await.ok();
    let mut entry = Entry {
        time: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        event: "key-rotation",
        outcome: "rejected",
        status: 0,
        reason: None,
        key_id: None,
        key_class: None,
        namespace: None,
        version: None,
        owner: None,
        peer,
    };
    let mut answer = match &body {
        Some(read) => decide(&state, &headers, read.as_deref().ok(), &mut entry),
        None => {
            entry.reason = Some("body-timeout".into());
            let message = format!("the body did not arrive within {:?}", state.body_timeout);
            let status = StatusCode::REQUEST_TIMEOUT;
            (status, refuse(status, "body-timeout", &message))
        }
    };
    // Unauthenticated rejects count against the client's budget.
    let unauthenticated = matches!(
        answer.0,
        StatusCode::UNAUTHORIZED | StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::REQUEST_TIMEOUT
    );
    let ip = entry
        .peer
        .as_deref()
        .and_then(|p| p.parse::<SocketAddr>().ok())
        .map(|a| a.ip());
    if let (true, Some(ip)) = (unauthenticated, ip) {
        let limited = || {
            refuse(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "too many rejected deliveries from this client; try again in 10 s",
            )
        };
        match state.rejects.charge(ip, std::time::Instant::now()) {
            crate::limit::Verdict::Log => {}
            crate::limit::Verdict::LogLimited => {
                entry.reason = Some("rate-limited".into());
                answer = (StatusCode::TOO_MANY_REQUESTS, limited());
            }
            crate::limit::Verdict::Suppress => {
                state.metrics.delivery("rejected", "rate-limited");
                return limited();
            }
        }
    }
    entry.status = answer.0.as_u16();
    let reason = entry.reason.clone().unwrap_or_else(|| "recorded".into());
    let logged = state
        .audit
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .append(&entry);
    if let Err(e) = logged {
        eprintln!("cave-daemon: {e:#}");
        if entry.outcome == "accepted" {
            let key = (
                entry.key_id.clone().unwrap_or_default(),
                entry.version.unwrap_or_default(),
            );
            state
                .seen
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&key);
        }
        state.metrics.delivery("rejected", "audit-log-unavailable");
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            "audit-log-unavailable",
            "the audit log cannot be written",
        );
    }
    state.metrics.delivery(entry.outcome, &reason);
    if let ("accepted", Some(class)) = (entry.outcome, &entry.key_class) {
        let at = crate::unix_seconds(SystemTime::now());
        state.metrics.rotation_accepted(class, at);
    }
    answer.1
}

/// The status and response for a delivery; fills in what the audit entry records.
fn decide(
    state: &AppState,
    headers: &HeaderMap,
    body: Option<&[u8]>,
    entry: &mut Entry,
) -> (StatusCode, Response) {
    let mut reject = |status: StatusCode, reason: &str, message: &str| {
        entry.reason = Some(reason.to_owned());
        (status, refuse(status, reason, message))
    };
    let Some(secret) = &state.secret else {
        return reject(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-configured",
            "BKG_WEBHOOK_SECRET is not set on the server",
        );
    };
    let Some(body) = body else {
        return reject(
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "the body is larger than 64 KiB",
        );
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if !is_json(header("content-type")) {
        return reject(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "the body must be sent as `Content-Type: application/json`",
        );
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    if let Err(rejection) = signature::verify(
        secret,
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        body,
        now,
    ) {
        return reject(
            StatusCode::UNAUTHORIZED,
            rejection.reason(),
            rejection.message(),
        );
    }
    let rotation = match parse(body) {
        Ok(rotation) => rotation,
        Err(message) => return reject(StatusCode::BAD_REQUEST, "malformed-body", &message),
    };
    entry.key_id = Some(rotation.key_id.clone());
    entry.key_class = serde_json::to_value(rotation.key_class)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned));
    entry.namespace = Some(rotation.namespace.clone());
    entry.version = Some(rotation.version);
    entry.owner = Some(rotation.owner.clone());
    let fresh = state
        .seen
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert((rotation.key_id.clone(), rotation.version));
    if !fresh {
        let message = format!(
            "{} version {} was already recorded",
            rotation.key_id, rotation.version
        );
        return reject(StatusCode::CONFLICT, "replay", &message);
    }
    entry.outcome = "accepted";
    let recorded = RotationRecorded {
        status: "recorded".into(),
        key_id: rotation.key_id,
        version: rotation.version,
    };
    (StatusCode::OK, Json(recorded).into_response())
}

/// `application/json`, with or without parameters (`; charset=utf-8`), in any case.
fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|t| t.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

/// The body as a key rotation, with the checks the schema states.
pub fn parse(body: &[u8]) -> Result<KeyRotation, String> {
    let rotation: KeyRotation =
        serde_json::from_slice(body).map_err(|e| format!("invalid key rotation: {e}"))?;
    for (name, value) in [
        ("key_id", &rotation.key_id),
        ("namespace", &rotation.namespace),
        ("owner", &rotation.owner),
    ] {
        // The schema's lengths count characters, not bytes.
        let length = value.chars().count();
        if length == 0 || length > 128 {
            return Err(format!("`{name}` must be 1 to 128 characters"));
        }
    }
    if rotation.version == 0 {
        return Err("`version` starts at 1".into());
    }
    // RFC 3339 `date-time` exactly: a zone is required (`Z`, `z`, `+02:00`, `-00:00`),
    // `T` may be lowercase, any year from 0000 is one.
    time::OffsetDateTime::parse(
        &rotation.rotated_at,
        &time::format_description::well_known::Rfc3339,
    )
    .map_err(|e| format!("`rotated_at` is not an RFC 3339 date-time: {e}"))?;
    Ok(rotation)
}

fn refuse(status: StatusCode, reason: &str, message: &str) -> Response {
    (
        status,
        Json(ErrorBody {
            error: reason.to_owned(),
            message: message.to_owned(),
        }),
    )
        .into_response()
}
