//! Governance rules as data (`policies/*.yaml`), read with the same positioned YAML reader as
//! pipelines so every mistake points at its line, and checked by `cargo xtask policy`, the
//! `policy/check` built-in and the `policy` pipeline.

mod finding;
pub mod rls;
pub mod rotation;
pub mod secrets;
pub mod services;
pub mod supply_chain;
pub mod telemetry;

pub use finding::Finding;
pub use supply_chain::SupplyChain;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::yaml::{Node, Reader};
use std::any::Any;
use std::fmt::Debug;
use std::path::Path;
use std::sync::Arc;
use xtask_process::Launcher;

/// The rule table: one line per policy. A new policy is a file of this folder with a `RULE`
/// and its line here.
pub const RULES: &[Rule] = &[
    secrets::RULE,
    rotation::RULE,
    telemetry::RULE,
    services::RULE,
    rls::RULE,
    supply_chain::RULE,
];

/// Files of `policies/` that are not rules of their own: read by `cargo xtask api-compat`.
pub const API_COMPAT_ALLOWLIST: &str = "policies/api-compat-allowlist.yaml";
pub const API_COMPAT_SETTINGS: &str = "policies/api-compat.yaml";

/// A policy read from its file, ready to check the workspace.
pub trait Policy: Any + Debug + Send + Sync {
    fn check(&self, ctx: &Context) -> Vec<Finding>;
}

/// Reads a rule's files: its policy, or `None` when its own file does not exist or has
/// mistakes (collected in `Files`).
pub type Load = fn(&mut Files) -> anyhow::Result<Option<Arc<dyn Policy>>>;

/// One rule: its id (`cargo xtask policy --rule ID`), the files it reads (its own first),
/// what it checks, and how it is read.
pub struct Rule {
    pub id: &'static str,
    pub files: &'static [&'static str],
    pub summary: &'static str,
    pub load: Load,
}

impl Rule {
    /// The file that configures the rule.
    pub fn file(&self) -> &'static str {
        self.files[0]
    }
}

/// The text of a workspace file by its relative path; `None` when it does not exist.
pub type Source<'a> = &'a dyn Fn(&str) -> anyhow::Result<Option<String>>;

/// The files of `policies/` as rules read them: mistakes are collected, not returned.
pub struct Files<'a> {
    source: Source<'a>,
    diags: &'a mut Vec<Diagnostic>,
}

impl Files<'_> {
    /// Reads one YAML file of the workspace with `parse`.
    pub fn read<T>(
        &mut self,
        rel: &str,
        parse: fn(&mut Reader, &Node) -> Option<T>,
    ) -> anyhow::Result<Option<T>> {
        let Some(text) = (self.source)(rel)? else {
            return Ok(None);
        };
        Ok(crate::yaml::read_collecting(
            &SourceFile::new(rel, text),
            self.diags,
            parse,
        ))
    }
}

/// Reads `rel` with `parse` as a rule's policy.
pub fn load_policy<T: Policy>(
    files: &mut Files,
    rel: &str,
    parse: fn(&mut Reader, &Node) -> Option<T>,
) -> anyhow::Result<Option<Arc<dyn Policy>>> {
    Ok(files
        .read(rel, parse)?
        .map(|p| Arc::new(p) as Arc<dyn Policy>))
}

/// Every policy the workspace has, in table order (absent files are absent rules).
#[derive(Clone, Debug, Default)]
pub struct Policies {
    loaded: Vec<(&'static str, Arc<dyn Policy>)>,
}

/// What a check may look at.
pub struct Context<'a> {
    pub root: &'a Path,
    /// The environment (a step's, under the `policy/check` built-in).
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// Runs the commands a rule needs (psql for the live RLS check) under the caller's
    /// control: a step's timeout and interrupts, its environment and masking.
    pub launcher: &'a Launcher<'a>,
}

impl Policies {
    /// Reads `policies/`: every known file, each mistake a diagnostic; an unknown YAML file
    /// there is a mistake too (a misspelt file name would otherwise switch a rule off).
    pub fn load(root: &Path) -> anyhow::Result<Result<Policies, Vec<Diagnostic>>> {
        let mut diags = Vec::new();
        unknown_files(root, &mut diags)?;
        let source = |rel: &str| match std::fs::read_to_string(root.join(rel)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::anyhow!("cannot read {rel}: {e}")),
        };
        let mut found = Policies::read(&source)?;
        if let Err(more) = &mut found {
            diags.append(more);
        }
        Ok(match found {
            Ok(policies) if diags.is_empty() => Ok(policies),
            _ => Err(sorted(diags)),
        })
    }

    /// Reads every rule's files from `source` (the workspace, or texts held in memory by a
    /// test or a fuzz target).
    pub fn read(source: Source) -> anyhow::Result<Result<Policies, Vec<Diagnostic>>> {
        let mut diags = Vec::new();
        let mut loaded = Vec::new();
        let mut files = Files {
            source,
            diags: &mut diags,
        };
        for rule in RULES {
            if let Some(policy) = (rule.load)(&mut files)? {
                loaded.push((rule.id, policy));
            }
        }
        Ok(if diags.is_empty() {
            Ok(Policies { loaded })
        } else {
            Err(sorted(diags))
        })
    }

    /// The policy of type `T`, when its file exists.
    pub fn get<T: Policy>(&self) -> Option<&T> {
        self.loaded
            .iter()
            .find_map(|(_, p)| (p.as_ref() as &dyn Any).downcast_ref::<T>())
    }

    /// Names whose values are secret (masked by the engine).
    pub fn secret_names(&self) -> Vec<&str> {
        self.get::<secrets::Secrets>()
            .iter()
            .flat_map(|s| s.names.iter().map(String::as_str))
            .collect()
    }

    /// The ids of the rules that have a policy file, among `only` (all when empty).
    pub fn present(&self, only: &[String]) -> Vec<&'static str> {
        self.loaded
            .iter()
            .map(|(id, _)| *id)
            .filter(|id| only.is_empty() || only.iter().any(|o| o == id))
            .collect()
    }

    /// Runs the rules named in `only` (all when empty); unknown ids are the caller's to refuse.
    pub fn check(&self, ctx: &Context, only: &[String]) -> Vec<Finding> {
        let wanted = self.present(only);
        self.loaded
            .iter()
            .filter(|(id, _)| wanted.contains(id))
            .flat_map(|(_, p)| p.check(ctx))
            .collect()
    }
}

/// Diagnostics in file and position order.
fn sorted(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diags.sort_by(|a, b| {
        (&a.file, a.span.map(|s| s.start)).cmp(&(&b.file, b.span.map(|s| s.start)))
    });
    diags
}

/// A YAML file in `policies/` that no rule reads is a mistake.
fn unknown_files(root: &Path, diags: &mut Vec<Diagnostic>) -> anyhow::Result<()> {
    let dir = root.join("policies");
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(&dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        let rel = format!("policies/{name}");
        let known = RULES.iter().any(|r| r.files.contains(&rel.as_str()))
            || [API_COMPAT_ALLOWLIST, API_COMPAT_SETTINGS].contains(&rel.as_str());
        if (name.ends_with(".yaml") || name.ends_with(".yml")) && !known {
            let files: Vec<&str> = RULES.iter().map(Rule::file).collect();
            let src = SourceFile::new(rel.clone(), "");
            diags.push(
                src.file_error(format!("unknown policy file {rel}"))
                    .with_hint(format!("policy files: {}", files.join(", "))),
            );
        }
    }
    Ok(())
}

/// The hint for a rule id that is not one of `RULES`; `None` when it is one.
pub fn unknown_rule(rule: &str) -> Option<String> {
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    if ids.contains(&rule) {
        return None;
    }
    Some(
        match crate::text::suggest::did_you_mean(rule, ids.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("rules: {}", ids.join(", ")),
        },
    )
}

/// `N errors, M warnings from rules a, b` — or that everything passed.
pub fn summary(checked: &[&str], findings: &[Finding]) -> String {
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let warnings = findings.len() - errors;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let rules = if checked.is_empty() {
        "no policy files".to_owned()
    } else {
        checked.join(", ")
    };
    if findings.is_empty() {
        format!("policies passed: {rules}")
    } else {
        format!(
            "{}, {} from {rules}",
            plural(errors, "error"),
            plural(warnings, "warning")
        )
    }
}

/// Reads a file a rule checks; the finding when it is missing.
/// A workspace YAML file read and parsed, or the finding (under `rule`) why it cannot be.
pub fn yaml_source(
    ctx: &Context,
    rule: &str,
    rel: &str,
) -> Result<(SourceFile, crate::yaml::Node), Finding> {
    let src = source(ctx, rule, rel)?;
    match crate::yaml::parse(&src) {
        Ok(root) => Ok((src, root)),
        Err(diag) => Err(Finding::new(rule, *diag)),
    }
}

pub fn source(ctx: &Context, rule: &str, rel: &str) -> Result<SourceFile, Finding> {
    match std::fs::read_to_string(ctx.root.join(rel)) {
        Ok(text) => Ok(SourceFile::new(rel, text)),
        Err(e) => Err(Finding::new(
            rule,
            SourceFile::new(rel, "").file_error(format!("cannot read {rel}: {e}")),
        )),
    }
}
