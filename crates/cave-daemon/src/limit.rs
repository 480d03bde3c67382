//! A per-client budget for rejected deliveries: every call is audited, but a client that
//! keeps sending unauthenticated requests (wrong signature, wrong media type) gets 429 once
//! its budget for the window is spent. The first call over the budget is still logged (as
//! `rate-limited`), the rest of the window's are counted in the metrics only, so a flood
//! cannot turn into an fsync per request under the audit log's lock.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The length of a budget window.
pub const WINDOW: Duration = Duration::from_secs(10);

/// What to do with one more rejected call.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Within the budget: answer and log as usual.
    Log,
    /// The first call over the budget in this window: answer 429 and log that.
    LogLimited,
    /// Over the budget: answer 429, count it, do not log it.
    Suppress,
}

pub struct RejectBudget {
    allowed: u32,
    peers: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RejectBudget {
    /// `allowed` rejected calls per client and window.
    pub fn new(allowed: u32) -> RejectBudget {
        RejectBudget {
            allowed,
            peers: Mutex::new(HashMap::new()),
        }
    }

    pub fn charge(&self, peer: IpAddr, now: Instant) -> Verdict {
        let mut peers = self.peers.lock().unwrap_or_else(|e| e.into_inner());
        if peers.len() > 10_000 {
            peers.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = peers.entry(peer).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            (*start, *count) = (now, 0);
        }
        *count = count.saturating_add(1);
        match (*count).cmp(&self.allowed.saturating_add(1)) {
            std::cmp::Ordering::Less => Verdict::Log,
            std::cmp::Ordering::Equal => Verdict::LogLimited,
            std::cmp::Ordering::Greater => Verdict::Suppress,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_budget_per_client_and_window() {
        let budget = RejectBudget::new(2);
        let (a, b) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let t = Instant::now();
        assert_eq!(budget.charge(a, t), Verdict::Log);
        assert_eq!(budget.charge(a, t), Verdict::Log);
        assert_eq!(budget.charge(a, t), Verdict::LogLimited);
        assert_eq!(budget.charge(a, t), Verdict::Suppress);
        assert_eq!(budget.charge(b, t), Verdict::Log);
        assert_eq!(budget.charge(a, t + WINDOW), Verdict::Log);
    }
}
