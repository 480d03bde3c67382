//! What happened to each step of a run.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Ok,
    /// The cache had an up-to-date result: the step did not need to run.
    Cached,
    /// The cache had the result but the outputs were missing or modified: they were put
    /// back from the store (or the remote cache) instead of running the step.
    Restored,
    /// The step ran and failed: exit status, start failure or built-in error.
    Failed(String),
    TimedOut(Duration),
    Interrupted,
    /// The step's or pipeline's condition was false; the reason says why.
    Skipped(String),
    /// The step never started: a dependency failed, or the run stopped first.
    NotRun(String),
}

#[derive(Clone, Debug)]
pub struct StepResult {
    pub status: Status,
    pub duration: Duration,
    /// Captured, masked output.
    pub output: String,
    /// A failure that `continue-on-error` lets dependents ignore.
    pub ignored: bool,
    /// The exit code of a step's process that exited normally.
    pub exit_code: Option<i32>,
    /// Why a cached step ran (its inputs changed, say).
    pub why_ran: Option<String>,
    pub cache_key: Option<String>,
    /// The files the step's `outputs` matched, with their digests.
    pub outputs: Vec<crate::cache::Output>,
    /// For a cached or restored step: the output its run logged, replayed (masked then).
    pub replay: Option<String>,
    /// Problems a built-in found at positions in files (annotated under GitHub Actions).
    pub findings: Vec<crate::diagnostic::Diagnostic>,
}

impl Status {
    /// The status as the JSON report and the step summary name it.
    pub fn name(&self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Cached => "cached",
            Status::Restored => "restored",
            Status::Failed(_) => "failed",
            Status::TimedOut(_) => "timed-out",
            Status::Interrupted => "interrupted",
            Status::Skipped(_) => "skipped",
            Status::NotRun(_) => "not-run",
        }
    }

    /// The reason that goes with the status, if any.
    pub fn reason(&self) -> Option<String> {
        match self {
            Status::Failed(why) | Status::Skipped(why) | Status::NotRun(why) => Some(why.clone()),
            Status::TimedOut(limit) => Some(format!(
                "timed out after {}",
                crate::text::duration::format(*limit)
            )),
            Status::Interrupted => Some("interrupted".into()),
            Status::Ok | Status::Cached | Status::Restored => None,
        }
    }
}

impl StepResult {
    pub fn without_output(status: Status) -> StepResult {
        StepResult {
            status,
            duration: Duration::ZERO,
            output: String::new(),
            ignored: false,
            exit_code: None,
            why_ran: None,
            cache_key: None,
            outputs: Vec::new(),
            replay: None,
            findings: Vec::new(),
        }
    }

    /// Whether steps that need this one may start.
    pub fn lets_dependents_run(&self) -> bool {
        matches!(
            self.status,
            Status::Ok | Status::Cached | Status::Restored | Status::Skipped(_)
        ) || self.ignored
    }

    pub fn is_failure(&self) -> bool {
        matches!(
            self.status,
            Status::Failed(_) | Status::TimedOut(_) | Status::Interrupted
        )
    }

    /// Whether the run as a whole fails because of this step.
    pub fn fails_run(&self) -> bool {
        self.is_failure() && !self.ignored
    }
}

/// What a whole run came to: every step's result, in plan order.
pub struct Outcome {
    pub results: Vec<StepResult>,
    pub interrupted: bool,
    pub elapsed: Duration,
    pub started_at: std::time::SystemTime,
}
