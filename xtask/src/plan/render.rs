//! The `plan` command's view: what would run, in which order, and why.

use super::Plan;
use crate::style::Style;
use std::fmt::Write as _;

/// What `run` would do with a step, as far as can be told before running anything.
pub enum Decision {
    /// Runs; for a cached step, why the cache cannot be used.
    Run(Option<String>),
    Cached,
    /// Stored, outputs to restore: from this machine's store, or the remote cache.
    Restore {
        remote: bool,
    },
    Skipped(String),
}

pub fn render(plan: &Plan, decisions: &[Decision], style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({} in {})",
        style.bold("plan for"),
        plan.targets.join(", "),
        count(plan.steps.len(), "step"),
        count(plan.pipelines.len(), "pipeline")
    );
    for (n, (step, decision)) in plan.steps.iter().zip(decisions).enumerate() {
        let decision = match decision {
            Decision::Run(None) => style.green("will run"),
            Decision::Run(Some(why)) => style.green(&format!("will run (why: {why})")),
            Decision::Cached => style.cyan("cached"),
            Decision::Restore { remote: false } => {
                style.cyan("cached (outputs restored from the local store)")
            }
            Decision::Restore { remote: true } => style.cyan("cached (remote)"),
            Decision::Skipped(why) => style.yellow(&format!("skipped ({why})")),
        };
        let _ = writeln!(out, "{:>3}. {} {decision}", n + 1, style.bold(&step.label));
        let command = step.command().replace('\n', "\n         ");
        let _ = writeln!(out, "       {}", style.dim(&format!("$ {command}")));
        if !step.deps.is_empty() {
            let after: Vec<&str> = step
                .deps
                .iter()
                .map(|&d| plan.steps[d].label.as_str())
                .collect();
            let _ = writeln!(
                out,
                "       {}",
                style.dim(&format!("after {}", after.join(", ")))
            );
        }
    }
    out
}

/// `1 step`, `3 steps`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
