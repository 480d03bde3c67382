//! The terminal report: a line per finished step followed by its output block, skip
//! reasons, and a summary naming the first failure.

use super::Reporter;
use super::progress::Progress;
use super::summary;
use crate::exec::{Outcome, Status, StepResult};
use crate::mask::Masker;
use crate::plan::{Plan, PlanStep};
use crate::style::Style;
use crate::text::duration;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Only failures, skips and the summary.
    Quiet,
    /// Every step's line and output.
    Normal,
    /// Also each step's command as it starts.
    Verbose,
}

pub struct Terminal {
    style: Style,
    verbosity: Verbosity,
    masker: Arc<Masker>,
    /// `None` when stderr is not a terminal: then nothing is redrawn.
    progress: Mutex<Option<Progress>>,
}

impl Terminal {
    pub fn new(style: Style, verbosity: Verbosity, masker: Arc<Masker>, live: bool) -> Terminal {
        let progress = (live && verbosity > Verbosity::Quiet).then(Progress::new);
        Terminal {
            style,
            verbosity,
            masker,
            progress: Mutex::new(progress),
        }
    }

    /// Prints a block on stdout, masked, after clearing the progress line.
    fn emit(&self, text: &str) {
        let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = progress.as_mut() {
            p.clear();
        }
        let mut text = self.masker.mask(text);
        if !self.style.color {
            text = crate::text::ansi::strip(&text);
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}

/// `✓ fmt/check 0.52s`, `✗ lint/clippy 3.10s: exit status 101`, `↷ sign/x skipped: reason`.
pub fn status_line(style: Style, label: &str, result: &StepResult) -> String {
    let time = duration::format(result.duration);
    let ignored = if result.ignored {
        " (continue-on-error)"
    } else {
        ""
    };
    match &result.status {
        Status::Ok => format!(
            "{} {} {}",
            style.green("✓"),
            style.bold(label),
            style.dim(&time)
        ),
        Status::Failed(why) => format!(
            "{} {} {}: {why}{ignored}",
            style.red_bold("✗"),
            style.bold(label),
            style.dim(&time)
        ),
        Status::TimedOut(limit) => format!(
            "{} {} timed out after {}{ignored}",
            style.red_bold("✗"),
            style.bold(label),
            duration::format(*limit)
        ),
        Status::Interrupted => format!(
            "{} {} interrupted after {}",
            style.red_bold("✗"),
            style.bold(label),
            time
        ),
        Status::Skipped(why) => {
            format!("{} {} skipped: {why}", style.yellow("↷"), style.bold(label))
        }
        Status::NotRun(why) => format!("{} {} not run: {why}", style.dim("-"), style.bold(label)),
    }
}

impl Reporter for Terminal {
    fn step_started(&self, step: &PlanStep) {
        if self.verbosity >= Verbosity::Verbose {
            self.emit(&format!(
                "{} {}\n",
                self.style.cyan("▸"),
                self.style
                    .dim(&format!("{}: {}", step.label, step.command()))
            ));
        }
    }

    fn step_finished(&self, step: &PlanStep, result: &StepResult) {
        let failed = matches!(
            result.status,
            Status::Failed(_) | Status::TimedOut(_) | Status::Interrupted
        );
        let show_line = self.verbosity > Verbosity::Quiet
            || failed
            || matches!(result.status, Status::Skipped(_));
        if !show_line {
            return;
        }
        let mut block = status_line(self.style, &step.label, result);
        block.push('\n');
        let show_output = failed || self.verbosity > Verbosity::Quiet;
        if show_output && !result.output.is_empty() {
            block.push_str(&result.output);
            if !result.output.ends_with('\n') {
                block.push('\n');
            }
        }
        self.emit(&block);
    }

    fn pipeline_skipped(&self, pipeline: &str, reason: &str) {
        self.emit(&format!(
            "{} {} skipped: {reason}\n",
            self.style.yellow("↷"),
            self.style.bold(pipeline)
        ));
    }

    fn interrupted(&self, signal: &str) {
        self.emit(&format!(
            "{} {signal} received: stopping running steps\n",
            self.style.red_bold("!")
        ));
    }

    fn progress(&self, running: &[&PlanStep], finished: usize, total: usize) {
        let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = progress.as_mut() {
            let names: Vec<&str> = running.iter().map(|s| s.label.as_str()).collect();
            p.draw(&names, finished, total);
        }
    }

    fn run_finished(&self, plan: &Plan, outcome: &Outcome) {
        self.emit(&summary::render(self.style, plan, outcome));
    }
}
