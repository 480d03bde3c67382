//! The end-of-run summary: counts, total time, and the first failure with its command and
//! the tail of its output.

use crate::exec::{Outcome, Status};
use crate::plan::Plan;
use crate::style::Style;
use crate::text::duration;
use std::fmt::Write as _;

/// Lines of output repeated under the first failure.
const TAIL: usize = 20;

pub fn render(style: Style, plan: &Plan, outcome: &Outcome) -> String {
    let mut counts: Vec<(&str, usize)> = vec![
        ("ok", 0),
        ("failed", 0),
        ("timed out", 0),
        ("interrupted", 0),
        ("skipped", 0),
        ("not run", 0),
    ];
    for r in &outcome.results {
        let k = match r.status {
            Status::Ok => 0,
            Status::Failed(_) => 1,
            Status::TimedOut(_) => 2,
            Status::Interrupted => 3,
            Status::Skipped(_) => 4,
            Status::NotRun(_) => 5,
        };
        counts[k].1 += 1;
    }
    let counts: Vec<String> = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{n} {what}"))
        .collect();
    let first_failure = outcome
        .results
        .iter()
        .position(|r| r.fails_run() && r.status != Status::Interrupted);
    let ok = first_failure.is_none() && !outcome.interrupted;
    let mark = if ok {
        style.green("✓")
    } else {
        style.red_bold("✗")
    };
    let verdict = if outcome.interrupted {
        "interrupted"
    } else if ok {
        "passed"
    } else {
        "failed"
    };
    let mut out = format!(
        "{mark} {} {verdict}: {} in {}\n",
        style.bold(&plan.targets.join(", ")),
        counts.join(", "),
        duration::format(outcome.elapsed)
    );
    if let Some(i) = first_failure {
        let step = &plan.steps[i];
        let result = &outcome.results[i];
        let why = match &result.status {
            Status::Failed(why) => why.clone(),
            Status::TimedOut(limit) => format!("timed out after {}", duration::format(*limit)),
            _ => String::new(),
        };
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
        let _ = writeln!(out, "  {} {}", style.dim("command:"), step.command());
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
