//! The machine-readable report: `target/xtask/report.json` after every run, and on stdout
//! with `--json`. The schema is documented in `docs/report.md` and
//! `docs/report.schema.json`.

use super::{pipeline_outcomes, summary};
use crate::exec::{Outcome, Reporter, StepResult};
use crate::plan::{Plan, PlanStep};
use crate::text::time::rfc3339;
use std::path::PathBuf;
use std::sync::Arc;
use xtask_codec::json::{Object, Writer};
use xtask_process::mask::Masker;

pub const SCHEMA_VERSION: u32 = 1;

pub struct Json {
    pub root: PathBuf,
    pub masker: Arc<Masker>,
    /// `--json`: also print the report on stdout.
    pub print: bool,
}

/// The report of a finished run, as pretty-printed JSON (secrets not yet masked).
pub fn document(root: &std::path::Path, plan: &Plan, outcome: &Outcome, masker: &Masker) -> String {
    let finished = outcome.started_at + outcome.elapsed;
    let commit = crate::git::head_commit(root);
    Writer::object(|doc| {
        doc.field("schema_version", SCHEMA_VERSION)
            .object("tool", |tool| {
                tool.field("name", "xtask")
                    .field("version", env!("CARGO_PKG_VERSION"));
            });
        match &commit {
            Some(commit) => doc.object("git", |git| {
                git.field("commit", commit);
            }),
            None => doc.field("git", None::<&str>),
        };
        doc.array("targets", |targets| {
            for target in &plan.targets {
                targets.value(target);
            }
        })
        .field("started_at", &rfc3339(outcome.started_at))
        .field("finished_at", &rfc3339(finished))
        .field("duration_ms", outcome.elapsed.as_millis() as u64)
        .field("outcome", summary::verdict(outcome))
        .array("pipelines", |pipelines| {
            for (name, outcome) in pipeline_outcomes(plan, outcome) {
                pipelines.object(|p| {
                    p.field("name", &name).field("outcome", outcome);
                });
            }
        })
        .array("steps", |steps| {
            for (s, r) in plan.steps.iter().zip(&outcome.results) {
                steps.object(|doc| step(doc, plan, s, r, masker));
            }
        });
    })
}

fn step(doc: &mut Object<'_>, plan: &Plan, step: &PlanStep, result: &StepResult, masker: &Masker) {
    let reason = result
        .status
        .reason()
        .or_else(|| result.why_ran.as_ref().map(|w| format!("ran because {w}")));
    doc.field("pipeline", &plan.pipelines[step.pipeline].name)
        .field("id", &step.id)
        .field("label", &step.label)
        .field("status", result.status.name())
        .field("reason", reason.map(|r| masker.mask(&r)).as_ref())
        .field("duration_ms", result.duration.as_millis() as u64)
        .field("exit_code", result.exit_code)
        .field("cache_key", result.cache_key.as_ref())
        .field("command", &masker.mask(&step.command()))
        .field("file", &step.file)
        .field("line", step.line)
        .field("col", step.col)
        .array("outputs", |outputs| {
            for output in &result.outputs {
                outputs.object(|o| {
                    o.field("path", &output.path)
                        .field("sha256", &output.sha256)
                        .field("size", output.size);
                });
            }
        })
        .array("findings", |findings| {
            for f in &result.findings {
                findings.object(|o| {
                    o.field(
                        "severity",
                        match f.severity {
                            crate::diagnostic::Severity::Error => "error",
                            crate::diagnostic::Severity::Warning => "warning",
                        },
                    )
                    .field("file", &f.file)
                    .field("line", f.span.map(|s| s.start.line))
                    .field("col", f.span.map(|s| s.start.col))
                    .field("message", &masker.mask(&f.message))
                    .field("hint", f.hint.as_ref().map(|h| masker.mask(h)).as_ref())
                    // The rule id of a policy finding.
                    .field("rule", f.code.as_ref());
                });
            }
        });
}

impl Reporter for Json {
    fn step_finished(&self, _: &PlanStep, _: &StepResult) {}

    fn run_finished(&self, plan: &Plan, outcome: &Outcome) {
        let text = self
            .masker
            .mask(&(document(&self.root, plan, outcome, &self.masker) + "\n"));
        let path = self.root.join("target/xtask/report.json");
        if let Err(e) = xtask_inputs::fsutil::write_atomic(&path, text.as_bytes()) {
            eprintln!("warning: cannot write {}: {e:#}", path.display());
        }
        if self.print {
            print!("{text}");
        }
    }
}
