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
use crate::load::reader::Reader;
use crate::yaml::Node;
use std::path::Path;

/// Rule ids, the file that configures each, and what it checks.
pub const RULES: [(&str, &str, &str); 6] = [
    (
        "secrets",
        "policies/secrets.yaml",
        "confidential names: masked, never committed as values",
    ),
    (
        "rotation",
        "policies/rotation.yaml",
        "key rotations recorded in docs/Progress.md are recent enough",
    ),
    (
        "telemetry",
        "policies/telemetry.yaml",
        "sampling rates and sandbox defaults of each environment",
    ),
    (
        "services",
        "policies/services.yaml",
        "every service's OpenAPI declares health, metrics and signed webhooks",
    ),
    (
        "rls",
        "policies/rls.yaml",
        "row-level security on every tenant table of the Postgres migrations",
    ),
    (
        "supply-chain",
        "policies/supply-chain.yaml",
        "SBOM, signature and provenance of the release artifacts",
    ),
];

/// Every policy the workspace has (absent files are absent rules).
#[derive(Clone, Debug, Default)]
pub struct Policies {
    pub secrets: Option<secrets::Secrets>,
    pub rotation: Option<rotation::Rotation>,
    pub telemetry: Option<telemetry::Telemetry>,
    pub services: Option<services::Services>,
    pub rls: Option<rls::Rls>,
    pub supply_chain: Option<SupplyChain>,
}

/// What a check may look at.
pub struct Context<'a> {
    pub root: &'a Path,
    /// The environment (a step's, under the `policy/check` built-in).
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

impl Policies {
    /// Reads `policies/`: every known file, each mistake a diagnostic; an unknown YAML file
    /// there is a mistake too (a misspelt file name would otherwise switch a rule off).
    pub fn load(root: &Path) -> anyhow::Result<Result<Policies, Vec<Diagnostic>>> {
        let mut diags = Vec::new();
        let mut policies = Policies::default();
        let dir = root.join("policies");
        if dir.is_dir() {
            for entry in std::fs::read_dir(&dir)? {
                let name = entry?.file_name().to_string_lossy().into_owned();
                let known = RULES
                    .iter()
                    .any(|(_, file, _)| file.ends_with(&format!("/{name}")))
                    || name == secrets::ALLOWLIST_FILE
                    || format!("policies/{name}") == crate::apicompat::allow::PATH;
                if (name.ends_with(".yaml") || name.ends_with(".yml")) && !known {
                    let files: Vec<&str> = RULES.iter().map(|(_, f, _)| *f).collect();
                    let src = SourceFile::new(format!("policies/{name}"), "");
                    diags.push(
                        src.file_error(format!("unknown policy file policies/{name}"))
                            .with_hint(format!("policy files: {}", files.join(", "))),
                    );
                }
            }
        }
        policies.secrets = read(root, RULES[0].1, &mut diags, secrets::parse)?;
        if let Some(secrets) = &mut policies.secrets {
            secrets.allow = read(
                root,
                &format!("policies/{}", secrets::ALLOWLIST_FILE),
                &mut diags,
                secrets::parse_allowlist,
            )?
            .unwrap_or_default();
        }
        policies.rotation = read(root, RULES[1].1, &mut diags, rotation::parse)?;
        policies.telemetry = read(root, RULES[2].1, &mut diags, telemetry::parse)?;
        policies.services = read(root, RULES[3].1, &mut diags, services::parse)?;
        policies.rls = read(root, RULES[4].1, &mut diags, rls::parse)?;
        policies.supply_chain = read(root, RULES[5].1, &mut diags, supply_chain::parse)?;
        diags.sort_by(|a, b| {
            (&a.file, a.span.map(|s| s.start)).cmp(&(&b.file, b.span.map(|s| s.start)))
        });
        Ok(if diags.is_empty() {
            Ok(policies)
        } else {
            Err(diags)
        })
    }

    /// Names whose values are secret (masked by the engine).
    pub fn secret_names(&self) -> Vec<&str> {
        self.secrets
            .iter()
            .flat_map(|s| s.names.iter().map(String::as_str))
            .collect()
    }

    /// The ids of the rules that have a policy file, among `only` (all when empty).
    pub fn present(&self, only: &[String]) -> Vec<&'static str> {
        let has = [
            self.secrets.is_some(),
            self.rotation.is_some(),
            self.telemetry.is_some(),
            self.services.is_some(),
            self.rls.is_some(),
            self.supply_chain.is_some(),
        ];
        RULES
            .iter()
            .zip(has)
            .filter(|((id, _, _), has)| *has && (only.is_empty() || only.iter().any(|o| o == id)))
            .map(|((id, _, _), _)| *id)
            .collect()
    }

    /// Runs the rules named in `only` (all when empty); unknown ids are the caller's to refuse.
    pub fn check(&self, ctx: &Context, only: &[String]) -> Vec<Finding> {
        let wanted = |id: &str| only.is_empty() || only.iter().any(|o| o == id);
        let mut findings = Vec::new();
        if let (true, Some(p)) = (wanted("secrets"), &self.secrets) {
            findings.extend(p.check(ctx));
        }
        if let (true, Some(p)) = (wanted("rotation"), &self.rotation) {
            findings.extend(p.check(ctx));
        }
        if let (true, Some(p)) = (wanted("telemetry"), &self.telemetry) {
            findings.extend(p.check(ctx));
        }
        if let (true, Some(p)) = (wanted("services"), &self.services) {
            findings.extend(p.check(ctx));
        }
        if let (true, Some(p)) = (wanted("rls"), &self.rls) {
            findings.extend(p.check(ctx));
        }
        if let (true, Some(p)) = (wanted("supply-chain"), &self.supply_chain) {
            findings.extend(p.check(ctx));
        }
        findings
    }
}

/// The hint for a rule id that is not one of `RULES`; `None` when it is one.
pub fn unknown_rule(rule: &str) -> Option<String> {
    let ids = RULES.map(|(id, _, _)| id);
    if ids.contains(&rule) {
        return None;
    }
    Some(match crate::text::suggest::did_you_mean(rule, ids) {
        Some(near) => format!("did you mean `{near}`?"),
        None => format!("rules: {}", ids.join(", ")),
    })
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

/// Reads one policy file with `parse`; `None` when the file does not exist.
pub(crate) fn read<T>(
    root: &Path,
    rel: &str,
    diags: &mut Vec<Diagnostic>,
    parse: fn(&mut Reader, &Node) -> Option<T>,
) -> anyhow::Result<Option<T>> {
    let text = match std::fs::read_to_string(root.join(rel)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => anyhow::bail!("cannot read {rel}: {e}"),
    };
    match parse_source(&SourceFile::new(rel, text), parse) {
        Ok(policy) => Ok(Some(policy)),
        Err(mut found) => {
            diags.append(&mut found);
            Ok(None)
        }
    }
}

/// One policy file's text read with `parse`: the policy, or every mistake in it.
fn parse_source<T>(
    src: &SourceFile,
    parse: fn(&mut Reader, &Node) -> Option<T>,
) -> Result<T, Vec<Diagnostic>> {
    let node = crate::yaml::parse(src).map_err(|d| vec![*d])?;
    let mut r = Reader::new(src);
    match parse(&mut r, &node) {
        Some(policy) if r.diags.is_empty() => Ok(policy),
        _ => Err(r.diags),
    }
}

/// Reads a file a rule checks; the finding when it is missing.
pub fn source(ctx: &Context, rule: &str, rel: &str) -> Result<SourceFile, Finding> {
    match std::fs::read_to_string(ctx.root.join(rel)) {
        Ok(text) => Ok(SourceFile::new(rel, text)),
        Err(e) => Err(Finding::new(
            rule,
            SourceFile::new(rel, "").file_error(format!("cannot read {rel}: {e}")),
        )),
    }
}
