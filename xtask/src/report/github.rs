//! GitHub Actions mode (`GITHUB_ACTIONS=true`): secrets registered with `::add-mask::` first,
//! each step's output folded into a `::group::` that a guard always closes, failures as
//! `::error` annotations at the step's YAML line, a Markdown table appended to
//! `$GITHUB_STEP_SUMMARY`, and each pipeline's outcome in `$GITHUB_OUTPUT`.

use super::terminal::{Terminal, status_line};
use super::{pipeline_outcomes, summary};
use crate::diagnostic::{Diagnostic, Severity};
use crate::exec::{Outcome, Reporter, Status, StepResult};
use crate::plan::{Plan, PlanStep};
use crate::style::Style;
use crate::text::{duration, random};
use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use xtask_process::mask::Masker;

pub struct GitHub {
    style: Style,
    masker: Arc<Masker>,
    /// Prints summaries and skip lines the same way the terminal does.
    console: Terminal,
    step_summary: Option<PathBuf>,
    output: Option<PathBuf>,
}

impl GitHub {
    /// Registers every secret value with the runner before anything else is printed.
    pub fn new(style: Style, masker: Arc<Masker>, console: Terminal) -> GitHub {
        let mut out = std::io::stdout().lock();
        for value in masker.values() {
            let _ = writeln!(out, "::add-mask::{}", escape_data(&value));
        }
        let _ = out.flush();
        let path = |name: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        GitHub {
            style,
            masker,
            console,
            step_summary: path("GITHUB_STEP_SUMMARY"),
            output: path("GITHUB_OUTPUT"),
        }
    }

    fn write_step(
        &self,
        out: &mut dyn Write,
        step: &PlanStep,
        result: &StepResult,
    ) -> std::io::Result<()> {
        let line = self
            .masker
            .mask(&status_line(self.style, &step.label, result));
        let mut output = self.masker.mask(&result.output);
        // A cached step still shows what its run printed (its test results, say).
        if let Some(replay) = result.replay.as_deref().filter(|r| !r.is_empty()) {
            if !output.is_empty() && !output.ends_with('\n') {
                output.push('\n');
            }
            output.push_str("(output of the run this step reuses)\n");
            output.push_str(&self.masker.mask(replay));
        }
        if output.is_empty() {
            writeln!(out, "{line}")?;
        } else {
            let group = Group::open(out, &line)?;
            // Step output must not be able to issue workflow commands of its own.
            let token = random::token();
            writeln!(group.out, "::stop-commands::{token}")?;
            group.out.write_all(output.as_bytes())?;
            if !output.ends_with('\n') {
                writeln!(group.out)?;
            }
            writeln!(group.out, "::{token}::")?;
        }
        for finding in &result.findings {
            let title = finding.code.as_deref().unwrap_or(&step.label);
            writeln!(out, "{}", annotation(finding, title, &self.masker))?;
        }
        if result.is_failure() {
            let tail: Vec<&str> = output
                .lines()
                .rev()
                .take(10)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let mut message = self
                .masker
                .mask(&result.status.reason().unwrap_or_default());
            if !tail.is_empty() {
                message.push('\n');
                message.push_str(&tail.join("\n"));
            }
            let kind = if result.ignored { "warning" } else { "error" };
            writeln!(
                out,
                "::{kind} file={},line={},col={},title={}::{}",
                escape_property(&step.file),
                step.line,
                step.col,
                escape_property(&format!("{} failed", step.label)),
                escape_data(&message)
            )?;
        }
        out.flush()
    }

    fn append_step_summary(&self, plan: &Plan, outcome: &Outcome) -> std::io::Result<()> {
        let Some(path) = &self.step_summary else {
            return Ok(());
        };
        let table = self.masker.mask(&markdown(plan, outcome));
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?
            .write_all(table.as_bytes())
    }

    fn write_outputs(&self, plan: &Plan, outcome: &Outcome) -> std::io::Result<()> {
        let Some(path) = &self.output else {
            return Ok(());
        };
        let mut text = String::new();
        let mut outputs = pipeline_outcomes(plan, outcome);
        outputs.push(("outcome".into(), summary::verdict(outcome)));
        for (name, value) in outputs {
            let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
                format!("_{name}")
            } else {
                name
            };
            let delimiter = format!("ghadelimiter_{}", random::token());
            let _ = write!(text, "{name}<<{delimiter}\n{value}\n{delimiter}\n");
        }
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?
            .write_all(text.as_bytes())
    }
}

/// An open `::group::`; dropping it writes `::endgroup::`, whatever happened inside.
struct Group<'a> {
    out: &'a mut dyn Write,
}

impl<'a> Group<'a> {
    fn open(out: &'a mut dyn Write, title: &str) -> std::io::Result<Group<'a>> {
        writeln!(out, "::group::{}", escape_data(title))?;
        Ok(Group { out })
    }
}

impl Drop for Group<'_> {
    fn drop(&mut self) {
        let _ = writeln!(self.out, "::endgroup::");
    }
}

/// Escapes a workflow command's message: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as data, plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A `::error`/`::warning` workflow command at the diagnostic's position, hint included.
pub fn annotation(diag: &Diagnostic, title: &str, masker: &Masker) -> String {
    let kind = match diag.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let (line, col) = diag.span.map_or((1, 1), |s| (s.start.line, s.start.col));
    let mut message = diag.message.clone();
    if let Some(hint) = &diag.hint {
        message.push_str(&format!("\nhint: {hint}"));
    }
    format!(
        "::{kind} file={},line={line},col={col},title={}::{}",
        escape_property(&diag.file),
        escape_property(title),
        escape_data(&masker.mask(&message))
    )
}

/// The job summary: a table of every step.
pub fn markdown(plan: &Plan, outcome: &Outcome) -> String {
    let verdict = summary::verdict(outcome);
    let icon = if verdict == "passed" { "✅" } else { "❌" };
    let mut out = format!(
        "### {icon} `{}` {verdict} in {}\n\n",
        plan.targets.join(", "),
        duration::format(outcome.elapsed)
    );
    out.push_str("| step | status | time | note |\n|---|---|---:|---|\n");
    for (step, result) in plan.steps.iter().zip(&outcome.results) {
        let icon = match result.status {
            Status::Ok => "✅",
            Status::Cached | Status::Restored => "♻️",
            Status::Skipped(_) => "⏭️",
            Status::NotRun(_) => "⚪",
            _ if result.ignored => "⚠️",
            _ => "❌",
        };
        let time = match result.status {
            Status::Ok | Status::Failed(_) | Status::TimedOut(_) | Status::Interrupted => {
                duration::format(result.duration)
            }
            _ => String::new(),
        };
        let note = result.status.reason().unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{}` | {icon} {} | {time} | {} |",
            step.label,
            result.status.name(),
            cell(&note)
        );
    }
    out.push('\n');
    let findings: Vec<(&PlanStep, &Diagnostic)> = plan
        .steps
        .iter()
        .zip(&outcome.results)
        .flat_map(|(step, result)| result.findings.iter().map(move |f| (step, f)))
        .collect();
    if !findings.is_empty() {
        out.push_str("#### Findings\n\n| where | rule | finding | step |\n|---|---|---|---|\n");
        for (step, finding) in findings {
            let icon = if finding.severity == Severity::Error {
                "❌"
            } else {
                "⚠️"
            };
            let rule = finding
                .code
                .as_deref()
                .map(|c| format!("`{c}`"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "| {icon} `{}` | {rule} | {} | `{}` |",
                finding.location(),
                cell(&finding.message),
                step.label
            );
        }
        out.push('\n');
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

impl Reporter for GitHub {
    fn step_finished(&self, step: &PlanStep, result: &StepResult) {
        let mut out = std::io::stdout().lock();
        if let Err(e) = self.write_step(&mut out, step, result) {
            eprintln!("warning: cannot write the step's log: {e}");
        }
    }

    fn pipeline_skipped(&self, pipeline: &str, reason: &str) {
        self.console.pipeline_skipped(pipeline, reason);
    }

    fn interrupted(&self, signal: &str) {
        self.console.interrupted(signal);
    }

    fn cleaned_up(&self, label: &str, what: &str) {
        self.console.cleaned_up(label, what);
    }

    fn run_finished(&self, plan: &Plan, outcome: &Outcome) {
        self.console.run_finished(plan, outcome);
        if let Err(e) = self.append_step_summary(plan, outcome) {
            eprintln!("warning: cannot append to $GITHUB_STEP_SUMMARY: {e}");
        }
        if let Err(e) = self.write_outputs(plan, outcome) {
            eprintln!("warning: cannot write $GITHUB_OUTPUT: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn a_group_is_closed_when_writing_inside_fails() {
        /// Fails every write of text containing "fails".
        struct Picky(Vec<u8>);
        impl Write for Picky {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if String::from_utf8_lossy(buf).contains("fails") {
                    return Err(std::io::Error::other("disk full"));
                }
                self.0.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut sink = Picky(Vec::new());
        let result = (|| -> std::io::Result<()> {
            let group = Group::open(&mut sink, "title")?;
            writeln!(group.out, "this write fails")?;
            writeln!(group.out, "never reached")
        })();
        assert!(result.is_err());
        assert_eq!(
            String::from_utf8(sink.0).unwrap(),
            "::group::title\n::endgroup::\n"
        );
    }
}
