//! What the handlers share: the webhook secret, the audit log, the replay set and metrics.

use crate::audit::AuditLog;
use crate::metrics::Metrics;
use std::collections::HashSet;
use std::sync::Mutex;

/// Rejected calls a client may have audited per 10 s before it gets 429.
pub const DEFAULT_REJECT_BUDGET: u32 = 30;

pub struct AppState {
    /// `BKG_WEBHOOK_SECRET`; never logged, never in an error message.
    pub secret: Option<Vec<u8>>,
    pub audit: Mutex<AuditLog>,
    /// The audit log's health, readable without its lock.
    pub audit_health: crate::audit::Health,
    /// (key id, version) pairs already accepted: a second delivery is a replay.
    pub seen: Mutex<HashSet<(String, u64)>>,
    pub metrics: std::sync::Arc<Metrics>,
    /// The trace exporter, once the runtime runs (`CAVE_OTEL_ENDPOINT`).
    pub otel: std::sync::OnceLock<crate::otel::Exporter>,
    /// Rejected calls each client may have audited per window.
    pub rejects: crate::limit::RejectBudget,
    /// Time a webhook body may take to arrive (`--body-timeout`).
    pub body_timeout: std::time::Duration,
}

impl AppState {
    /// Opens (or creates) the audit log, checks its hash chain (and with `key`, its signed
    /// checkpoints) and remembers the rotations it already accepted.
    pub fn open(
        secret: Option<Vec<u8>>,
        audit_path: &std::path::Path,
        key: Option<cosign_key::SigningKey>,
    ) -> anyhow::Result<AppState> {
        let (audit, verified) = AuditLog::open(audit_path, key)?;
        let metrics = std::sync::Arc::new(Metrics::default());
        for (class, time) in &verified.last_rotation {
            if let Ok(at) = humantime::parse_rfc3339(time) {
                metrics.rotation_accepted(class, crate::unix_seconds(at));
            }
        }
        Ok(AppState {
            secret,
            audit_health: audit.health(),
            audit: Mutex::new(audit),
            seen: Mutex::new(verified.accepted),
            metrics,
            otel: std::sync::OnceLock::new(),
            rejects: crate::limit::RejectBudget::new(DEFAULT_REJECT_BUDGET),
            body_timeout: std::time::Duration::from_secs(30),
        })
    }

    /// `--body-timeout`.
    pub fn with_body_timeout(mut self, timeout: std::time::Duration) -> AppState {
        self.body_timeout = timeout;
        self
    }

    /// `allowed` rejected calls per client and window (`--reject-budget`).
    pub fn with_reject_budget(mut self, allowed: u32) -> AppState {
        self.rejects = crate::limit::RejectBudget::new(allowed);
        self
    }
}
