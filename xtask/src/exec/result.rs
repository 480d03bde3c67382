//! What happened to each step of a run.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Ok,
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
}

impl StepResult {
    pub fn without_output(status: Status) -> StepResult {
        StepResult {
            status,
            duration: Duration::ZERO,
            output: String::new(),
            ignored: false,
        }
    }

    /// Whether steps that need this one may start.
    pub fn lets_dependents_run(&self) -> bool {
        matches!(self.status, Status::Ok | Status::Skipped(_)) || self.ignored
    }

    /// Whether the run as a whole fails because of this step.
    pub fn fails_run(&self) -> bool {
        matches!(
            self.status,
            Status::Failed(_) | Status::TimedOut(_) | Status::Interrupted
        ) && !self.ignored
    }
}
