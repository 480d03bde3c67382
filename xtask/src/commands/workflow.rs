//! `cargo xtask workflow [--check] [--output PATH]`: writes the GitHub Actions workflow
//! generated from the pipelines, or fails with a diff when the committed one differs.

use crate::commands::App;
use crate::drift::{Comparison, compare};
use crate::failure::Failure;
use crate::workflow::{self, Workflow};
use anyhow::Context as _;
use std::path::Path;

pub struct Options<'a> {
    pub check: bool,
    pub output: Option<&'a Path>,
}

pub fn run(app: &App, root: &Path, options: &Options) -> Result<(), Failure> {
    let ws = crate::load::load(root, crate::builtins::REGISTRY)?;
    let Some(flow) = Workflow::of(&ws) else {
        return Err(Failure::usage(
            format!(
                "there is no `{}` pipeline, so there is no workflow to generate",
                workflow::ROOT
            ),
            format!(
                "the workflow has one job per pipeline that pipelines/{}.yaml needs",
                workflow::ROOT
            ),
        ));
    };
    let text = workflow::render(&flow);
    let committed = root.join(workflow::PATH);
    if options.check {
        let Ok(current) = std::fs::read(&committed) else {
            return Err(anyhow::anyhow!(
                "{} does not exist; run: cargo xtask workflow",
                workflow::PATH
            )
            .into());
        };
        let why = match compare(&current, text.as_bytes(), workflow::PATH) {
            Comparison::Same => {
                println!(
                    "{} {} is up to date ({} jobs)",
                    app.style.green("✓"),
                    workflow::PATH,
                    flow.jobs.len()
                );
                return Ok(());
            }
            Comparison::LineEndings { line } => {
                format!("differs only in line endings (CRLF instead of LF, from line {line})")
            }
            Comparison::Differs { diff, .. } => {
                print!("{diff}");
                "differs from what the pipelines generate".to_owned()
            }
        };
        return Err(anyhow::anyhow!("{} {why}; run: cargo xtask workflow", workflow::PATH).into());
    }
    let target = options.output.map_or(committed, Path::to_owned);
    let shown = target
        .strip_prefix(root)
        .unwrap_or(&target)
        .display()
        .to_string();
    if std::fs::read_to_string(&target).is_ok_and(|t| t == text) {
        println!(
            "{} {shown} is up to date ({} jobs)",
            app.style.green("✓"),
            flow.jobs.len()
        );
        return Ok(());
    }
    crate::fsutil::write_atomic(&target, text.as_bytes())
        .with_context(|| format!("cannot write the workflow to {}", target.display()))?;
    println!(
        "{} wrote {shown} ({} jobs)",
        app.style.green("✓"),
        flow.jobs.len()
    );
    Ok(())
}
