//! `workflow/zizmor`: audits GitHub Actions workflows with zizmor (offline, provisioned
//! through the pipeline's `tools:`) and turns its JSON findings into positioned diagnostics:
//! the rule in the code (`zizmor/unpinned-uses`), its documentation in the hint.

use crate::diagnostic::{Diagnostic, Pos, SourceFile, Span};
use crate::model::{Builtin, Registration, StepContext, With};
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use serde::Deserialize;
use std::sync::Arc;

pub const ZIZMOR: Registration = Registration {
    name: "workflow/zizmor",
    summary: "audit GitHub Actions workflows with zizmor (offline); findings point at file lines",
    required: &["files"],
    optional: &[],
    parse,
};

#[derive(Debug)]
struct Zizmor {
    files: Vec<String>,
}

fn parse(r: &mut Reader, with: &With) -> Option<Arc<dyn Builtin>> {
    Some(Arc::new(Zizmor {
        files: super::signing::files(r, with)?,
    }))
}

#[derive(Deserialize)]
struct Finding {
    ident: String,
    desc: String,
    url: String,
    determinations: Determinations,
    locations: Vec<Location>,
    #[serde(default)]
    ignored: bool,
}

#[derive(Deserialize)]
struct Determinations {
    severity: String,
}

#[derive(Deserialize)]
struct Location {
    symbolic: Symbolic,
    concrete: Concrete,
}

#[derive(Deserialize)]
struct Symbolic {
    annotation: String,
    kind: String,
    key: serde_json::Value,
}

#[derive(Deserialize)]
struct Concrete {
    location: Range,
}

#[derive(Deserialize)]
struct Range {
    start_point: Point,
    end_point: Point,
}

/// zizmor's positions count from 0.
#[derive(Deserialize)]
struct Point {
    row: usize,
    column: usize,
}

impl Builtin for Zizmor {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let report = tempfile::tempfile().context("cannot create a temporary file")?;
        let keep = report.try_clone()?;
        let mut argv: Vec<String> = ["zizmor", "--offline", "--format", "json"]
            .map(str::to_owned)
            .to_vec();
        argv.extend(self.files.iter().cloned());
        let finished = ctx.command(&argv, Some(report))?;
        let text = xtask_process::read_back(keep)?;
        // 0: no findings; 10 to 14: findings of rising severity; anything else: zizmor failed.
        let code = finished.status.code();
        if !matches!(code, Some(0 | 10..=14)) {
            ctx.out.write_all(finished.output.as_bytes())?;
            bail!(
                "zizmor failed ({})",
                xtask_process::describe(finished.status)
            );
        }
        let findings: Vec<Finding> = serde_json::from_str(&text)
            .with_context(|| "zizmor's JSON report does not have the expected shape")?;
        let mut count = 0;
        for finding in findings.iter().filter(|f| !f.ignored) {
            count += 1;
            let diag = self.diagnostic(ctx, finding);
            ctx.finding(diag);
        }
        writeln!(
            ctx.out,
            "zizmor {}: {count} finding{}",
            self.files.join(", "),
            if count == 1 { "" } else { "s" }
        )?;
        if count > 0 {
            bail!(
                "zizmor found {count} problem{} in the workflows",
                if count == 1 { "" } else { "s" }
            );
        }
        Ok(())
    }
}

impl Zizmor {
    fn diagnostic(&self, ctx: &StepContext<'_>, finding: &Finding) -> Diagnostic {
        let primary = finding
            .locations
            .iter()
            .find(|l| l.symbolic.kind == "Primary")
            .or(finding.locations.first());
        let file = primary
            .and_then(|l| {
                l.symbolic
                    .key
                    .pointer("/Local/given_path")
                    .or(l.symbolic.key.pointer("/Local/verbatim_path"))
            })
            .and_then(|p| p.as_str())
            .unwrap_or(&self.files[0])
            .to_owned();
        let text = std::fs::read_to_string(ctx.root.join(&file)).unwrap_or_default();
        let src = SourceFile::new(file, text);
        let severity = finding.determinations.severity.to_lowercase();
        let message = match primary {
            Some(l) => format!("{} ({severity}): {}", finding.desc, l.symbolic.annotation),
            None => format!("{} ({severity})", finding.desc),
        };
        let diag = match primary {
            Some(l) => {
                let point = |p: &Point| Pos {
                    line: p.row + 1,
                    col: p.column + 1,
                };
                let span = Span {
                    start: point(&l.concrete.location.start_point),
                    end: point(&l.concrete.location.end_point),
                };
                src.error(span, message)
            }
            None => src.file_error(message),
        };
        diag.with_code(format!("zizmor/{}", finding.ident))
            .with_hint(format!("see {}", finding.url))
    }
}
