//! `drift`: regenerates a committed file into a temporary directory and fails, with a
//! numbered unified diff and the command that fixes it, when the committed file differs.
//! It never touches the working tree.

use crate::diagnostic::SourceFile;
use crate::diagnostic::Span;
use crate::model::{Builtin, Registration, StepContext};
use crate::text::template;
use crate::yaml::Node;
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use similar::{ChangeTag, TextDiff};
use std::fmt::Write as _;
use std::sync::Arc;

pub const DRIFT: Registration = Registration {
    name: "drift",
    summary: "regenerate a committed file and fail with a diff when it differs",
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

fn parse(r: &mut Reader, with: Option<&Node>, uses: Span) -> Option<Arc<dyn Builtin>> {
    let Some(with) = with else {
        r.error(uses, "`drift` needs `with: { generated, committed, fix }`");
        return None;
    };
    let fields = r.fields(
        with,
        "`with` of `drift`",
        &["generated", "committed", "fix"],
    )?;
    let mut missing = |key: &str| {
        if fields.get(key).is_none() {
            r.error(with.span, format!("`drift` needs `{key}`"));
        }
    };
    ["generated", "committed", "fix"]
        .into_iter()
        .for_each(&mut missing);
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
        if generated == committed {
            writeln!(ctx.out, "{} is up to date", self.committed)?;
            return Ok(());
        }
        let committed = String::from_utf8_lossy(&committed).into_owned();
        let generated = String::from_utf8_lossy(&generated).into_owned();
        let src = SourceFile::new(self.committed.clone(), committed.clone());
        if committed.contains("\r\n") && committed.replace("\r\n", "\n") == generated {
            let line = committed
                .lines()
                .position(|l| l.ends_with('\r'))
                .unwrap_or(0)
                + 1;
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
        let (diff, first) = numbered_diff(&committed, &generated, &self.committed);
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
                crate::process::describe(finished.status),
                self.committed
            );
        }
        std::fs::read(&output)
            .with_context(|| format!("the generator did not write {}", output.display()))
    }
}

/// A unified diff (3 lines of context) with old and new line numbers on every line, and the
/// first differing line of the old text.
pub fn numbered_diff(old: &str, new: &str, name: &str) -> (String, usize) {
    let diff = TextDiff::from_lines(old, new);
    let mut out = format!("--- {name} (committed)\n+++ {name} (generated)\n");
    let mut first = None;
    for group in diff.grouped_ops(3) {
        let (Some(head), Some(tail)) = (group.first(), group.last()) else {
            continue;
        };
        let old_range = head.old_range().start..tail.old_range().end;
        let new_range = head.new_range().start..tail.new_range().end;
        let _ = writeln!(
            out,
            "@@ -{},{} +{},{} @@",
            old_range.start + 1,
            old_range.len(),
            new_range.start + 1,
            new_range.len()
        );
        for op in &group {
            for change in diff.iter_changes(op) {
                let (sign, old_no, new_no) = match change.tag() {
                    ChangeTag::Equal => (' ', change.old_index(), change.new_index()),
                    ChangeTag::Delete => ('-', change.old_index(), None),
                    ChangeTag::Insert => ('+', None, change.new_index()),
                };
                if sign != ' ' && first.is_none() {
                    first = Some(
                        change
                            .old_index()
                            .or(op.old_range().start.into())
                            .unwrap_or(0)
                            + 1,
                    );
                }
                let number = |n: Option<usize>| n.map_or(String::new(), |n| (n + 1).to_string());
                let text = change.value().trim_end_matches('\n');
                let _ = writeln!(
                    out,
                    "{:>5} {:>5} {sign}{text}",
                    number(old_no),
                    number(new_no)
                );
            }
        }
    }
    (out, first.unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::numbered_diff;

    #[test]
    fn numbers_both_sides_and_finds_the_first_change() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\nnew\n";
        let (diff, first) = numbered_diff(old, new, "x.yaml");
        assert_eq!(first, 5);
        assert_eq!(
            diff,
            "--- x.yaml (committed)\n+++ x.yaml (generated)\n\
             @@ -2,7 +2,8 @@\n\
             \x20   2     2  b\n    3     3  c\n    4     4  d\n    5       -e\n          5 +E\n\
             \x20   6     6  f\n    7     7  g\n    8     8  h\n          9 +new\n"
        );
    }
}
