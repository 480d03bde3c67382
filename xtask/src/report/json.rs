//! The machine-readable report: `target/xtask/report.json` after every run, and on stdout
//! with `--json`. The schema is documented in `docs/report.md` and
//! `docs/report.schema.json`.

use super::{pipeline_outcomes, summary};
use crate::cache::Output;
use crate::exec::{Outcome, Reporter, StepResult};
use crate::mask::Masker;
use crate::plan::{Plan, PlanStep};
use crate::text::time::rfc3339;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
pub struct Document {
    pub schema_version: u32,
    pub tool: ToolInfo,
    pub git: Option<GitInfo>,
    pub targets: Vec<String>,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: u64,
    pub outcome: &'static str,
    pub pipelines: Vec<PipelineDoc>,
    pub steps: Vec<StepDoc>,
}

#[derive(Serialize)]
pub struct ToolInfo {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Serialize)]
pub struct GitInfo {
    pub commit: String,
}

#[derive(Serialize)]
pub struct PipelineDoc {
    pub name: String,
    pub outcome: &'static str,
}

#[derive(Serialize)]
pub struct StepDoc {
    pub pipeline: String,
    pub id: String,
    pub label: String,
    pub status: &'static str,
    pub reason: Option<String>,
    pub duration_ms: u64,
    pub exit_code: Option<i32>,
    pub cache_key: Option<String>,
    pub command: String,
    pub file: String,
    pub line: usize,
    pub col: usize,
    pub outputs: Vec<Output>,
    pub findings: Vec<FindingDoc>,
}

/// A problem a built-in found at a position in a file.
#[derive(Serialize)]
pub struct FindingDoc {
    pub severity: &'static str,
    pub file: String,
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
    /// The rule id of a policy finding.
    pub rule: Option<String>,
}

pub struct Json {
    pub root: PathBuf,
    pub masker: Arc<Masker>,
    /// `--json`: also print the report on stdout.
    pub print: bool,
}

pub fn document(
    root: &std::path::Path,
    plan: &Plan,
    outcome: &Outcome,
    masker: &Masker,
) -> Document {
    let finished = outcome.started_at + outcome.elapsed;
    Document {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo {
            name: "xtask",
            version: env!("CARGO_PKG_VERSION"),
        },
        git: crate::git::head_commit(root).map(|commit| GitInfo { commit }),
        targets: plan.targets.clone(),
        started_at: rfc3339(outcome.started_at),
        finished_at: rfc3339(finished),
        duration_ms: outcome.elapsed.as_millis() as u64,
        outcome: summary::verdict(outcome),
        pipelines: pipeline_outcomes(plan, outcome)
            .into_iter()
            .map(|(name, outcome)| PipelineDoc { name, outcome })
            .collect(),
        steps: plan
            .steps
            .iter()
            .zip(&outcome.results)
            .map(|(s, r)| step(plan, s, r, masker))
            .collect(),
    }
}

fn step(plan: &Plan, step: &PlanStep, result: &StepResult, masker: &Masker) -> StepDoc {
    let reason = result
        .status
        .reason()
        .or_else(|| result.why_ran.as_ref().map(|w| format!("ran because {w}")));
    StepDoc {
        pipeline: plan.pipelines[step.pipeline].name.clone(),
        id: step.id.clone(),
        label: step.label.clone(),
        status: result.status.name(),
        reason: reason.map(|r| masker.mask(&r)),
        duration_ms: result.duration.as_millis() as u64,
        exit_code: result.exit_code,
        cache_key: result.cache_key.clone(),
        command: masker.mask(&step.command()),
        file: step.file.clone(),
        line: step.line,
        col: step.col,
        outputs: result.outputs.clone(),
        findings: result
            .findings
            .iter()
            .map(|f| FindingDoc {
                severity: match f.severity {
                    crate::diagnostic::Severity::Error => "error",
                    crate::diagnostic::Severity::Warning => "warning",
                },
                file: f.file.clone(),
                line: f.span.map(|s| s.start.line),
                col: f.span.map(|s| s.start.col),
                message: masker.mask(&f.message),
                hint: f.hint.as_ref().map(|h| masker.mask(h)),
                rule: f.code.clone(),
            })
            .collect(),
    }
}

impl Reporter for Json {
    fn step_finished(&self, _: &PlanStep, _: &StepResult) {}

    fn run_finished(&self, plan: &Plan, outcome: &Outcome) {
        let doc = document(&self.root, plan, outcome, &self.masker);
        let text = self
            .masker
            .mask(&(serde_json::to_string_pretty(&doc).expect("plain data serialises") + "\n"));
        let path = self.root.join("target/xtask/report.json");
        if let Err(e) = crate::fsutil::write_atomic(&path, text.as_bytes()) {
            eprintln!("warning: cannot write {}: {e:#}", path.display());
        }
        if self.print {
            print!("{text}");
        }
    }
}
