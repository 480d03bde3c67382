//! Sinks of the run's events. The terminal is one; others (GitHub Actions, JSON) hang off
//! the same trait.

mod progress;
mod summary;
mod terminal;

use crate::exec::{Outcome, StepResult};
use crate::plan::{Plan, PlanStep};

pub use terminal::{Terminal, Verbosity};

pub trait Reporter: Sync {
    fn step_started(&self, _step: &PlanStep) {}
    fn step_finished(&self, step: &PlanStep, result: &StepResult);
    fn pipeline_skipped(&self, pipeline: &str, reason: &str);
    fn interrupted(&self, signal: &str);
    /// Called about ten times a second while steps run.
    fn progress(&self, _running: &[&PlanStep], _finished: usize, _total: usize) {}
    fn run_finished(&self, plan: &Plan, outcome: &Outcome);
}
