//! `GET /healthz`: 200 when every check passes, 503 naming the checks that fail.

use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// Every check passed.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Healthy {
    /// Always `ok`.
    pub status: String,
}

/// At least one check failed.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "unavailable", "failing": ["audit-log"]}))]
pub struct Unhealthy {
    /// Always `unavailable`.
    pub status: String,
    /// Names of the failing checks: `audit-log` (the audit log cannot be appended to),
    /// `webhook-secret` (`BKG_WEBHOOK_SECRET` is not set).
    pub failing: Vec<String>,
}

/// Whether the daemon can do its job.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    operation_id = "healthz",
    security(()),
    responses(
        (status = 200, description = "Every check passed", body = Healthy),
        (status = 503, description = "Some checks failed; `failing` names them", body = Unhealthy)
    )
)]
pub async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    let mut failing = Vec::new();
    // Not under the log's lock: a health probe never waits behind an fsync.
    if !state.audit_health.writable() {
        failing.push("audit-log".to_string());
    }
    if state.secret.is_none() {
        failing.push("webhook-secret".to_string());
    }
    if failing.is_empty() {
        Json(Healthy {
            status: "ok".into(),
        })
        .into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Unhealthy {
                status: "unavailable".into(),
                failing,
            }),
        )
            .into_response()
    }
}
