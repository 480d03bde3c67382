//! cave-daemon: the platform's small daemon. It serves `GET /healthz`, `GET /metrics` and
//! the key-rotation webhook `POST /api/v1/auth/keys/rotated`, whose every call lands in a
//! hash-chained audit log. The OpenAPI document is built from the same routes
//! (utoipa-axum), so the spec cannot describe a route the server does not have.

pub mod api;
pub mod audit;
pub mod audit_tasks;
pub mod config;
pub mod health;
pub mod limit;
pub mod metrics;
pub mod otel;
pub mod serve;
pub mod signature;
pub mod state;
pub mod webhook;
pub mod yaml;

pub use state::AppState;

/// Seconds since the Unix epoch (0 before it).
pub fn unix_seconds(at: std::time::SystemTime) -> i64 {
    at.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
