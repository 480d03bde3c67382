//! The end-of-run summary shown on the console: a table of counts with the total time, the
//! verdict, and the first failure with its command and the tail of its output.

use crate::exec::{Outcome, Status};
use crate::plan::Plan;
use crate::style::Style;
use crate::text::duration;
use std::fmt::Write as _;

/// Lines of output repeated under the first failure.
const TAIL: usize = 20;

/// Statuses in the order the table lists them.
const ORDER: [&str; 8] = [
    "ok",
    "cached",
    "restored",
    "failed",
    "timed-out",
    "interrupted",
    "skipped",
    "not-run",
];

pub fn render(style: Style, plan: &Plan, outcome: &Outcome) -> String {
    let mut out = String::new();
    let steps = crate::plan::count(outcome.results.len(), "step");
    let _ = writeln!(
        out,
        "{} {steps} in {}",
        style.bold("summary:"),
        duration::format(outcome.elapsed)
    );
    for name in ORDER {
        let n = outcome
            .results
            .iter()
            .filter(|r| r.status.name() == name)
            .count();
        if n > 0 {
            let _ = writeln!(out, "  {:<12}{n:>4}", name.replace('-', " "));
        }
    }
    let verdict = verdict(outcome);
    let mark = if verdict == "passed" {
        style.green("✓")
    } else {
        style.red_bold("✗")
    };
    let _ = writeln!(
        out,
        "{mark} {} {verdict}",
        style.bold(&plan.targets.join(", "))
    );
    if let Some(i) = first_failure(outcome) {
        let step = &plan.steps[i];
        let result = &outcome.results[i];
        let why = result.status.reason().unwrap_or_default();
        let _ = writeln!(
            out,
            "{} {} ({why})",
            style.red_bold("first failure:"),
            style.bold(&step.label)
        );
        let _ = writeln!(
            out,
            "  {} {}:{}:{}",
            style.dim("defined at"),
            step.file,
            step.line,
            step.col
        );
        let command = step.command().replace('\n', "\n    ");
        let _ = writeln!(out, "  {} {command}", style.dim("command:"));
        let lines: Vec<&str> = result.output.lines().collect();
        if !lines.is_empty() {
            let tail = &lines[lines.len().saturating_sub(TAIL)..];
            let _ = writeln!(
                out,
                "  {}",
                style.dim(&format!("last {} lines of output:", tail.len()))
            );
            for line in tail {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    out
}

/// `passed`, `failed` or `interrupted`.
pub fn verdict(outcome: &Outcome) -> &'static str {
    if outcome.interrupted {
        "interrupted"
    } else if outcome.results.iter().any(|r| r.fails_run()) {
        "failed"
    } else {
        "passed"
    }
}

/// The first step (in plan order) that failed the run.
pub fn first_failure(outcome: &Outcome) -> Option<usize> {
    outcome
        .results
        .iter()
        .position(|r| r.fails_run() && r.status != Status::Interrupted)
}
