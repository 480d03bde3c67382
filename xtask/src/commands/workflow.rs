//! `cargo xtask workflow [--check] [--output PATH]`: writes the GitHub Actions workflow
//! generated from the pipelines, or fails with a diff when the committed one differs.

use crate::commands::App;
use crate::drift::{Comparison, compare};
use crate::failure::Failure;
use crate::workflow::pins::{self, Pins};
use crate::workflow::{self, Workflow};
use anyhow::Context as _;
use std::path::Path;

pub struct Options<'a> {
    pub check: bool,
    pub output: Option<&'a Path>,
    pub update_pins: bool,
    /// `action=vN` overrides of the major `--update-pins` stays within.
    pub majors: &'a [String],
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
    let mut pins = Pins::load(root)?.map_err(Failure::Invalid)?;
    if options.update_pins {
        update_pins(root, &mut pins, options.majors)?;
    }
    let text = workflow::render(&flow, &pins)?;
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
    xtask_inputs::fsutil::write_atomic(&target, text.as_bytes())
        .with_context(|| format!("cannot write the workflow to {}", target.display()))?;
    println!(
        "{} wrote {shown} ({} jobs)",
        app.style.green("✓"),
        flow.jobs.len()
    );
    Ok(())
}

/// Moves the pins (within their majors, or to the ones `majors` names) and rewrites the lock.
fn update_pins(root: &Path, pins: &mut Pins, majors: &[String]) -> Result<(), Failure> {
    let mut to = Vec::new();
    for spec in majors {
        let parsed = spec
            .split_once('=')
            .and_then(|(a, m)| Some((a.to_owned(), m.strip_prefix('v')?.parse::<u64>().ok()?)));
        match parsed {
            Some((action, major)) if pins.get(&action).is_some() => to.push((action, major)),
            Some((action, _)) => {
                return Err(Failure::usage(
                    format!("`{action}` is not pinned in {}", pins::PATH),
                    "--major names an action of the lock file",
                ));
            }
            None => {
                return Err(Failure::usage(
                    format!("`--major {spec}` is not ACTION=vN"),
                    "e.g. --major actions/checkout=v8",
                ));
            }
        }
    }
    for line in pins.update(&to)? {
        println!("{line}");
    }
    xtask_inputs::fsutil::write_atomic(&root.join(pins::PATH), pins.render().as_bytes())?;
    Ok(())
}
