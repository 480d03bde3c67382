//! `drift`: regenerates a committed file into a temporary directory and fails, with a
//! numbered unified diff and the command that fixes it, when the committed file differs.
//! It never touches the working tree.

use crate::diagnostic::{SourceFile, Span};
use crate::drift::{Comparison, compare};
use crate::model::{Builtin, Registration, StepContext, With};
use crate::text::template;
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use std::sync::Arc;

pub const DRIFT: Registration = Registration {
    name: "drift",
    summary: "regenerate a committed file and fail with a diff when it differs",
    required: &["generated", "committed", "fix"],
    optional: &[],
    parse,
};

/// Template variables of `generated`: the output file, the engine itself, the workspace.
const GENERATOR_VARS: [&str; 3] = ["output", "xtask", "workspace"];

#[derive(Debug)]
struct Drift {
    /// The generator; `{{ output }}` is where it must write.
    generated: Vec<String>,
    committed: String,
    fix: String,
}

fn parse(r: &mut Reader, fields: &With) -> Option<Arc<dyn Builtin>> {
    let generated = crate::load::argv(r, fields.get("generated")?, "generated")?;
    let node = fields.get("generated")?;
    if !generated
        .iter()
        .any(|w| w.contains("{{ output }}") || w.contains("{{output}}"))
    {
        r.error(node.span, "`generated` must write to `{{ output }}`")
            .hint = Some("pass the placeholder where the generator takes its output file, e.g. `--output \"{{ output }}\"`".into());
        return None;
    }
    for word in &generated {
        if let Err((_, message)) =
            template::render(word, &|n| GENERATOR_VARS.contains(&n).then(String::new))
        {
            r.error(node.span, message).hint = Some(
                "`generated` knows `{{ output }}`, `{{ xtask }}` and `{{ workspace }}`".into(),
            );
            return None;
        }
    }
    let committed = r.workspace_path(fields.get("committed")?, "committed")?;
    let fix = r.string(fields.get("fix")?, "fix")?;
    Some(Arc::new(Drift {
        generated,
        committed,
        fix,
    }))
}

impl Builtin for Drift {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let path = ctx.root.join(&self.committed);
        let Ok(committed) = std::fs::read(&path) else {
            bail!(
                "{} does not exist; create it with: {}",
                self.committed,
                self.fix
            );
        };
        self.require_tracked(ctx)?;
        let generated = self.generate(ctx)?;
        let src = SourceFile::new(
            self.committed.clone(),
            String::from_utf8_lossy(&committed).into_owned(),
        );
        let (diff, first) = match compare(&committed, &generated, &self.committed) {
            Comparison::Same => {
                writeln!(ctx.out, "{} is up to date", self.committed)?;
                return Ok(());
            }
            Comparison::Differs { diff, first } => (diff, first),
            Comparison::LineEndings { line } => {
                ctx.finding(
                    src.error(
                        Span::at(line, 1),
                        format!(
                            "{} has CRLF line endings; the generator writes LF",
                            self.committed
                        ),
                    )
                    .with_hint(format!(
                        "`.gitattributes` keeps it LF on checkout; fix the file with: {}",
                        self.fix
                    )),
                );
                bail!(
                    "{} differs only in line endings (CRLF instead of LF); run: {}",
                    self.committed,
                    self.fix
                );
            }
        };
        ctx.out.write_all(diff.as_bytes())?;
        ctx.finding(
            src.error(
                Span::at(first, 1),
                format!("{} differs from what the code generates", self.committed),
            )
            .with_hint(format!("run: {}", self.fix)),
        );
        bail!(
            "{} is out of date with the code; run: {}",
            self.committed,
            self.fix
        )
    }
}

impl Drift {
    fn require_tracked(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let out = std::process::Command::new("git")
            .args(["ls-files", "--error-unmatch", "--", &self.committed])
            .current_dir(ctx.root)
            .output()
            .context("cannot run git to check that the file is tracked")?;
        if !out.status.success() {
            bail!(
                "{} is not tracked by git; commit it (git add {}) so CI can compare against it",
                self.committed,
                self.committed
            );
        }
        Ok(())
    }

    /// Runs the generator into a fresh temporary directory and returns what it wrote.
    fn generate(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<Vec<u8>> {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let name = std::path::Path::new(&self.committed)
            .file_name()
            .map_or("generated".into(), |n| n.to_string_lossy().into_owned());
        let output = dir.path().join(name);
        let vars = |name: &str| match name {
            "output" => Some(output.display().to_string()),
            "xtask" => crate::plan::engine_exe().map(|p| p.display().to_string()),
            "workspace" => Some(ctx.root.display().to_string()),
            _ => None,
        };
        let argv: Vec<String> = self
            .generated
            .iter()
            .map(|w| template::render(w, &vars).unwrap_or_else(|_| w.clone()))
            .collect();
        let finished = ctx.command(&argv, None)?;
        ctx.out.write_all(finished.output.as_bytes())?;
        if !finished.status.success() {
            bail!(
                "the generator failed ({}); {} was not touched",
                xtask_process::describe(finished.status),
                self.committed
            );
        }
        std::fs::read(&output)
            .with_context(|| format!("the generator did not write {}", output.display()))
    }
}
