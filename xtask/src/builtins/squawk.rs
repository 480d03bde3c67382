//! `migrations/squawk`: lints the Postgres migrations with squawk (provisioned through the
//! pipeline's `tools:`) and turns its JSON report into positioned diagnostics
//! (`squawk/<rule>`). Released migrations (in the migrations lock) can never change, so
//! their findings may be accepted in an exceptions file, each rule with its reason; a
//! migration that is not released yet must be clean.

use crate::diagnostic::{Diagnostic, Pos, SourceFile, Span};
use crate::model::{Builtin, Registration, StepContext, With};
use crate::text::relpath;
use crate::yaml::Reader;
use anyhow::{Context as _, bail};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub const SQUAWK: Registration = Registration {
    name: "migrations/squawk",
    summary: "lint Postgres migrations with squawk; released ones may carry reasoned exceptions",
    required: &["dir", "lock"],
    optional: &["exceptions", "pg-version"],
    parse,
};

#[derive(Debug)]
struct Squawk {
    dir: String,
    lock: String,
    exceptions: Option<String>,
    pg_version: String,
}

fn parse(r: &mut Reader, with: &With) -> Option<Arc<dyn Builtin>> {
    let dir = r.string(with.get("dir")?, "dir")?;
    let lock = r.string(with.get("lock")?, "lock")?;
    let exceptions = match with.get("exceptions") {
        Some(n) => Some(r.string(n, "exceptions")?),
        None => None,
    };
    let pg_version = match with.get("pg-version") {
        Some(n) => r.string(n, "pg-version")?,
        None => "15".to_string(),
    };
    let paths = [Some(&dir), Some(&lock), exceptions.as_ref()];
    if paths.into_iter().flatten().any(|p| relpath::escapes(p)) {
        r.error(
            with.span,
            "`dir`, `lock` and `exceptions` must be inside the workspace",
        );
        return None;
    }
    Some(Arc::new(Squawk {
        dir,
        lock,
        exceptions,
        pg_version,
    }))
}

/// One entry of `squawk --reporter json` (lines and columns count from 0).
#[derive(Deserialize)]
struct Finding {
    file: String,
    line: usize,
    column: usize,
    line_end: usize,
    column_end: usize,
    level: String,
    message: String,
    help: Option<String>,
    rule_name: String,
}

/// file → rule → (reason, where the rule is written).
type Exceptions = BTreeMap<String, BTreeMap<String, (String, Span)>>;

impl Builtin for Squawk {
    fn run(&self, ctx: &mut StepContext<'_>) -> anyhow::Result<()> {
        let mut files: Vec<String> = std::fs::read_dir(ctx.root.join(&self.dir))
            .with_context(|| format!("cannot list {}", self.dir))?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .map(|name| format!("{}/{name}", self.dir))
            .collect();
        files.sort();
        if files.is_empty() {
            bail!("{} holds no .sql migrations", self.dir);
        }
        let released = released(ctx, &self.lock)?;
        let exceptions = match &self.exceptions {
            Some(path) => self.read_exceptions(ctx, path, &released)?,
            None => Exceptions::new(),
        };
        let findings = self.squawk(ctx, &files)?;
        let mut used: BTreeSet<(String, String)> = BTreeSet::new();
        let (mut failing, mut accepted) = (0, 0);
        for finding in &findings {
            let excepted = exceptions
                .get(&finding.file)
                .is_some_and(|rules| rules.contains_key(&finding.rule_name));
            if excepted {
                accepted += 1;
                used.insert((finding.file.clone(), finding.rule_name.clone()));
                continue;
            }
            failing += 1;
            let diag = diagnostic(ctx, finding, released.contains(&finding.file));
            ctx.finding(diag);
        }
        if let Some(path) = &self.exceptions {
            let src = source(ctx, path);
            for (file, rules) in &exceptions {
                for (rule, (_, span)) in rules {
                    if !used.contains(&(file.clone(), rule.clone())) {
                        let diag = src
                            .error(
                                *span,
                                format!("squawk no longer reports `{rule}` in {file}"),
                            )
                            .with_code("squawk/stale-exception")
                            .with_hint("remove the exception")
                            .warning();
                        ctx.finding(diag);
                    }
                }
            }
        }
        writeln!(
            ctx.out,
            "squawk {} ({} migrations): {} findings, {accepted} accepted as reasoned exceptions of released migrations",
            self.dir,
            files.len(),
            findings.len()
        )?;
        if failing > 0 {
            bail!(
                "squawk found {failing} problem{} in the migrations",
                if failing == 1 { "" } else { "s" }
            );
        }
        Ok(())
    }
}

impl Squawk {
    fn squawk(&self, ctx: &mut StepContext<'_>, files: &[String]) -> anyhow::Result<Vec<Finding>> {
        let report = tempfile::tempfile().context("cannot create a temporary file")?;
        let keep = report.try_clone()?;
        let mut argv: Vec<String> = [
            "squawk",
            "--reporter",
            "json",
            "--assume-in-transaction",
            "--no-error-on-unmatched-pattern",
        ]
        .map(str::to_owned)
        .to_vec();
        argv.push(format!("--pg-version={}", self.pg_version));
        argv.extend(files.iter().cloned());
        let finished = ctx.command(&argv, Some(report))?;
        let text = xtask_process::read_back(keep)?;
        // 0: clean; 1: findings; anything else (or no JSON): squawk itself failed.
        let parsed = serde_json::from_str::<Vec<Finding>>(&text);
        match (finished.status.code(), parsed) {
            (Some(0 | 1), Ok(findings)) => Ok(findings),
            (_, parsed) => {
                ctx.out.write_all(finished.output.as_bytes())?;
                let why = parsed.err().map_or(String::new(), |e| {
                    format!("; its report is not the expected JSON: {e}")
                });
                bail!(
                    "squawk failed ({}){why}",
                    xtask_process::describe(finished.status)
                )
            }
        }
    }

    /// The exceptions file: `<migration>: { <rule>: <reason> }`, only for released
    /// migrations, each with a reason.
    fn read_exceptions(
        &self,
        ctx: &mut StepContext<'_>,
        path: &str,
        released: &BTreeSet<String>,
    ) -> anyhow::Result<Exceptions> {
        let src = source(ctx, path);
        let root = match crate::yaml::parse(&src) {
            Ok(root) => root,
            Err(diag) => {
                ctx.finding(*diag);
                bail!("{path} cannot be read");
            }
        };
        let mut problems = Vec::new();
        let mut exceptions = Exceptions::new();
        let empty = root.scalar().is_some_and(|s| s.is_empty());
        let entries = match root.map() {
            Some(entries) => entries,
            None if empty => &[],
            None => {
                ctx.finding(
                    src.error(root.span, "expected a mapping of migration → rule → reason"),
                );
                bail!("{path} cannot be read");
            }
        };
        for (file_node, rules_node) in entries {
            let file = file_node.scalar().unwrap_or_default().to_owned();
            if !released.contains(&file) {
                problems.push(
                    src.error(
                        file_node.span,
                        format!("{file} is not a released migration (not in {})", self.lock),
                    )
                    .with_hint("only released migrations, which can no longer change, may carry exceptions; fix the new migration instead"),
                );
                continue;
            }
            let Some(rules) = rules_node.map() else {
                problems.push(src.error(rules_node.span, "expected a mapping of rule → reason"));
                continue;
            };
            let entry = exceptions.entry(file).or_default();
            for (rule, reason) in rules {
                let name = rule.scalar().unwrap_or_default().to_owned();
                match reason.scalar().map(str::trim) {
                    Some(text) if !text.is_empty() => {
                        entry.insert(name, (text.to_owned(), rule.span));
                    }
                    _ => problems.push(
                        src.error(
                            reason.span,
                            format!("the exception for `{name}` needs a reason"),
                        )
                        .with_hint("say why the finding is acceptable in this released migration"),
                    ),
                }
            }
        }
        if problems.is_empty() {
            return Ok(exceptions);
        }
        let count = problems.len();
        for diag in problems {
            ctx.finding(diag);
        }
        bail!(
            "{count} invalid exception{} in {path}",
            if count == 1 { "" } else { "s" }
        )
    }
}

/// The migrations the lock names (`<sha384>  <path>` lines).
fn released(ctx: &StepContext<'_>, lock: &str) -> anyhow::Result<BTreeSet<String>> {
    let text = std::fs::read_to_string(ctx.root.join(lock))
        .with_context(|| format!("cannot read the migrations lock {lock}"))?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once("  "))
        .map(|(_, file)| file.trim().to_owned())
        .collect())
}

fn source(ctx: &StepContext<'_>, rel: &str) -> SourceFile {
    SourceFile::new(
        rel,
        std::fs::read_to_string(ctx.root.join(rel)).unwrap_or_default(),
    )
}

fn diagnostic(ctx: &StepContext<'_>, finding: &Finding, released: bool) -> Diagnostic {
    let src = source(ctx, &finding.file);
    let span = Span {
        start: Pos {
            line: finding.line + 1,
            col: finding.column + 1,
        },
        end: Pos {
            line: finding.line_end + 1,
            col: finding.column_end + 1,
        },
    };
    let level = finding.level.to_lowercase();
    let docs = format!("https://squawkhq.com/docs/{}", finding.rule_name);
    let hint = match (&finding.help, released) {
        (Some(help), false) => format!("{help} (see {docs})"),
        (None, false) => format!("see {docs}"),
        (help, true) => format!(
            "{}this migration is released and cannot change: accept the finding with a reason in the exceptions file, or fix it in a new migration (see {docs})",
            help.as_ref().map_or(String::new(), |h| format!("{h}; "))
        ),
    };
    src.error(span, format!("{} ({level})", finding.message))
        .with_code(format!("squawk/{}", finding.rule_name))
        .with_hint(hint)
}
