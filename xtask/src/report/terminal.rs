//! The terminal report: a line per finished step followed by its output block, skip
//! reasons, and the summary naming the first failure.

use super::progress::Progress;
use super::summary;
use crate::exec::{Outcome, Reporter, Status, StepResult};
use crate::plan::{Plan, PlanStep};
use crate::style::Style;
use crate::text::duration;
use std::io::Write;
use std::sync::{Arc, Mutex};
use xtask_process::mask::Masker;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Only failures, skips and the summary.
    Quiet,
    /// Every step's line and output.
    Normal,
    /// Also each step's command as it starts, and why cached steps ran.
    Verbose,
}

pub struct Terminal {
    style: Style,
    verbosity: Verbosity,
    masker: Arc<Masker>,
    /// `None` when stderr is not a terminal: then nothing is redrawn.
    progress: Mutex<Option<Progress>>,
    /// Human output goes to stderr when stdout carries the JSON report.
    to_stderr: bool,
}

impl Terminal {
    pub fn new(
        style: Style,
        verbosity: Verbosity,
        masker: Arc<Masker>,
        live: bool,
        to_stderr: bool,
    ) -> Terminal {
        let progress = (live && verbosity > Verbosity::Quiet).then(Progress::new);
        Terminal {
            style,
            verbosity,
            masker,
            progress: Mutex::new(progress),
            to_stderr,
        }
    }

    /// Prints text masked, without colour codes when colour is off, after clearing the
    /// progress line.
    pub fn emit(&self, text: &str) {
        let mut progress = self.progress.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = progress.as_mut() {
            p.clear();
        }
        let mut text = self.masker.mask(text);
        if !self.style.color {
            text = crate::text::ansi::strip(&text);
        }
        if self.to_stderr {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            let _ = err.flush();
        } else {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    /// The status line and, where it is shown, the step's output.
    pub fn block(&self, step: &PlanStep, result: &StepResult) -> Option<String> {
        let failed = result.is_failure();
        let noisy = self.verbosity > Verbosity::Quiet;
        if !(noisy || failed || matches!(result.status, Status::Skipped(_))) {
            return None;
        }
        let mut block = status_line(self.style, &step.label, result);
        block.push('\n');
        if let (Some(why), Verbosity::Verbose) = (&result.why_ran, self.verbosity) {
            block.push_str(&format!(
                "{}\n",
                self.style.dim(&format!("(ran because {why})"))
            ));
        }
        if (failed || noisy) && !result.output.is_empty() {
            block.push_str(&result.output);
            if !result.output.ends_with('\n') {
                block.push('\n');
            }
        }
        if let (Some(replay), Verbosity::Verbose) = (&result.replay, self.verbosity)
            && !replay.is_empty()
        {
            block.push_str(&format!(
                "{}\n",
                self.style.dim("(output of the run it reuses)")
            ));
            block.push_str(replay);
            if !replay.ends_with('\n') {
                block.push('\n');
            }
        }
        Some(block)
    }
}

/// `✓ fmt/check 0.52s`, `✗ lint/clippy 3.10s: exit status 101`, `= sbom/scan cached`.
pub fn status_line(style: Style, label: &str, result: &StepResult) -> String {
    let time = duration::format(result.duration);
    let ignored = if result.ignored {
        " (continue-on-error)"
    } else {
        ""
    };
    let label = style.bold(label);
    match &result.status {
        Status::Ok => format!("{} {label} {}", style.green("✓"), style.dim(&time)),
        Status::Cached => format!("{} {label} cached", style.cyan("=")),
        Status::Restored => format!("{} {label} restored", style.cyan("=")),
        Status::Failed(why) => format!(
            "{} {label} {}: {why}{ignored}",
            style.red_bold("✗"),
            style.dim(&time)
        ),
        Status::TimedOut(limit) => {
            format!(
                "{} {label} timed out after {}{ignored}",
                style.red_bold("✗"),
                duration::format(*limit)
            )
        }
        Status::Interrupted => format!("{} {label} interrupted after {time}", style.red_bold("✗")),
        Status::Skipped(why) => format!("{} {label} skipped: {why}", style.yellow("↷")),
        Status::NotRun(why) => format!("{} {label} not run: {why}", style.dim("-")),
    }
}

impl Reporter for Terminal {
    fn step_started(&self, step: &PlanStep) {
        if self.verbosity >= Verbosity::Verbose {
            let line = format!("{}: {}", step.label, step.command());
            self.emit(&format!(
                "{} {}\n",
                self.style.cyan("▸"),
                self.style.dim(&line)
            ));
        }
    }

    fn step_finished(&self, step: &PlanStep, result: &StepResult) {
        if let Some(block) = self.block(step, result) {
            self.emit(&block);
        }
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

    fn cleaned_up(&self, label: &str, what: &str) {
        self.emit(&format!(
            "{} {}: {what}\n",
            self.style.dim("⌫"),
            self.style.bold(label)
        ));
    }

    fn run_finished(&self, plan: &Plan, outcome: &Outcome) {
        self.emit(&summary::render(self.style, plan, outcome));
    }
}
