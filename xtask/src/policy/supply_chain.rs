//! `policies/supply-chain.yaml`: on which refs a missing signing key is an error instead of
//! a skip (`require-signature-on`), and which artifacts need a signature and provenance.

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::git::RefName;
use crate::load::reader::Reader;
use crate::yaml::Node;

pub const PATH: &str = "policies/supply-chain.yaml";

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
}

impl SupplyChain {
    /// Reads the policy file; diagnostics for every mistake.
    pub fn read(src: &SourceFile) -> Result<SupplyChain, Vec<Diagnostic>> {
        let root = crate::yaml::parse(src).map_err(|d| vec![*d])?;
        let mut r = Reader::new(src);
        let policy = parse(&mut r, &root);
        match policy {
            Some(policy) if r.diags.is_empty() => Ok(policy),
            _ => {
                r.diags.sort_by_key(|d| d.span.map(|s| s.start));
                Err(r.diags)
            }
        }
    }

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

fn parse(r: &mut Reader, root: &Node) -> Option<SupplyChain> {
    let fields = r.fields(
        root,
        "the supply-chain policy",
        &["require-signature-on", "artifacts"],
    )?;
    let mut policy = SupplyChain::default();
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

    fn read(text: &str) -> Result<SupplyChain, Vec<Diagnostic>> {
        SupplyChain::read(&SourceFile::new(PATH, text))
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
