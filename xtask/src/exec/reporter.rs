//! The events a run reports, as the scheduler calls them; the sinks (terminal, GitHub
//! Actions, JSON) implement this in `report/`.

use super::result::{Outcome, StepResult};
use crate::plan::{Plan, PlanStep};

/// A sink of run events. Every method but the two that end a step and the run has a no-op
/// default, so a sink implements what it shows.
pub trait Reporter: Sync {
    fn step_started(&self, _step: &PlanStep) {}
    fn step_finished(&self, step: &PlanStep, result: &StepResult);
    fn pipeline_skipped(&self, _pipeline: &str, _reason: &str) {}
    fn interrupted(&self, _signal: &str) {}
    /// Called about ten times a second while steps run.
    fn progress(&self, _running: &[&PlanStep], _finished: usize, _total: usize) {}
    fn run_finished(&self, plan: &Plan, outcome: &Outcome);
    /// Work a built-in left for the end of the run was done (or failed).
    fn cleaned_up(&self, _label: &str, _what: &str) {}
}
