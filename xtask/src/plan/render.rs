//! The `plan` command's view: what would run, in which order, and why.

use super::Plan;
use crate::model::Facts;
use crate::style::Style;
use std::fmt::Write as _;

pub fn render(plan: &Plan, facts: &dyn Facts, style: Style) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} ({} in {})",
        style.bold("plan for"),
        plan.targets.join(", "),
        count(plan.steps.len(), "step"),
        count(plan.pipelines.len(), "pipeline")
    );
    for (n, step) in plan.steps.iter().enumerate() {
        let pipeline = &plan.pipelines[step.pipeline];
        let skip = [&pipeline.when, &step.when]
            .into_iter()
            .flatten()
            .map(|c| c.eval(facts))
            .find(|(value, _)| !value);
        let decision = match skip {
            Some((_, why)) => style.yellow(&format!("skipped ({why})")),
            None => style.green("will run"),
        };
        let _ = writeln!(out, "{:>3}. {} {decision}", n + 1, style.bold(&step.label));
        let _ = writeln!(
            out,
            "       {}",
            style.dim(&format!("$ {}", step.command()))
        );
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
