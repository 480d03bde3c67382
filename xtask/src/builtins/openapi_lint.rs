//! `openapi/lint`: lints an OpenAPI document with the Redocly CLI (`redocly lint`, provisioned
//! through the pipeline's `tools:`) and turns its JSON report into positioned diagnostics.

use crate::diagnostic::{Severity, SourceFile, Span};
use crate::model::{Builtin, Registration, StepContext, With};
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use serde::Deserialize;
use std::sync::Arc;

pub const LINT: Registration = Registration {
    name: "openapi/lint",
    summary: "lint an OpenAPI document with Redocly; findings point at file lines",
    required: &["file"],
    optional: &["config"],
    parse,
};

#[derive(Debug)]
struct Lint {
    file: String,
    config: Option<String>,
}

fn parse(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let mut path = |key: &str| -> Option<String> { r.workspace_path(fields.get(key)?, key) };
    let (file, config) = (path("file"), path("config"));
    Some(Arc::new(Lint {
        file: file?,
        config,
    }))
}

#[derive(Deserialize)]
struct Report {
    problems: Vec<Problem>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Problem {
    rule_id: String,
    severity: String,
    message: String,
    #[serde(default)]
    location: Vec<Location>,
    reference: Option<String>,
}

#[derive(Deserialize)]
struct Location {
    source: Source,
    start: Option<Position>,
    end: Option<Position>,
}

#[derive(Deserialize)]
struct Source {
    #[serde(rename = "ref")]
    reference: String,
}

#[derive(Deserialize, Clone, Copy)]
struct Position {
    line: usize,
    col: usize,
}

impl Builtin for Lint {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let text = std::fs::read_to_string(ctx.root.join(&self.file))
            .with_context(|| format!("cannot read {}; generate it first", self.file))?;
        let mut argv: Vec<String> = ["redocly", "lint", &self.file, "--format=json"]
            .map(String::from)
            .to_vec();
        if let Some(config) = &self.config {
            argv.extend(["--config".to_string(), config.clone()]);
        }
        let report_file = tempfile::tempfile().context("cannot create a temporary file")?;
        let finished = ctx.command(&argv, Some(report_file.try_clone()?))?;
        let report: Report = read_report(report_file).map_err(|e| {
            let _ = ctx.out.write_all(finished.output.as_bytes());
            anyhow::anyhow!("cannot read Redocly's report ({e}); its output is above")
        })?;
        let src = SourceFile::new(self.file.clone(), text);
        let (mut errors, mut warnings) = (0, 0);
        for problem in report.problems {
            let diag = diagnostic(&src, &problem);
            match diag.severity {
                Severity::Error => errors += 1,
                Severity::Warning => warnings += 1,
            }
            ctx.finding(diag);
        }
        writeln!(
            ctx.out,
            "redocly lint {}: {errors} errors, {warnings} warnings",
            self.file
        )?;
        if errors > 0 {
            bail!("{} has {errors} lint errors", self.file);
        }
        if !finished.status.success() {
            bail!(
                "redocly lint failed ({}) without reporting a problem",
                xtask_process::describe(finished.status)
            );
        }
        Ok(())
    }
}

fn read_report(file: std::fs::File) -> anyhow::Result<Report> {
    Ok(serde_json::from_str(&xtask_process::read_back(file)?)?)
}

fn diagnostic(src: &SourceFile, problem: &Problem) -> crate::diagnostic::Diagnostic {
    let location = problem.location.first();
    let span = location.and_then(|l| {
        let start = l.start?;
        let end = l.end.unwrap_or(start);
        Some(Span {
            start: pos(start),
            end: pos(end),
        })
    });
    let message = format!("{} ({})", problem.message, problem.rule_id);
    let mut diag = match (span, location) {
        (Some(span), Some(l))
            if l.source.reference.ends_with(&src.path)
                || src.path.ends_with(&l.source.reference) =>
        {
            src.error(span, message)
        }
        _ => src.file_error(message),
    };
    if let Some(reference) = &problem.reference {
        diag = diag.with_hint(format!("see {reference}"));
    }
    if problem.severity != "error" {
        diag = diag.warning();
    }
    diag
}

fn pos(p: Position) -> crate::diagnostic::Pos {
    crate::diagnostic::Pos {
        line: p.line.max(1),
        col: p.col.max(1),
    }
}
