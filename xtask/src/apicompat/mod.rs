//! API compatibility: the differences between two OpenAPI 3.x documents, each classified by a
//! stable rule as breaking (error), possibly breaking (warning) or additive (info), with the
//! JSON pointer and line in both documents; the base document found through git; the policy
//! that lets a major-version bump or an allowlisted reason excuse a breaking change.

pub mod allow;
pub mod base;
mod content;
mod deprecation;
pub mod doc;
mod media;
mod params;
pub mod report;
pub mod rules;
mod schema;
mod security;
pub mod settings;
mod walk;

pub use doc::{Doc, Loc};

use crate::diagnostic::Diagnostic;
use serde::Serialize;
use std::collections::HashSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub rule: &'static str,
    pub level: Level,
    pub message: String,
    pub base: Option<Loc>,
    pub revision: Option<Loc>,
    /// Why an error does not fail the check (allowlisted, or a major version bump).
    pub excused: Option<String>,
}

impl Finding {
    /// An error that nothing excuses.
    pub fn is_breaking(&self) -> bool {
        self.level == Level::Error && self.excused.is_none()
    }
}

/// What the comparison needs besides the documents.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// The day sunsets are judged on, in days since 1970-01-01.
    pub today: i64,
    /// The deprecation policy's minimum days between deprecation and sunset.
    pub min_days: Option<u32>,
}

impl Options {
    /// Today (UTC), and no deprecation policy.
    pub fn now() -> Options {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Options {
            today: (secs / 86_400) as i64,
            min_days: None,
        }
    }
}

/// Compares `base` with `revision`: the findings in document order, or the reasons the
/// documents cannot be compared (dangling or cyclic references, malformed parts).
pub fn compare(base: &Doc, revision: &Doc) -> Result<Vec<Finding>, Vec<Diagnostic>> {
    compare_with(base, revision, Options::now())
}

/// `compare`, judging deprecations with `options`.
pub fn compare_with(
    base: &Doc,
    revision: &Doc,
    options: Options,
) -> Result<Vec<Finding>, Vec<Diagnostic>> {
    let mut c = Compare {
        options,
        base,
        rev: revision,
        findings: Vec::new(),
        errors: Vec::new(),
        visited: HashSet::new(),
    };
    c.paths();
    c.webhooks();
    if c.errors.is_empty() {
        Ok(c.findings)
    } else {
        c.errors
            .dedup_by(|a, b| a.file == b.file && a.span == b.span && a.message == b.message);
        Err(c.errors)
    }
}

/// The result of checking a workspace's document against its base.
pub enum Outcome {
    /// Nothing to compare with, and why.
    NoBase(String),
    /// The judged findings, and the revision document (for positioned diagnostics).
    Compared(report::Verdict, crate::diagnostic::SourceFile),
}

/// Finds the base, compares `file` with it and applies the allowlist and the major-version
/// rule. Malformed documents and allowlist mistakes come back as positioned diagnostics.
pub fn check(
    root: &std::path::Path,
    file: &str,
    explicit_base: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Result<Outcome, Vec<Diagnostic>>> {
    let allowed = match allow::read(root)? {
        Ok(allowed) => allowed,
        Err(diags) => return Ok(Err(diags)),
    };
    let options = match settings::read(root, Options::now().today)? {
        Ok(options) => options,
        Err(diags) => return Ok(Err(diags)),
    };
    let text = std::fs::read_to_string(root.join(file))
        .map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?;
    let (how, commit, base_text) = match base::resolve(root, file, explicit_base, env)? {
        base::Base::Missing(why) => return Ok(Ok(Outcome::NoBase(why))),
        base::Base::Found { how, commit, text } => (how, commit, text),
    };
    let label = format!("{file}@{}", &commit[..commit.len().min(12)]);
    let (base_doc, rev_doc) = match (Doc::parse(&label, base_text), Doc::parse(file, text)) {
        (Ok(b), Ok(r)) => (b, r),
        (b, r) => {
            return Ok(Err(b
                .err()
                .into_iter()
                .chain(r.err())
                .map(|d| *d)
                .collect()));
        }
    };
    let findings = match compare_with(&base_doc, &rev_doc, options) {
        Ok(findings) => findings,
        Err(diags) => return Ok(Err(diags)),
    };
    let mut verdict = report::Verdict {
        file: file.to_owned(),
        base: how,
        commit,
        base_version: base_doc.version().map(str::to_owned),
        revision_version: rev_doc.version().map(str::to_owned),
        findings,
    };
    verdict.judge(&allowed);
    Ok(Ok(Outcome::Compared(verdict, rev_doc.src)))
}

/// Whether `revision`'s `info.version` has a higher major version than `base`'s (for 0.x,
/// a higher minor, as semver treats 0.x minors).
pub fn major_bumped(base: Option<&str>, revision: Option<&str>) -> bool {
    let parse = |v: &str| -> Option<(u64, u64)> {
        let mut parts = v.trim_start_matches('v').split(['.', '-', '+']);
        Some((
            parts.next()?.parse().ok()?,
            parts.next().and_then(|m| m.parse().ok()).unwrap_or(0),
        ))
    };
    match (base.and_then(parse), revision.and_then(parse)) {
        (Some((0, b_minor)), Some((0, r_minor))) => r_minor > b_minor,
        (Some((b, _)), Some((r, _))) => r > b,
        _ => false,
    }
}

/// The walk over both documents.
struct Compare<'d> {
    options: Options,
    base: &'d Doc,
    rev: &'d Doc,
    findings: Vec<Finding>,
    errors: Vec<Diagnostic>,
    /// Schema pairs already compared (by pointer and direction): `$ref` cycles end here.
    visited: HashSet<(String, String, bool)>,
}

impl Compare<'_> {
    fn emit(
        &mut self,
        rule: &'static str,
        message: String,
        base: Option<Loc>,
        revision: Option<Loc>,
    ) {
        debug_assert!(rules::ids().any(|id| id == rule), "{rule} is in RULES");
        self.findings.push(Finding {
            rule,
            level: rules::level(rule),
            message,
            base,
            revision,
            excused: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::major_bumped;

    #[test]
    fn major_versions() {
        assert!(major_bumped(Some("1.4.0"), Some("2.0.0")));
        assert!(!major_bumped(Some("1.4.0"), Some("1.5.0")));
        assert!(major_bumped(Some("0.3.1"), Some("0.4.0")));
        assert!(!major_bumped(Some("0.3.1"), Some("0.3.2")));
        assert!(!major_bumped(None, Some("2.0.0")));
        assert!(major_bumped(Some("v1"), Some("v2")));
    }
}

#[cfg(test)]
mod rule_tests;
