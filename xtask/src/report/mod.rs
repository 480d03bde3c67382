//! Sinks of the run's events: the console (plain terminal or GitHub Actions), the JSON
//! report, and with Actions the job summary and step outputs. They all see the same events.

mod github;
pub use github::annotation;
mod json;
mod progress;
mod summary;
mod terminal;

use crate::exec::{Outcome, Reporter, StepResult};
use crate::plan::{Plan, PlanStep};

pub use github::GitHub;
pub use json::{Json, document};
pub use terminal::{Terminal, Verbosity, status_line};

/// Several reporters seeing the same events, in order.
pub struct Fanout<'a>(pub Vec<&'a dyn Reporter>);

impl Reporter for Fanout<'_> {
    fn step_started(&self, step: &PlanStep) {
        self.0.iter().for_each(|r| r.step_started(step));
    }
    fn step_finished(&self, step: &PlanStep, result: &StepResult) {
        self.0.iter().for_each(|r| r.step_finished(step, result));
    }
    fn pipeline_skipped(&self, pipeline: &str, reason: &str) {
        self.0
            .iter()
            .for_each(|r| r.pipeline_skipped(pipeline, reason));
    }
    fn interrupted(&self, signal: &str) {
        self.0.iter().for_each(|r| r.interrupted(signal));
    }
    fn progress(&self, running: &[&PlanStep], finished: usize, total: usize) {
        self.0
            .iter()
            .for_each(|r| r.progress(running, finished, total));
    }
    fn run_finished(&self, plan: &Plan, outcome: &Outcome) {
        self.0.iter().for_each(|r| r.run_finished(plan, outcome));
    }
}

/// Each pipeline's outcome: `success`, `failure`, `cancelled` or `skipped`.
pub fn pipeline_outcomes(plan: &Plan, outcome: &Outcome) -> Vec<(String, &'static str)> {
    plan.pipelines
        .iter()
        .enumerate()
        .map(|(p, pipeline)| {
            let results: Vec<&StepResult> = plan
                .steps
                .iter()
                .zip(&outcome.results)
                .filter(|(s, _)| s.pipeline == p)
                .map(|(_, r)| r)
                .collect();
            let word = if results
                .iter()
                .any(|r| r.fails_run() && r.status != crate::exec::Status::Interrupted)
            {
                "failure"
            } else if results.iter().any(|r| {
                matches!(
                    r.status,
                    crate::exec::Status::Interrupted | crate::exec::Status::NotRun(_)
                )
            }) {
                "cancelled"
            } else if !results.is_empty()
                && results
                    .iter()
                    .all(|r| matches!(r.status, crate::exec::Status::Skipped(_)))
            {
                "skipped"
            } else {
                "success"
            };
            (pipeline.name.clone(), word)
        })
        .collect()
}
