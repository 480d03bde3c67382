//! The compatibility verdict and its renderings: lines for the terminal, positioned
//! diagnostics for annotations and the run report, JSON for bots, Markdown for pull requests.

use super::{Finding, Level};
use crate::diagnostic::{Diagnostic, SourceFile, Span};
use serde_json::json;
use std::fmt::Write as _;

/// A finished comparison.
pub struct Verdict {
    pub file: String,
    /// How the base was chosen, and its commit.
    pub base: String,
    pub commit: String,
    pub base_version: Option<String>,
    pub revision_version: Option<String>,
    pub findings: Vec<Finding>,
}

impl Verdict {
    /// Applies the policy: allowlisted errors, then — when the major version went up — every
    /// remaining error, are excused with the reason.
    pub fn judge(&mut self, allowed: &[super::allow::Allowed]) {
        super::allow::apply(&mut self.findings, allowed);
        if super::major_bumped(
            self.base_version.as_deref(),
            self.revision_version.as_deref(),
        ) {
            let why = format!(
                "the major version went up ({} → {})",
                self.base_version.as_deref().unwrap_or("?"),
                self.revision_version.as_deref().unwrap_or("?")
            );
            for f in self
                .findings
                .iter_mut()
                .filter(|f| f.level == Level::Error && f.excused.is_none())
            {
                f.excused = Some(why.clone());
            }
        }
    }

    pub fn breaking(&self) -> usize {
        self.findings.iter().filter(|f| f.is_breaking()).count()
    }

    fn count(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level == level).count()
    }

    /// `N breaking, M warnings, K additive changes against <base>`.
    pub fn summary(&self) -> String {
        let short = &self.commit[..self.commit.len().min(12)];
        format!(
            "{} breaking ({} excused), {} possibly breaking, {} additive change(s) in {} against {} ({short})",
            self.breaking(),
            self.count(Level::Error) - self.breaking(),
            self.count(Level::Warning),
            self.count(Level::Info),
            self.file,
            self.base
        )
    }

    /// One line per finding, `file:line:1: level: rule: message`, then where it was in the base.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for f in &self.findings {
            let line = f.revision.as_ref().map_or(1, |l| l.line);
            let _ = writeln!(
                out,
                "{}:{line}:1: {}: {}: {}",
                self.file,
                f.level.name(),
                f.rule,
                f.message
            );
            if let Some(base) = &f.base {
                let _ = writeln!(
                    out,
                    "    base: {}@{}:{} {}",
                    self.file,
                    &self.commit[..self.commit.len().min(12)],
                    base.line,
                    base.pointer
                );
            }
            if let Some(excused) = &f.excused {
                let _ = writeln!(out, "    not failing: {excused}");
            }
        }
        out
    }

    /// Errors and warnings as diagnostics at the revision's lines (additive changes are not
    /// problems); an excused error is a warning saying why.
    pub fn diagnostics(&self, revision: &SourceFile) -> Vec<Diagnostic> {
        self.findings
            .iter()
            .filter(|f| f.level != Level::Info)
            .map(|f| {
                let line = f.revision.as_ref().map_or(1, |l| l.line);
                let pointer = f.revision.as_ref().map_or("", |l| l.pointer.as_str());
                let diag = revision
                    .error(Span::at(line, 1), f.message.clone())
                    .with_code(f.rule);
                match &f.excused {
                    Some(why) => diag.warning().with_hint(format!("not failing: {why}")),
                    None if f.level == Level::Warning => {
                        diag.warning().with_hint(pointer.to_owned())
                    }
                    None => diag.with_hint(format!(
                        "{pointer}; bump the major version of info.version or list it in {}",
                        super::allow::PATH
                    )),
                }
            })
            .collect()
    }

    pub fn json(&self) -> serde_json::Value {
        let loc = |l: &Option<super::Loc>| {
            l.as_ref()
                .map(|l| json!({ "pointer": l.pointer, "line": l.line }))
        };
        json!({
            "file": self.file,
            "base": { "how": self.base, "commit": self.commit, "version": self.base_version },
            "revision": { "version": self.revision_version },
            "breaking": self.breaking(),
            "outcome": if self.breaking() > 0 { "breaking" } else { "compatible" },
            "findings": self.findings.iter().map(|f| json!({
                "rule": f.rule,
                "level": f.level,
                "message": f.message,
                "base": loc(&f.base),
                "revision": loc(&f.revision),
                "excused": f.excused,
            })).collect::<Vec<_>>(),
        })
    }

    pub fn markdown(&self) -> String {
        let icon = if self.breaking() > 0 { "❌" } else { "✅" };
        let mut out = format!(
            "### {icon} API compatibility of `{}`\n\n{}\n\n",
            self.file,
            self.summary()
        );
        if self.findings.is_empty() {
            return out;
        }
        out.push_str("| level | rule | change | line | base line |\n|---|---|---|---:|---:|\n");
        for f in &self.findings {
            let level = match (f.level, &f.excused) {
                (Level::Error, Some(_)) => "excused",
                (level, _) => level.name(),
            };
            let cell = |s: &str| s.replace('|', "\\|");
            let line =
                |l: &Option<super::Loc>| l.as_ref().map_or(String::new(), |l| l.line.to_string());
            let _ = writeln!(
                out,
                "| {level} | `{}` | {} | {} | {} |",
                f.rule,
                cell(&f.message),
                line(&f.revision),
                line(&f.base)
            );
        }
        out
    }
}
