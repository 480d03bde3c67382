//! What the handlers share: the webhook secret, the audit log, the replay set and metrics.

use crate::audit::AuditLog;
use crate::metrics::Metrics;
use std::collections::HashSet;
use std::sync::Mutex;

pub struct AppState {
    /// `BKG_WEBHOOK_SECRET`; never logged, never in an error message.
    pub secret: Option<Vec<u8>>,
    pub audit: Mutex<AuditLog>,
    /// (key id, version) pairs already accepted: a second delivery is a replay.
    pub seen: Mutex<HashSet<(String, u64)>>,
    pub metrics: Metrics,
}

impl AppState {
    /// Opens (or creates) the audit log, checks its hash chain and remembers the rotations
    /// it already accepted.
    pub fn open(secret: Option<Vec<u8>>, audit_path: &std::path::Path) -> anyhow::Result<AppState> {
        let (audit, seen) = AuditLog::open(audit_path)?;
        Ok(AppState {
            secret,
            audit: Mutex::new(audit),
            seen: Mutex::new(seen),
            metrics: Metrics::default(),
        })
    }
}
