//! `policies/supply-chain.yaml`: on which refs a missing signing key is an error instead of
//! a skip (`require-signature-on`), and which artifacts need a signature and provenance.

use super::{Context, Finding, Policy, Rule, load_policy};
use crate::diagnostic::SourceFile;
use crate::git::RefName;
use crate::yaml::{Node, Reader};

pub const PATH: &str = "policies/supply-chain.yaml";

pub const RULE: Rule = Rule {
    id: "supply-chain",
    files: &[PATH],
    summary: "SBOM, signature and provenance of the release artifacts",
    load: |files| load_policy(files, RULE.file(), parse),
};

/// One entry of `require-signature-on`.
#[derive(Clone, Debug, PartialEq)]
pub enum RefRule {
    AllTags,
    AllBranches,
    Tag(glob::Pattern),
    Branch(glob::Pattern),
}

impl RefRule {
    fn matches(&self, name: &RefName) -> bool {
        match (self, name) {
            (RefRule::AllTags, RefName::Tag(_)) | (RefRule::AllBranches, RefName::Branch(_)) => {
                true
            }
            (RefRule::Tag(p), RefName::Tag(t)) | (RefRule::Branch(p), RefName::Branch(t)) => {
                p.matches(t)
            }
            _ => false,
        }
    }
}

/// An artifact the supply-chain rules cover.
#[derive(Clone, Debug, PartialEq)]
pub struct Artifact {
    pub path: String,
    pub sbom: bool,
    pub signature: bool,
    pub provenance: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SupplyChain {
    pub require_signature_on: Vec<RefRule>,
    pub artifacts: Vec<Artifact>,
    /// The repository's URL for provenance when neither Actions nor `origin` names it.
    pub repository: Option<String>,
}

impl SupplyChain {
    /// Whether signing is required on `name`, and the sentence that says why.
    pub fn signature_required(&self, name: &RefName) -> (bool, String) {
        let required = self
            .require_signature_on
            .iter()
            .any(|rule| rule.matches(name));
        let verdict = if required {
            "requires a signature"
        } else {
            "requires no signature"
        };
        (required, format!("{PATH} {verdict} on {name}"))
    }
}

pub fn parse(r: &mut Reader, root: &Node) -> Option<SupplyChain> {
    let fields = r.fields(
        root,
        "the supply-chain policy",
        &["require-signature-on", "artifacts", "repository"],
    )?;
    let mut policy = SupplyChain::default();
    if let Some(node) = fields.get("repository") {
        let text = r.string(node, "repository")?;
        match crate::provenance::repository_url(&text) {
            Some(url) => policy.repository = Some(url),
            None => {
                r.error(node.span, format!("`{text}` is not a repository URL"))
                    .hint = Some(
                    "give the https URL others clone it from, e.g. `https://github.com/org/repo`"
                        .into(),
                )
            }
        }
    }
    if let Some(node) = fields.get("require-signature-on") {
        for name in r.names(node, "require-signature-on").unwrap_or_default() {
            let rule = match name.name.as_str() {
                "tags" => Some(RefRule::AllTags),
                "branches" => Some(RefRule::AllBranches),
                other => ref_pattern(other),
            };
            match rule {
                Some(rule) => policy.require_signature_on.push(rule),
                None => {
                    r.error(name.span, format!("`{}` is not a ref rule", name.name))
                        .hint =
                        Some("use `tags`, `branches`, `tag:<glob>` or `branch:<glob>`".into());
                }
            }
        }
    }
    if let Some(node) = fields.get("artifacts") {
        match node.seq() {
            Some(items) => {
                policy.artifacts = items.iter().filter_map(|item| artifact(r, item)).collect()
            }
            None => r.type_error(node, "artifacts", "a list of artifacts"),
        }
    }
    Some(policy)
}

impl Policy for SupplyChain {
    /// Each listed artifact that exists carries what the policy asks: provenance naming it
    /// with its digest; a signature that verifies, where signing applies (a key is present or
    /// this ref requires one).
    fn check(&self, ctx: &Context) -> Vec<Finding> {
        let rule = |id: &str| format!("supply-chain/{id}");
        let policy_file = SourceFile::new(
            PATH,
            std::fs::read_to_string(ctx.root.join(PATH)).unwrap_or_default(),
        );
        let at = |path: &str| {
            let line = policy_file
                .text
                .lines()
                .position(|l| l.contains(path))
                .map_or(1, |i| i + 1);
            crate::diagnostic::Span::at(line, 1)
        };
        let mut findings = Vec::new();
        let key_present = crate::cosign::source::load(ctx.root, ctx.env)
            .ok()
            .flatten()
            .is_some();
        let git_ref = crate::git::current_ref(ctx.root, ctx.env);
        let (required, why) = self.signature_required(&git_ref);
        let public_key = crate::cosign::source::public_key(ctx.root, ctx.env);
        let provenance_path = crate::provenance::default_path(ctx.root);
        let statement = provenance_path.exists().then(|| {
            crate::provenance::read(&provenance_path, public_key.as_ref().ok().map(|(k, _)| k))
        });
        for artifact in &self.artifacts {
            let Ok(bytes) = std::fs::read(ctx.root.join(&artifact.path)) else {
                let diag = policy_file.error(
                    at(&artifact.path),
                    format!(
                        "{} is not built in this workspace, so it cannot be checked",
                        artifact.path
                    ),
                );
                findings.push(super::Finding::new(
                    &rule("not-built"),
                    diag.warning()
                        .with_hint("build the release artifacts first (cargo xtask run sbom slsa)"),
                ));
                continue;
            };
            let sha = xtask_inputs::digest::sha256(&bytes);
            if artifact.provenance && statement.is_none() {
                let message = format!("{} has no provenance in this workspace yet", artifact.path);
                findings.push(super::Finding::new(
                    &rule("not-built"),
                    policy_file
                        .error(at(&artifact.path), message)
                        .warning()
                        .with_hint("cargo xtask run slsa"),
                ));
            } else if let Some(statement) = statement.as_ref().filter(|_| artifact.provenance) {
                let named = statement
                    .as_ref()
                    .ok()
                    .and_then(|(s, _)| crate::provenance::subjects(s).ok())
                    .is_some_and(|subjects| {
                        subjects
                            .iter()
                            .any(|(n, d)| *n == artifact.path && *d == sha)
                    });
                if !named {
                    let why = match statement {
                        Err(e) => format!(
                            "{}: {e}",
                            provenance_path
                                .strip_prefix(ctx.root)
                                .unwrap_or(&provenance_path)
                                .display()
                        ),
                        Ok(_) => "the provenance does not name it with its current sha256".into(),
                    };
                    findings.push(super::Finding::new(
                        &rule("provenance"),
                        policy_file
                            .error(
                                at(&artifact.path),
                                format!("{} has no valid provenance: {why}", artifact.path),
                            )
                            .with_hint("cargo xtask run slsa"),
                    ));
                }
            }
            if artifact.signature && (key_present || required) {
                let sig = std::fs::read(ctx.root.join(format!("{}.sig", artifact.path)));
                let bundle_path = format!("{}.sigstore.json", artifact.path);
                let bundle = std::fs::read_to_string(ctx.root.join(&bundle_path));
                let verified = match (sig, bundle, &public_key) {
                    (Ok(sig), Ok(bundle), Ok((key, _))) => {
                        crate::cosign::verify_blob(key, &bytes, &sig).and_then(|()| {
                            crate::cosign::verify_bundle(key, &bundle, Some(&bytes))
                                .map(drop)
                                .map_err(|why| format!("{bundle_path}: {why}"))
                        })
                    }
                    (Err(_), _, _) => Err(format!("{}.sig does not exist", artifact.path)),
                    (_, Err(_), _) => Err(format!("{bundle_path} does not exist")),
                    (_, _, Err(e)) => Err(e.to_string()),
                };
                if let Err(problem) = verified {
                    let because = if required {
                        why.clone()
                    } else {
                        "a signing key is present".into()
                    };
                    let message = format!("{} is not signed: {problem} ({because})", artifact.path);
                    findings.push(super::Finding::new(
                        &rule("signature"),
                        policy_file
                            .error(at(&artifact.path), message)
                            .with_hint("cargo xtask run sign"),
                    ));
                }
            }
        }
        findings
    }
}

fn ref_pattern(text: &str) -> Option<RefRule> {
    let (kind, pattern) = text.split_once(':')?;
    let pattern = glob::Pattern::new(pattern).ok()?;
    match kind {
        "tag" => Some(RefRule::Tag(pattern)),
        "branch" => Some(RefRule::Branch(pattern)),
        _ => None,
    }
}

fn artifact(r: &mut Reader, node: &Node) -> Option<Artifact> {
    let fields = r.fields(
        node,
        "an artifact",
        &["path", "sbom", "signature", "provenance"],
    )?;
    let Some(path) = fields.get("path") else {
        r.error(node.span, "an artifact needs `path`");
        return None;
    };
    let path = r.string(path, "path")?;
    let flag = |r: &mut Reader, key: &str| {
        fields
            .get(key)
            .and_then(|v| r.boolean(v, key))
            .unwrap_or(false)
    };
    Some(Artifact {
        sbom: flag(r, "sbom"),
        signature: flag(r, "signature"),
        provenance: flag(r, "provenance"),
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;

    fn read(text: &str) -> Result<SupplyChain, Vec<Diagnostic>> {
        crate::yaml::read_source(&SourceFile::new(PATH, text), parse).map_err(|mut diags| {
            diags.sort_by_key(|d| d.span.map(|s| s.start));
            diags
        })
    }

    #[test]
    fn reads_rules_and_decides_per_ref() {
        let policy = read("require-signature-on: [tags, \"branch:release/*\"]\n").unwrap();
        assert_eq!(
            policy.signature_required(&RefName::Tag("v1.2.0".into())),
            (
                true,
                "policies/supply-chain.yaml requires a signature on tag v1.2.0".into()
            )
        );
        assert!(
            policy
                .signature_required(&RefName::Branch("release/1.2".into()))
                .0
        );
        assert_eq!(
            policy.signature_required(&RefName::Branch("main".into())),
            (
                false,
                "policies/supply-chain.yaml requires no signature on branch main".into()
            )
        );
    }

    #[test]
    fn mistakes_are_positioned() {
        let errors = read("require-signature-on: [tag]\nartifact: []\n").unwrap_err();
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].message, "`tag` is not a ref rule");
        assert_eq!(errors[0].location(), "policies/supply-chain.yaml:1:24");
        assert_eq!(
            errors[1].message,
            "unknown key `artifact` in the supply-chain policy"
        );
    }
}
